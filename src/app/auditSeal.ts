import { createHash } from 'node:crypto';
import { londonDay, ukDate } from '../domain/ukTime.ts';
import type { Practice } from '../domain/practice.ts';
import type { Logger } from '../log.ts';
import { describeError } from '../log.ts';
import { canonicalJson } from '../domain/auditChain.ts';
import { TOMBSTONE_ACTION } from '../domain/retention.ts';
import type { AuditRecord, AuditSeal, SealedHead, Stores } from '../store/ports.ts';
import { holdsJobLease, type JobLease } from './jobLease.ts';
import { REVIEW_CHANNEL } from './outboxTargets.ts';

/**
 * A witness for the audit trail outside the storage account. Someone who can write to the table
 * can rewrite a chain and its head consistently, and the chain check alone cannot tell. Each day
 * the head of every chain of a practice is sealed: a SHA-256 over the sorted heads, kept in blob
 * storage with the heads, and its first 16 hex digits posted in the practice's review channel.
 * Later, a chain whose sealed entry no longer has the sealed hash was rewritten; entries added
 * after the seal are normal (they are checked by the chain itself). Rewriting history now also
 * means rewriting the practice's Teams channel.
 */

export const SEAL_SHOWN_HEX = 16;

export function sealDigest(seal: Pick<AuditSeal, 'practiceId' | 'day' | 'heads'>): string {
  const heads = [...seal.heads].sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  return createHash('sha256').update(canonicalJson({ practiceId: seal.practiceId, day: seal.day, heads })).digest('hex');
}

/** The last entry of each chain as stored (deleted incidents: their tombstone). */
export function headsOf(records: readonly AuditRecord[]): SealedHead[] {
  const heads: SealedHead[] = [];
  for (const record of records) {
    const last = record.trail.filter((e) => Number.isInteger(e.sequence)).sort((a, b) => a.sequence - b.sequence).at(-1);
    if (last) heads.push({ reference: record.reference, sequence: last.sequence, hash: last.hash });
  }
  return heads;
}

export async function recordsOf(stores: Pick<Stores, 'incidents'>, practiceId: string): Promise<AuditRecord[]> {
  const records: AuditRecord[] = [];
  for await (const record of stores.incidents.auditRecords({ practiceId })) records.push(record);
  return records;
}

export interface SealChange {
  reference: string;
  detail: string;
}

/**
 * Incidents whose sealed head is no longer in their chain as it was sealed. A chain that went on
 * after the seal is fine; one deleted by Postwatch is fine if its tombstone follows the sealed head.
 */
export function changesSince(seal: AuditSeal, records: readonly AuditRecord[]): SealChange[] {
  const byReference = new Map(records.map((r) => [r.reference, r]));
  const changes: SealChange[] = [];
  for (const head of seal.heads) {
    const trail = byReference.get(head.reference)?.trail ?? [];
    const entry = trail.find((e) => e.sequence === head.sequence);
    if (entry?.hash === head.hash) continue;
    const tombstone = trail.length === 1 && trail[0]!.action === TOMBSTONE_ACTION ? trail[0]! : undefined;
    if (!entry && tombstone && tombstone.sequence > head.sequence && (tombstone.sequence > head.sequence + 1 || tombstone.previousHash === head.hash)) continue;
    changes.push({
      reference: head.reference,
      detail: trail.length === 0
        ? `its audit trail is gone, with no tombstone (entry ${head.sequence} was sealed)`
        : entry
          ? `entry ${head.sequence} was rewritten after the seal (sealed ${head.hash.slice(0, 12)}…, now ${entry.hash.replace(/[^0-9a-f]/g, '').slice(0, 12)}…) without an entry recording it`
          : `entry ${head.sequence}, sealed, is no longer in its audit trail`,
    });
  }
  return changes;
}

export type SealCheck =
  | { kind: 'no-seal' }
  | { kind: 'seal-altered'; seal: AuditSeal }
  | { kind: 'checked'; seal: AuditSeal; changes: SealChange[] };

