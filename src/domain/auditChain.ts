import { createHash } from 'node:crypto';
import type { ReportFacts } from './report.ts';

/**
 * How an incident's audit trail is chained: each entry carries the SHA-256 of the previous entry's
 * hash and its own content, so that an edited or removed entry breaks every hash after it. Pure, so
 * the verifier (src/app) and the stores check the same rule without the verifier knowing any store.
 */

export const GENESIS_HASH = '0'.repeat(64);

/** What an audit entry's hash covers (everything but the two hashes). */
export interface AuditContent {
  practiceId: string;
  reference: string;
  sequence: number;
  at: string;
  actor: { aadObjectId: string; name: string };
  action: string;
  summary: string;
}

/** JSON with object keys sorted at every level: the same content always gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/** Only the hashed fields, whatever else the entry object carries. */
export function auditContentOf(entry: AuditContent): AuditContent {
  return {
    practiceId: entry.practiceId,
    reference: entry.reference,
    sequence: entry.sequence,
    at: entry.at,
    actor: { aadObjectId: entry.actor.aadObjectId, name: entry.actor.name },
    action: entry.action,
    summary: entry.summary,
  };
}

export function auditHash(previousHash: string, content: AuditContent): string {
  return createHash('sha256').update(previousHash).update(canonicalJson(auditContentOf(content))).digest('hex');
}

/** The SHA-256 of a report's facts, fixed in its first audit entry. */
export function factsHash(facts: ReportFacts): string {
  return createHash('sha256').update(canonicalJson(facts)).digest('hex');
}
