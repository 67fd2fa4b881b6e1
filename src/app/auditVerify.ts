import { createHash } from 'node:crypto';
import type { EvidenceFile } from '../domain/report.ts';
import { auditHash, factsHash, GENESIS_HASH } from '../domain/auditChain.ts';
import { TOMBSTONE_ACTION } from '../domain/retention.ts';
import { EvidenceNotFoundError, type AuditEntry, type AuditRecord, type AuditScope, type EvidenceStore, type IncidentStore } from '../store/ports.ts';

/**
 * Checks every incident's audit chain as it lies in storage: the entries are numbered 1..n with
 * none missing, each names the hash of the one before it, each hash still matches its content, the
 * head recorded on the incident is the last entry, and every evidence file the incident lists is
 * named by its SHA-256 in the chain. Reports, per incident, that it is whole or the first broken
 * entry and why. Read-only. Used by `npm run audit:verify` and the managers' "verify audit" command.
 *
 * What it cannot catch: someone with write access to the table who rewrites every entry after the
 * one they changed AND the head on the incident produces a chain that verifies. Only a copy of the
 * heads kept elsewhere (an anchor) catches that.
 */

export type ChainProblemKind =
  /** An entry's sequence number is absent (a deleted entry, including the last). */
  | 'missing-entry'
  /** An entry is stored in another entry's place (rows swapped or moved). */
  | 'out-of-place'
  /** An entry does not name the hash of the entry before it (one removed, reordered or replaced). */
  | 'broken-link'
  /** An entry's content no longer matches its hash (an edited entry). */
  | 'edited'
  /** An entry belongs to another incident (copied in). */
  | 'foreign-entry'
  /** An entry's row cannot be read as an entry (fields removed or retyped). */
  | 'unreadable-entry'
  /** The chain goes on past the head recorded on the incident, or the recorded head is another entry. */
  | 'head-mismatch'
  /** Audit entries whose incident is missing. */
  | 'incident-missing'
  /** The incident row is there but cannot be read. */
  | 'incident-unreadable'
  /** An evidence file the incident lists is not named in the chain (added or swapped afterwards). */
  | 'evidence-not-in-chain'
  /** The chain names an evidence file the incident no longer lists (removed afterwards). */
  | 'evidence-not-in-incident'
  /** The report's facts (post text, answers) no longer match the hash fixed when it was reported. */
  | 'report-edited'
  /** Checked only with rehashEvidence: the stored bytes no longer have the recorded SHA-256. */
  | 'evidence-altered'
  /** Checked only with rehashEvidence: the stored file is gone. */
  | 'evidence-missing';

export interface ChainProblem {
  kind: ChainProblemKind;
  /** The entry it concerns, when it concerns one. */
  sequence?: number;
  /** Plain English, for a manager or an auditor. Contains no user text beyond ids and hashes. */
  detail: string;
}

export interface ChainReport {
  practiceId: string;
  reference: string;
  ok: boolean;
  /** Audit rows found for the incident. */
  entries: number;
  /** The first broken entry (sequence), when a problem concerns an entry. */
  brokenAt?: number;
  /** Empty when ok; otherwise what is wrong, the first broken entry's problem first. */
  problems: ChainProblem[];
  /**
   * The incident was deleted by Postwatch (retention or the DPO's erasure): its chain ends in a
   * tombstone entry. A deletion, not tampering: the tombstone is checked like any entry.
   */
  deleted?: { at: string; sequence: number };
}

export interface VerifyOptions {
  /** One practice (the Teams command); all practices when absent (the CLI). */
  practiceId?: string;
  /** One incident of that practice. */
  reference?: string;
  /** Also read every evidence file back and re-hash its bytes (slower: reads every blob). */
  rehashEvidence?: boolean;
  /** Called as each incident is checked (the CLI prints as it goes). */
  onReport?: (report: ChainReport) => void;
}

export type VerifyStores = { incidents: Pick<IncidentStore, 'auditRecords'>; evidence: Pick<EvidenceStore, 'read'> };

/** Every incident in scope, checked; storage errors are thrown (they say nothing about the chains). */
export async function verifyAuditChains(stores: VerifyStores, options: VerifyOptions = {}): Promise<ChainReport[]> {
  if (options.reference !== undefined && options.practiceId === undefined) {
    throw new Error('verifyAuditChains: a reference needs its practiceId.');
  }
  const scope: AuditScope =
    options.practiceId === undefined ? {} : { practiceId: options.practiceId, ...(options.reference === undefined ? {} : { reference: options.reference }) };
  const reports: ChainReport[] = [];
  for await (const record of stores.incidents.auditRecords(scope)) {
    let report = checkAuditRecord(record);
    if (options.rehashEvidence && record.incident) {
      const extra: ChainProblem[] = [];
      for (const file of screenshotsOf(record)) {
        const check = await checkEvidenceFile(stores.evidence, file);
        if (check.status !== 'ok') extra.push(evidenceProblem(file, check));
      }
      report = withProblems(report, extra);
    }
    reports.push(report);
    options.onReport?.(report);
  }
  return reports;
}