/** Checks a practice's chains against a seal: the given one, else its newest. */
export async function checkAgainstSeal(stores: Pick<Stores, 'incidents' | 'seals'>, seal: AuditSeal | undefined): Promise<SealCheck> {
  if (!seal) return { kind: 'no-seal' };
  if (!Array.isArray(seal.heads) || typeof seal.digest !== 'string' || sealDigest(seal) !== seal.digest) return { kind: 'seal-altered', seal };
  return { kind: 'checked', seal, changes: changesSince(seal, await recordsOf(stores, seal.practiceId)) };
}

export function describeSealCheck(check: SealCheck): string {
  switch (check.kind) {
    case 'no-seal':
      return 'No audit seal has been kept yet (the first is made within a day of start-up).';
    case 'seal-altered':
      return `The stored audit seal of ${check.seal.day} does not match its own digest: the seal store was altered. Compare with the seal posted in the review channel and tell your Data Protection Officer.`;
    case 'checked': {
      const shown = `${check.seal.digest.slice(0, SEAL_SHOWN_HEX)}…`;
      const header = `Checked against the audit seal of ${check.seal.day} (${shown}): compare it with the seal card posted in the review channel that day.`;
      return check.changes.length === 0
        ? `${header} No sealed audit trail has changed since.`
        : `${header} ${check.changes.length} incident${check.changes.length === 1 ? '' : 's'} changed without an entry after the seal:\n\n${check.changes.map((c) => `${c.reference}: ${c.detail}`).join('\n\n')}`;
    }
  }
}

export interface SealJobDeps {
  stores: Pick<Stores, 'incidents' | 'seals' | 'practices' | 'outbox' | 'leases'>;
  practices: () => readonly Practice[];
  now: () => Date;
  log: Logger;
  instanceId: string;
  queued?: () => void;
}

const LEASE: JobLease = { name: 'audit-seal', ms: 30 * 60_000 };

/** The daily seal of every practice, under a lease; the channel card is queued once per day. */
export class AuditSealJob {
  constructor(private readonly deps: SealJobDeps) {}

  async run(): Promise<AuditSeal[]> {
    const now = this.deps.now();
    if (!(await holdsJobLease(this.deps.stores.leases, LEASE, this.deps.instanceId, now))) return [];
    const sealed: AuditSeal[] = [];
    for (const practice of this.deps.practices()) {
      try {
        sealed.push(await this.seal(practice, now));
      } catch (error) {
        this.deps.log.warn({ ...describeError(error), practiceId: practice.id }, 'audit seal not made this run');
      }
    }
    this.deps.queued?.();
    return sealed;
  }

  async seal(practice: Practice, now: Date): Promise<AuditSeal> {
    const heads = headsOf(await recordsOf(this.deps.stores, practice.id));
    const day = londonDay(now);
    const made: AuditSeal = { practiceId: practice.id, day, sealedAt: now.toISOString(), heads, digest: sealDigest({ practiceId: practice.id, day, heads }) };
    const kept = await this.deps.stores.seals.put(made);
    const channel = await this.deps.stores.practices.reviewChannel(practice.id);
    if (channel) {
      await this.deps.stores.outbox.enqueue(
        [{ practiceId: practice.id, id: `audit-seal|${day}`, kind: 'notice-card', target: REVIEW_CHANNEL, address: channel, text: JSON.stringify(sealNotice(kept)) }],
        now,
      );
    }
    return kept;
  }
}

/** The small card posted in the review channel: the witness outside the storage account. */
export function sealNotice(seal: AuditSeal): { title: string; text: string } {
  // The seal's day is a UK calendar day; noon UTC falls on that day in London in any season.
  const date = ukDate(`${seal.day}T12:00:00.000Z`);
  const shown = seal.digest.slice(0, SEAL_SHOWN_HEX);
  return {
    title: `Audit seal for ${date}: ${shown}…`,
    text: `A fingerprint of every incident's audit trail (${seal.heads.length}) as it stood today. Keep this message: "npm run audit:verify -- --seal ${shown}" and "verify audit" show whether any trail was rewritten since.`,
  };
}

export { londonDay };
