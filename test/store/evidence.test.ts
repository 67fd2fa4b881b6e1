import { createHash, randomBytes } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { EvidenceNotFoundError } from '../../src/store/azure/evidenceStore.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { EvidenceStore } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

const storage = useAzurite();
let evidence: EvidenceStore;

beforeAll(async () => {
  evidence = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })).evidence;
});

const receivedAt = new Date('2026-11-20T10:00:00.000Z');
const sha256 = (bytes: Buffer) => createHash('sha256').update(bytes).digest('hex');

describe('evidence store (Azure Blob)', () => {
  it('stores the bytes under their SHA-256 and reads exactly them back', async () => {
    const bytes = randomBytes(300_000);
    const file = await evidence.put({
      practiceId: 'practice-a',
      draftId: 'draft-1',
      fileName: 'Screenshot 2026-11-20.PNG',
      contentType: 'image/png',
      bytes,
      receivedAt,
    });
    expect(file).toEqual({
      blobName: `practice-a/draft-1/${sha256(bytes)}.png`,
      fileName: 'Screenshot 2026-11-20.PNG',
      contentType: 'image/png',
      size: bytes.length,
      sha256: sha256(bytes),
      receivedAt: receivedAt.toISOString(),
    });
    const read = await evidence.read(file.blobName);
    expect(read.equals(bytes)).toBe(true);
    expect(sha256(read)).toBe(file.sha256);
  });

  it('stores the same screenshot sent twice once', async () => {
    const bytes = randomBytes(2_000);
    const args = { practiceId: 'practice-a', draftId: 'draft-2', contentType: 'image/jpeg', bytes, receivedAt };
    const first = await evidence.put({ ...args, fileName: 'photo.jpeg' });
    const again = await evidence.put({ ...args, fileName: 'photo (1).jpeg' });
    expect(again.blobName).toBe(first.blobName);
    expect(first.blobName).toBe(`practice-a/draft-2/${sha256(bytes)}.jpg`);
    expect((await evidence.read(first.blobName)).equals(bytes)).toBe(true);

    const different = await evidence.put({ ...args, fileName: 'other.jpeg', bytes: randomBytes(2_000) });
    expect(different.blobName).not.toBe(first.blobName);
    // Another draft keeps its own copy (drafts and practices never share evidence).
    const otherDraft = await evidence.put({ ...args, draftId: 'draft-3', fileName: 'photo.jpeg' });
    expect(otherDraft.blobName).toBe(`practice-a/draft-3/${sha256(bytes)}.jpg`);
  });

  it('names the file from its content type when the name has no extension, and never from hostile input', async () => {
    const bytes = Buffer.from('not really a png');
    const file = await evidence.put({
      practiceId: 'practice/../b',
      draftId: 'draft?x#y',
      fileName: 'image',
      contentType: 'image/png',
      bytes,
      receivedAt,
    });
    expect(file.blobName).toBe(`practice%2F..%2Fb/draft%3Fx%23y/${sha256(bytes)}.png`);
    expect((await evidence.read(file.blobName)).equals(bytes)).toBe(true);

    const odd = await evidence.put({
      practiceId: 'practice-a',
      draftId: 'draft-4',
      fileName: 'x',
      contentType: 'text/html"; evil',
      bytes,
      receivedAt,
    });
    expect(odd.blobName).toBe(`practice-a/draft-4/${sha256(bytes)}`);
    expect(odd.contentType).toBe('application/octet-stream');
  });

  it('says when a file is not there', async () => {
    await expect(evidence.read('practice-a/draft-1/nothing.png')).rejects.toBeInstanceOf(EvidenceNotFoundError);
  });
});