/** Checks one incident's record as read from storage. Pure. */
export function checkAuditRecord(record: AuditRecord): ChainReport {
  const problems: ChainProblem[] = [...walkChain(record)];
  const entryBroken = problems.length > 0;
  const tombstoneAt = record.trail.findIndex(isTombstone);
  const tombstone = tombstoneAt >= 0 ? record.trail[tombstoneAt] : undefined;
  if (tombstone && tombstoneAt !== record.trail.length - 1) {
    problems.push({ kind: 'head-mismatch', sequence: tombstone.sequence + 1, detail: `Entries were added after the incident was deleted (tombstone entry ${tombstone.sequence}).` });
  }
  if (tombstone && (record.incident || record.incidentProblem !== undefined)) {
    problems.push({ kind: 'head-mismatch', sequence: tombstone.sequence, detail: `The incident is stored although entry ${tombstone.sequence} records its deletion (it was restored outside Postwatch).` });
  } else if (tombstone) {
    // Deleted by Postwatch: nothing more to compare with an incident that is rightly gone.
    return withProblems(
      { practiceId: record.practiceId, reference: record.reference, ok: true, entries: record.trail.length, problems: [], deleted: { at: tombstone.at, sequence: tombstone.sequence } },
      problems,
    );
  }

  if (record.incidentProblem !== undefined) {
    problems.push({ kind: 'incident-unreadable', detail: `The incident row cannot be read: ${record.incidentProblem}` });
  } else if (!record.incident) {
    problems.push({ kind: 'incident-missing', detail: 'Audit entries were found but the incident itself is missing (deleted).' });
  }
  if (record.head) {
    // After a break in the chain the head comparison says nothing more about where it broke.
    const head = checkHead(record);
    const known = head && problems.some((p) => p.kind === head.kind && p.sequence === head.sequence);
    if (head && !known && !(entryBroken && head.kind === 'head-mismatch')) problems.push(head);
  }
  if (record.incident) problems.push(...checkEvidenceInChain(record));
  return withProblems(
    { practiceId: record.practiceId, reference: record.reference, ok: true, entries: record.trail.length, problems: [] },
    problems,
  );
}

/** The first break in the chain, walking the rows in storage order; nothing when whole. */
function* walkChain(record: AuditRecord): Generator<ChainProblem> {
  const trail = record.trail;
  if (trail.length === 0) {
    if (record.incident || record.incidentProblem !== undefined) {
      yield { kind: 'missing-entry', sequence: 1, detail: 'Entry 1 is missing: the incident has no audit entries at all.' };
    }
    return;
  }
  // An erased incident keeps only its tombstone: it links to the last entry, which is gone.
  const erased = trail.length === 1 && isTombstone(trail[0]!) && Number.isInteger(trail[0]!.sequence) ? trail[0]!.sequence - 1 : 0;
  let previous = erased > 0 ? trail[0]!.previousHash : GENESIS_HASH;
  for (const [index, entry] of trail.entries()) {
    const expected = index + 1 + erased;
    if (!Number.isInteger(entry.sequence) || !entry.hash || !entry.previousHash) {
      yield { kind: 'unreadable-entry', sequence: expected, detail: `Entry ${expected} cannot be read: its sequence number or hashes are missing or damaged.` };
      return;
    }
    if (entry.sequence !== expected) {
      const elsewhere = trail.findIndex((e, i) => i > index && e.sequence === expected);
      if (elsewhere >= 0 || entry.sequence < expected) {
        yield {
          kind: 'out-of-place',
          sequence: expected,
          detail: `Entry ${expected} is out of place: its row holds entry ${entry.sequence}${elsewhere >= 0 ? ` and entry ${expected} is stored further on` : ''} (entries were reordered).`,
        };
      } else {
        yield {
          kind: 'missing-entry',
          sequence: expected,
          detail:
            entry.sequence === expected + 1
              ? `Entry ${expected} is missing (deleted): the trail goes from entry ${expected - 1} to entry ${entry.sequence}.`
              : `Entries ${expected} to ${entry.sequence - 1} are missing (deleted): the trail goes from entry ${expected - 1} to entry ${entry.sequence}.`,
        };
      }
      return;
    }
    if (entry.reference !== record.reference || entry.practiceId !== record.practiceId) {
      yield { kind: 'foreign-entry', sequence: expected, detail: `Entry ${expected} belongs to another incident (${idText(entry.reference) || 'no reference'}).` };
      return;
    }
    if (entry.previousHash !== previous) {
      yield {
        kind: 'broken-link',
        sequence: expected,
        detail:
          expected === 1
            ? 'Entry 1 does not start the chain (its previous hash is not the genesis hash): it was replaced.'
            : `Entry ${expected} does not follow entry ${expected - 1}: it names ${short(entry.previousHash)} as the entry before it, but entry ${expected - 1}'s hash is ${short(previous)} (an entry was removed, reordered or replaced).`,
      };
      return;
    }
    if (auditHash(entry.previousHash, entry) !== entry.hash) {
      yield { kind: 'edited', sequence: expected, detail: `Entry ${expected} was changed after it was written: its content no longer matches its hash ${short(entry.hash)}.` };
      return;
    }
    previous = entry.hash;
  }
}

