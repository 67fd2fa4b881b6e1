import type { ContainerClient } from '@azure/storage-blob';
import type { AuditSeal, SealStore } from '../ports.ts';
import { deadline } from './clients.ts';
import { key } from './entities.ts';
import { isConflict, mapped } from './errors.ts';

/**
 * Audit seals in Blob Storage, named `<practiceId>/<YYYY-MM-DD>-<digest>.json`: the day and the
 * digest are in the name, so the newest seal and a seal by its digest are found from a listing.
 * Written once (If-None-Match: *), never overwritten by Postwatch.
 */
export class AzureSealStore implements SealStore {
  constructor(private readonly container: ContainerClient) {}

  async put(seal: AuditSeal): Promise<AuditSeal> {
    const body = Buffer.from(JSON.stringify(seal));
    return mapped('Keep audit seal', async () => {
      const kept = (await this.names(seal.practiceId)).find((n) => n.day === seal.day);
      if (kept) return this.read(kept.name);
      try {
        await this.container.getBlockBlobClient(`${key(seal.practiceId)}/${seal.day}-${seal.digest}.json`).uploadData(body, {
          blobHTTPHeaders: { blobContentType: 'application/json' },
          conditions: { ifNoneMatch: '*' },
          abortSignal: deadline(),
        });
      } catch (error) {
        if (!isConflict(error)) throw error;
      }
      return seal;
    });
  }

  async latest(practiceId: string): Promise<AuditSeal | undefined> {
    const names = await mapped('List audit seals', () => this.names(practiceId));
    const newest = names.sort((a, b) => (a.name < b.name ? 1 : -1))[0];
    return newest && this.read(newest.name);
  }

  async find(digestPrefix: string, practiceId?: string): Promise<AuditSeal[]> {
    const prefix = digestPrefix.toLowerCase();
    const names = await mapped('List audit seals', () => this.names(practiceId));
    const found: AuditSeal[] = [];
    for (const n of names) if (n.digest.startsWith(prefix)) found.push(await this.read(n.name));
    return found;
  }

  private async names(practiceId?: string): Promise<Array<{ name: string; day: string; digest: string }>> {
    const found: Array<{ name: string; day: string; digest: string }> = [];
    const options = practiceId === undefined ? {} : { prefix: `${key(practiceId)}/` };
    for await (const blob of this.container.listBlobsFlat(options)) {
      const match = /\/(\d{4}-\d{2}-\d{2})-([0-9a-f]{64})\.json$/.exec(blob.name);
      if (match) found.push({ name: blob.name, day: match[1]!, digest: match[2]! });
    }
    return found;
  }

  private async read(name: string): Promise<AuditSeal> {
    const bytes = await mapped('Read audit seal', () => this.container.getBlockBlobClient(name).downloadToBuffer(0, undefined, { abortSignal: deadline() }));
    return JSON.parse(bytes.toString('utf8')) as AuditSeal;
  }
}
