import { auditContentOf, auditHash, GENESIS_HASH } from '../../domain/auditChain.ts';
import type { AuditChange, AuditEntry } from '../ports.ts';
import { getText, key, numberProp, putText, stringProp } from './entities.ts';

/**
 * The audit trail of an incident: append-only rows in the incident's partition, each carrying the
 * SHA-256 of the previous entry's hash and its own content, so that an edited or removed entry
 * breaks every hash after it.
 */

/** The hashing rule is the domain's (src/domain/auditChain.ts): the verifier checks the same one. */
export { auditHash, canonicalJson, factsHash, GENESIS_HASH } from '../../domain/auditChain.ts';

export type AuditContent = Omit<AuditEntry, 'previousHash' | 'hash'>;

export function chainEntry(args: {
  practiceId: string;
  reference: string;
  sequence: number;
  at: string;
  change: AuditChange;
  previousHash: string;
}): AuditEntry {
  const content: AuditContent = {
    practiceId: args.practiceId,
    reference: args.reference,
    sequence: args.sequence,
    at: args.at,
    actor: args.change.actor,
    action: args.change.action,
    summary: args.change.summary,
  };
  return { ...auditContentOf(content), previousHash: args.previousHash, hash: auditHash(args.previousHash, content) };
}

/** The index of the first entry that does not link or does not match its content; -1 when whole. */
export function firstBrokenLink(entries: readonly AuditEntry[]): number {
  let previous = GENESIS_HASH;
  for (const [index, entry] of entries.entries()) {
    if (entry.sequence !== index + 1 || entry.previousHash !== previous) return index;
    if (auditHash(entry.previousHash, entry) !== entry.hash) return index;
    previous = entry.hash;
  }
  return -1;
}

export function auditRowKey(reference: string, sequence: number): string {
  return `audit|${reference}|${String(sequence).padStart(6, '0')}`;
}

/** RowKeys of one incident's audit entries lie in [from, to). */
export function auditRowRange(reference: string): { from: string; to: string } {
  return { from: `audit|${reference}|`, to: `audit|${reference}|~` };
}

export function toAuditEntity(entry: AuditEntry): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: key(entry.practiceId),
    rowKey: auditRowKey(entry.reference, entry.sequence),
    kind: 'audit',
    reference: entry.reference,
    sequence: entry.sequence,
    at: entry.at,
    actorAadObjectId: entry.actor.aadObjectId,
    actorName: entry.actor.name,
    action: entry.action,
    previousHash: entry.previousHash,
    hash: entry.hash,
  };
  putText(entity, 'summary', entry.summary);
  return entity;
}

export function fromAuditEntity(practiceId: string, entity: Record<string, unknown>): AuditEntry {
  return {
    practiceId,
    reference: stringProp(entity, 'reference'),
    sequence: numberProp(entity, 'sequence'),
    at: stringProp(entity, 'at'),
    actor: { aadObjectId: stringProp(entity, 'actorAadObjectId'), name: stringProp(entity, 'actorName') },
    action: stringProp(entity, 'action'),
    summary: getText(entity, 'summary') ?? '',
    previousHash: stringProp(entity, 'previousHash'),
    hash: stringProp(entity, 'hash'),
  };
}