function isTombstone(entry: AuditEntry): boolean {
  return entry.action === TOMBSTONE_ACTION;
}

/** The head kept on the incident row must be the last entry: it catches a deleted last entry. */
function checkHead(record: AuditRecord): ChainProblem | undefined {
  const head = record.head;
  if (!head) return undefined;
  if (!Number.isInteger(head.sequence) || head.sequence < 1 || !head.hash) {
    return { kind: 'head-mismatch', detail: 'The audit head recorded on the incident is missing or damaged.' };
  }
  const last = record.trail.at(-1);
  const lastSequence = last && Number.isInteger(last.sequence) ? last.sequence : record.trail.length;
  if (head.sequence > lastSequence) {
    const first = lastSequence + 1;
    return {
      kind: 'missing-entry',
      sequence: first,
      detail:
        head.sequence === first
          ? `Entry ${first} is missing (deleted): the incident records ${head.sequence} entries but the trail ends at entry ${lastSequence}.`
          : `Entries ${first} to ${head.sequence} are missing (deleted): the incident records ${head.sequence} entries but the trail ends at entry ${lastSequence}.`,
    };
  }
  if (head.sequence < lastSequence) {
    return {
      kind: 'head-mismatch',
      sequence: head.sequence + 1,
      detail: `Entry ${head.sequence + 1} was added outside Postwatch: the incident records ${head.sequence} entries but the trail goes on to entry ${lastSequence}.`,
    };
  }
  if (last && head.hash !== last.hash) {
    return {
      kind: 'head-mismatch',
      sequence: head.sequence,
      detail: `Entry ${head.sequence} is not the entry recorded on the incident: its hash is ${short(last.hash)}, the incident records ${short(head.hash)} (it was replaced).`,
    };
  }
  return undefined;
}

function checkEvidenceInChain(record: AuditRecord): ChainProblem[] {
  const problems: ChainProblem[] = [];
  const files = screenshotsOf(record);
  const inChain = new Set(record.trail.flatMap((e) => hexHashesIn(e.summary)));
  for (const file of files) {
    if (!inChain.has(file.sha256.toLowerCase())) {
      problems.push({
        kind: 'evidence-not-in-chain',
        detail: `Evidence file ${short(file.sha256)} listed on the incident is not named in the audit trail (added or swapped afterwards).`,
      });
    }
  }
  const reported = record.trail.find((e) => e.action === 'incident.reported');
  const fixed = reported ? /Report SHA-256: ([0-9a-f]{64})\./.exec(reported.summary)?.[1] : undefined;
  const facts = record.incident?.facts;
  if (fixed && facts && factsHash(facts) !== fixed) {
    problems.push({
      kind: 'report-edited',
      sequence: reported?.sequence,
      detail: `The report's stored facts no longer match the SHA-256 recorded when it was reported (${short(fixed)}): the post text or answers were changed afterwards.`,
    });
  }
  const listed = new Set(files.map((f) => f.sha256.toLowerCase()));
  for (const sha256 of reported ? reportedEvidenceHashes(reported.summary) : []) {
    if (!listed.has(sha256)) {
      problems.push({
        kind: 'evidence-not-in-incident',
        sequence: reported?.sequence,
        detail: `Evidence file ${short(sha256)} named in the audit trail is no longer listed on the incident (removed afterwards).`,
      });
    }
  }
  return problems;
}

/**
 * The evidence hashes at the end of an "incident.reported" summary, as the store writes them:
 * "... Evidence SHA-256: <hex>, <hex>." (reportedSummary in src/store/azure/incidentStore.ts).
 * Anchored at the end, so a name earlier in the summary cannot add to the list.
 */
export function reportedEvidenceHashes(summary: string): string[] {
  const match = /Evidence SHA-256: ([0-9a-f]{64}(?:, [0-9a-f]{64})*)\.$/.exec(summary);
  return match?.[1] ? match[1].split(', ') : [];
}

function hexHashesIn(text: string): string[] {
  return text.toLowerCase().match(/\b[0-9a-f]{64}\b/g) ?? [];
}

