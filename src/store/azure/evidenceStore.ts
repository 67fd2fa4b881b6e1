import { createHash } from 'node:crypto';
import type { ContainerClient } from '@azure/storage-blob';
import type { EvidenceFile } from '../../domain/report.ts';
import { EvidenceNotFoundError, type EvidenceStore, type NewEvidence } from '../ports.ts';
import { deadline } from './clients.ts';
import { key } from './entities.ts';
import { isConflict, mapped, statusOf, toStoreError } from './errors.ts';

/** Bytes allowed for one upload, retries included. */
const UPLOAD_TIMEOUT_MS = 30_000;

const EXTENSIONS: Record<string, string> = {
  'image/png': '.png',
  'image/jpeg': '.jpg',
  'image/gif': '.gif',
  'image/webp': '.webp',
  'image/heic': '.heic',
  'image/bmp': '.bmp',
  'application/pdf': '.pdf',
};

/**
 * Screenshots and other evidence in Blob Storage, named `<practiceId>/<draftId>/<sha256><ext>`:
 * content-addressed, so the same screenshot sent twice is stored once and never overwritten.
 */
export class AzureEvidenceStore implements EvidenceStore {
  constructor(private readonly container: ContainerClient) {}

  async put(args: NewEvidence): Promise<EvidenceFile> {
    const sha256 = createHash('sha256').update(args.bytes).digest('hex');
    const blobName = `${key(args.practiceId)}/${key(args.draftId)}/${sha256}${extensionOf(args.fileName, args.contentType)}`;
    const contentType = safeContentType(args.contentType);
    await mapped('Store evidence', async () => {
      try {
        await this.container.getBlockBlobClient(blobName).uploadData(args.bytes, {
          blobHTTPHeaders: { blobContentType: contentType },
          conditions: { ifNoneMatch: '*' },
          abortSignal: deadline(UPLOAD_TIMEOUT_MS),
        });
      } catch (error) {
        // Already there: the name is the hash of the bytes, so what is stored is identical.
        if (!isConflict(error)) throw error;
      }
    });
    return {
      blobName,
      fileName: args.fileName,
      contentType,
      size: args.bytes.length,
      sha256,
      receivedAt: args.receivedAt.toISOString(),
    };
  }

  async removeForDraft(practiceId: string, draftId: string): Promise<number> {
    const prefix = `${key(practiceId)}/${key(draftId)}/`;
    return mapped('Remove evidence', async () => {
      let removed = 0;
      for await (const blob of this.container.listBlobsFlat({ prefix })) {
        await this.container.getBlockBlobClient(blob.name).deleteIfExists({ abortSignal: deadline() });
        removed++;
      }
      return removed;
    });
  }

  async read(blobName: string): Promise<Buffer> {
    try {
      return await this.container.getBlockBlobClient(blobName).downloadToBuffer(0, undefined, {
        abortSignal: deadline(UPLOAD_TIMEOUT_MS),
      });
    } catch (error) {
      if (statusOf(error) === 404) throw new EvidenceNotFoundError('Read evidence: no such file.', { cause: error });
      throw toStoreError(error, 'Read evidence');
    }
  }
}

/** The blob name does not exist: the port's error, so callers catch it without knowing this adapter. */
export { EvidenceNotFoundError };

/** A short, lowercase extension from the file name, else from the content type; nothing if unsure. */
function extensionOf(fileName: string, contentType: string): string {
  const fromName = /\.([A-Za-z0-9]{1,8})$/.exec(fileName)?.[1]?.toLowerCase();
  if (fromName) return `.${fromName === 'jpeg' ? 'jpg' : fromName}`;
  return EXTENSIONS[contentType.toLowerCase().split(';')[0]?.trim() ?? ''] ?? '';
}

function safeContentType(contentType: string): string {
  const value = contentType.trim().toLowerCase();
  return /^[a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+$/.test(value) ? value : 'application/octet-stream';
}
