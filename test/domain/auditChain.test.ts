import { describe, expect, it } from 'vitest';
import { auditHash, canonicalJson, factsHash, GENESIS_HASH } from '../../src/domain/auditChain.ts';
import * as stored from '../../src/store/azure/auditChain.ts';

const entry = {
  practiceId: 'millbrook',
  reference: 'PW-2026-0001',
  sequence: 1,
  at: '2026-03-29T00:59:59Z',
  actor: { aadObjectId: 'aad-rita', name: 'Rita' },
  action: 'incident.reported',
  summary: 'Reported: a Facebook post',
};

describe('the audit chain rule (domain)', () => {
  it('hashes only the content, with keys in a fixed order', () => {
    const shuffled = { summary: entry.summary, action: entry.action, actor: { name: 'Rita', aadObjectId: 'aad-rita' }, at: entry.at, sequence: 1, reference: entry.reference, practiceId: 'millbrook' };
    expect(auditHash(GENESIS_HASH, shuffled)).toBe(auditHash(GENESIS_HASH, entry));
    expect(auditHash(GENESIS_HASH, { ...entry, hash: 'x', previousHash: 'y' } as typeof entry)).toBe(auditHash(GENESIS_HASH, entry));
    expect(auditHash(GENESIS_HASH, { ...entry, summary: 'Reported: an X post' })).not.toBe(auditHash(GENESIS_HASH, entry));
    expect(auditHash('1'.repeat(64), entry)).not.toBe(auditHash(GENESIS_HASH, entry));
    expect(canonicalJson({ b: 1, a: [{ d: undefined, c: 2 }] })).toBe('{"a":[{"c":2}],"b":1}');
  });

  it('is the rule the Azure store writes with: a stored chain verifies in the domain', () => {
    const first = stored.chainEntry({ ...entry, change: { actor: entry.actor, action: entry.action, summary: entry.summary }, previousHash: GENESIS_HASH });
    expect(first.hash).toBe(auditHash(GENESIS_HASH, entry));
    expect(stored.GENESIS_HASH).toBe(GENESIS_HASH);
    const facts = { where: { platform: 'facebook' }, what: { postText: 'Worst surgery ever' } } as unknown as Parameters<typeof factsHash>[0];
    expect(factsHash(facts)).toBe(stored.factsHash(facts));
    expect(factsHash(facts)).toMatch(/^[0-9a-f]{64}$/);
  });
});