function screenshotsOf(record: AuditRecord): EvidenceFile[] {
  const files = record.incident?.facts?.evidence?.screenshots;
  return Array.isArray(files) ? files.filter((f) => typeof f?.sha256 === 'string') : [];
}

export type EvidenceCheck =
  | { status: 'ok'; bytes: Buffer; actualSha256: string }
  | { status: 'altered'; bytes: Buffer; actualSha256: string }
  | { status: 'missing' };

/** Reads an evidence file back and re-hashes it. Storage errors other than "not there" are thrown. */
export async function checkEvidenceFile(evidence: Pick<EvidenceStore, 'read'>, file: EvidenceFile): Promise<EvidenceCheck> {
  let bytes: Buffer;
  try {
    bytes = await evidence.read(file.blobName);
  } catch (error) {
    if (error instanceof EvidenceNotFoundError) return { status: 'missing' };
    throw error;
  }
  const actualSha256 = createHash('sha256').update(bytes).digest('hex');
  return { status: actualSha256 === file.sha256.toLowerCase() ? 'ok' : 'altered', bytes, actualSha256 };
}

function evidenceProblem(file: EvidenceFile, check: EvidenceCheck): ChainProblem {
  return check.status === 'missing'
    ? { kind: 'evidence-missing', detail: `Evidence file ${short(file.sha256)} is no longer in storage.` }
    : {
        kind: 'evidence-altered',
        detail: `Evidence file ${short(file.sha256)} was altered: its stored bytes now hash to ${short(check.status === 'altered' ? check.actualSha256 : '')}.`,
      };
}

function withProblems(report: ChainReport, extra: readonly ChainProblem[]): ChainReport {
  const problems = [...report.problems, ...extra];
  const sequences = problems.map((p) => p.sequence).filter((s): s is number => s !== undefined);
  const brokenAt = sequences.length > 0 ? Math.min(...sequences) : undefined;
  // The first broken entry's problem leads; the rest keep the order they were found in.
  const lead = problems.findIndex((p) => p.sequence === brokenAt);
  const ordered = lead > 0 ? [problems[lead]!, ...problems.filter((_, i) => i !== lead)] : problems;
  return {
    practiceId: report.practiceId,
    reference: report.reference,
    ok: problems.length === 0,
    entries: report.entries,
    ...(brokenAt === undefined ? {} : { brokenAt }),
    problems: ordered,
    ...(report.deleted && problems.length === 0 ? { deleted: report.deleted } : {}),
  };
}

/** One line per incident, e.g. "BROKEN practice-a PW-2026-0042 at entry 3: Entry 3 was changed ...". */
export function describeChainReport(report: ChainReport): string {
  const where = `${report.practiceId} ${report.reference}`;
  if (report.ok && report.deleted) {
    return `deleted ${where} on ${idText(report.deleted.at.slice(0, 10))}: the incident was deleted by Postwatch under the records policy (tombstone entry ${report.deleted.sequence} verifies)`;
  }
  if (report.ok) return `ok     ${where} (${report.entries} ${report.entries === 1 ? 'entry' : 'entries'})`;
  const at = report.brokenAt === undefined ? '' : ` at entry ${report.brokenAt}`;
  const more = report.problems.length > 1 ? ` (+${report.problems.length - 1} more: ${report.problems.slice(1).map((p) => p.kind).join(', ')})` : '';
  return `BROKEN ${where}${at}: ${report.problems[0]?.detail ?? 'unknown problem'}${more}`;
}

export interface VerifySummary {
  incidents: number;
  ok: number;
  broken: number;
  /** Of the ok ones, incidents deleted by Postwatch whose tombstone verifies. */
  deleted: number;
  /** The broken ones, as practiceId + reference. */
  brokenIncidents: Array<{ practiceId: string; reference: string; brokenAt?: number }>;
}

export function summariseChainReports(reports: readonly ChainReport[]): VerifySummary {
  const broken = reports.filter((r) => !r.ok);
  return {
    incidents: reports.length,
    ok: reports.length - broken.length,
    broken: broken.length,
    deleted: reports.filter((r) => r.ok && r.deleted).length,
    brokenIncidents: broken.map((r) => ({ practiceId: r.practiceId, reference: r.reference, ...(r.brokenAt === undefined ? {} : { brokenAt: r.brokenAt }) })),
  };
}

/** Stored text in a problem's detail: an id's characters only, kept short. */
function idText(text: string): string {
  return text.replace(/[^A-Za-z0-9-]/g, '').slice(0, 40);
}

/** The first 12 characters of a stored hash (which may have been tampered with: letters and digits only). */
function short(hash: string): string {
  const shown = hash.replace(/[^0-9A-Za-z]/g, '').slice(0, 12);
  return shown ? `${shown}…` : '(none)';
}
