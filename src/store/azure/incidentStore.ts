import type { TableClient, TransactionAction } from '@azure/data-tables';
import type { Incident, NewIncident } from '../../domain/incident.ts';
import type { ReportFacts } from '../../domain/report.ts';
import { formatReference } from '../../domain/reference.ts';
import {
  BusyError,
  ConflictError,
  StorageUnavailableError,
  type AuditActor,
  type AuditChange,
  type AuditEntry,
  type AuditRecord,
  type AuditScope,
  type IncidentStore,
  type SubmitOutcome,
  type OpenIncident,
  type SummaryRow,
  type PendingErasure,
} from '../ports.ts';
import { eraseIncident, finishErasure, pendingErasures } from './incidentErasure.ts';
import { chainEntry, factsHash, GENESIS_HASH, toAuditEntity } from './auditChain.ts';
import { auditRecords, auditTrail } from './auditTrails.ts';
import { countRefusal } from './refusalRows.ts';
import { deadline } from './clients.ts';
import { etagOf, key, stringProp } from './entities.ts';
import { isConflict, isNotFound, mapped, toStoreError } from './errors.ts';
import { AuditHeads, versionOf } from './auditHeads.ts';
import { countKeysOfIncident, IncidentCounts, indexRows } from './incidentCounts.ts';
import * as lists from './incidentLists.ts';
import { ReferenceNumbers } from './referenceNumbers.ts';
import {
  auditHeadOf,
  draftMarkerRowKey,
  fromIncidentEntity,
  incidentRowKey,
  openRowKey,
  toOpenEntity,
  referenceYear,
  toIncidentEntity,
  type Entity,
} from './incidentEntity.ts';

export class AzureIncidentStore implements IncidentStore {
  /** Reference numbers for this process's submits (referenceNumbers.ts: no hot row). */
  private readonly numbers: ReferenceNumbers;
  /** Monthly count rows and author index rows (incidentCounts.ts). */
  private readonly counts: IncidentCounts;
  /** Audit chain heads by incident ETag, so an update need not read the incident again. */
  private readonly heads = new AuditHeads();
  /** Submits of the same draft in flight in this process share one outcome (a double-click). */
  private readonly inFlight = new Map<string, Promise<SubmitOutcome>>();

  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date,
    numbers?: ReferenceNumbers,
  ) {
    this.numbers = numbers ?? new ReferenceNumbers(table);
    this.counts = new IncidentCounts(table);
  }

  submit(incident: NewIncident, actor: AuditActor): Promise<SubmitOutcome> {
    const id = `${incident.practiceId}\n${incident.draftId}`;
    const running = this.inFlight.get(id);
    if (running) return running.then((outcome) => ({ ...outcome, created: false }));
    const submitting = this.submitOnce(incident, actor).finally(() => this.inFlight.delete(id));
    this.inFlight.set(id, submitting);
    return submitting;
  }

  /**
   * Takes a number, then stores incident, draft marker, first audit entry and register row in one
   * transaction. A 409 means the draft was stored already (its marker exists: that incident is the
   * answer) or the number was (then it is dropped and another taken).
   */
  private async submitOnce(incident: NewIncident, actor: AuditActor): Promise<SubmitOutcome> {
    const year = referenceYear(incident.reportedAt);
    for (let attempt = 1; ; attempt++) {
      const n = await this.numbers.take(incident.practiceId, year);
      try {
        return { incident: await this.store(incident, actor, formatReference(year, n)), created: true };
      } catch (error) {
        if (!isConflict(error)) {
          // Not stored (or not known to be): the number goes to the next submit; if this write did
          // land after all, that submit's create fails with 409 and takes another number.
          this.numbers.giveBack(incident.practiceId, year, n);
          throw toStoreError(error, 'Submit report');
        }
        const existing = await this.findByDraft(incident.practiceId, incident.draftId);
        if (existing) {
          this.numbers.giveBack(incident.practiceId, year, n);
          return { incident: existing, created: false };
        }
        if (attempt >= 5) throw new BusyError('Submit report: the reference numbers kept being taken.', { cause: error });
      }
    }
  }

  private async store(incident: NewIncident, actor: AuditActor, reference: string): Promise<Incident> {
    const partitionKey = key(incident.practiceId);
    const audit = chainEntry({
      practiceId: incident.practiceId,
      reference,
      sequence: 1,
      at: this.now().toISOString(),
      change: { actor, action: 'incident.reported', summary: reportedSummary(actor.name, incident.facts) },
      previousHash: GENESIS_HASH,
    });
    const stored: Omit<Incident, 'etag'> = {
      practiceId: incident.practiceId,
      reference,
      status: incident.status,
      reportedAt: incident.reportedAt,
      reporter: incident.reporter,
      draftId: incident.draftId,
      facts: incident.facts,
    };
    const countKeys = countKeysOfIncident(stored);

    const actions: TransactionAction[] = [
      ['create', withCountKeys(toIncidentEntity(stored, { auditSequence: audit.sequence, auditHash: audit.hash }), countKeys)],
      [
        'create',
        { partitionKey, rowKey: draftMarkerRowKey(incident.draftId), kind: 'draft', draftId: incident.draftId, reference },
      ],
      ['create', toAuditEntity(audit)],
      ['create', toOpenEntity(stored)],
      ...indexRows(stored).map((row): TransactionAction => ['create', row]),
    ];
    const result = await this.counts.write(incident.practiceId, incident.reportedAt, [], countKeys, (counted) =>
      this.table.submitTransaction([...actions, ...(counted ? [counted] : [])], { abortSignal: deadline() }),
    );
    const etag = result.subResponses[0]?.etag;
    if (etag) {
      this.heads.remember(etag, versionOf(stored, { auditSequence: audit.sequence, auditHash: audit.hash }, countKeys));
      return { ...stored, etag };
    }
    const reread = await this.get(incident.practiceId, reference);
    if (!reread) throw new StorageUnavailableError('Submit report: the stored incident could not be read back.');
    return reread;
  }

  async get(practiceId: string, reference: string): Promise<Incident | undefined> {
    const entity = await this.readIncidentEntity(practiceId, reference);
    if (!entity) return undefined;
    const etag = etagOf(entity);
    const incident = fromIncidentEntity(practiceId, entity, etag);
    this.heads.remember(etag, versionOf(incident, auditHeadOf(entity), countKeysStored(entity)));
    return incident;
  }

  private async readIncidentEntity(practiceId: string, reference: string) {
    return mapped('Read incident', async () => {
      try {
        return await this.table.getEntity(key(practiceId), incidentRowKey(reference), { abortSignal: deadline() });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  async findByDraft(practiceId: string, draftId: string): Promise<Incident | undefined> {
    const marker = await mapped('Find incident by draft', async () => {
      try {
        return await this.table.getEntity(key(practiceId), draftMarkerRowKey(draftId), { abortSignal: deadline() });
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
    return marker && this.get(practiceId, stringProp(marker, 'reference'));
  }

  listByReporter(practiceId: string, reporterAadObjectId: string, limit: number): Promise<Incident[]> {
    return lists.listByReporter(this.table, practiceId, reporterAadObjectId, limit);
  }

  /**
   * Replaces the incident if its ETag is still current and appends an audit entry, in one
   * transaction. Identity and provenance (reference, practice, draft, reporter, reportedAt) are
   * kept as stored.
   */
  async update(incident: Incident, change: AuditChange): Promise<Incident> {
    if (!incident.etag) throw new ConflictError('Update incident: no ETag; read the incident first.');
    const known = this.heads.of(incident.etag);
    const current = known ? undefined : await this.readIncidentEntity(incident.practiceId, incident.reference);
    if (!known && !current) throw new ConflictError('Update incident: the incident is not there.');
    // The audit head (and the identity fields, below) are those of the version the caller read:
    // if the incident changed since (or changes in between), the If-Match on incident.etag fails
    // the whole transaction. A head remembered for that very ETag is the same head, unread.
    const stored = known ?? versionOf(fromIncidentEntity(incident.practiceId, current!, etagOf(current!)), auditHeadOf(current!), countKeysStored(current!));
    const head = stored;
    const audit = chainEntry({
      practiceId: incident.practiceId,
      reference: incident.reference,
      sequence: head.auditSequence + 1,
      at: this.now().toISOString(),
      change,
      previousHash: head.auditHash,
    });
    const next: Omit<Incident, 'etag'> = {
      practiceId: stored.practiceId,
      reference: stored.reference,
      draftId: stored.draftId,
      reporter: stored.reporter,
      reportedAt: stored.reportedAt,
      status: incident.status,
      facts: incident.facts,
      ...(incident.handling ? { handling: incident.handling } : {}),
    };
    // The register's row follows the incident: kept while it is open, removed when it is closed.
    const register: TransactionAction[] =
      next.status !== 'closed'
        ? [['upsert', toOpenEntity(next), 'Replace']]
        : stored.status !== 'closed'
          ? [['delete', { partitionKey: key(next.practiceId), rowKey: openRowKey(next.reference) }]]
          : [];
    const countKeys = countKeysOfIncident(next);
    const result = await mapped('Update incident', () =>
      this.counts.write(next.practiceId, next.reportedAt, stored.countKeys ?? [], countKeys, (counted) =>
        this.table
          .submitTransaction(
            [
              ['update', withCountKeys(toIncidentEntity(next, { auditSequence: audit.sequence, auditHash: audit.hash }), countKeys), 'Replace', { etag: incident.etag }],
              ['create', toAuditEntity(audit)],
              ...register,
              ...(counted ? [counted] : []),
            ],
            { abortSignal: deadline() },
          )
          .catch((error: unknown) => {
            // Deleted (retention) since this version was read, with its head remembered unread.
            if (isNotFound(error)) throw new ConflictError('Update incident: the incident is not there.', { cause: error });
            throw error;
          }),
      ),
    );
    const etag = result.subResponses[0]?.etag;
    if (etag) {
      this.heads.remember(etag, versionOf(next, { auditSequence: audit.sequence, auditHash: audit.hash }, countKeys));
      return { ...next, etag };
    }
    const reread = await this.get(incident.practiceId, incident.reference);
    if (!reread) throw new StorageUnavailableError('Update incident: the incident could not be read back.');
    return reread;
  }

  /**
   * Earlier reports by the same author or of the same post (routing: repeat posters, re-reports):
   * found through the index rows written with each incident, then read one by one, so the cost
   * follows how many there are, not the practice's history.
   */
  async earlierReports(practiceId: string, match: { authorKey?: string; postKey?: string }, before: string, except?: string): Promise<Incident[]> {
    const references = (await this.counts.earlier(practiceId, match, before)).filter((reference) => reference !== except);
    const found = await Promise.all(references.map((reference) => this.get(practiceId, reference)));
    return found.filter((incident): incident is Incident => incident !== undefined);
  }

  /** The summary's counters by month, from `fromMonth` ("YYYY-MM") on: a handful of rows. */
  async summaryCounts(practiceId: string, fromMonth: string): Promise<Map<string, Map<string, number>>> {
    return this.counts.months(practiceId, fromMonth);
  }

  listUnrouted(practiceId: string, limit: number): Promise<OpenIncident[]> {
    return lists.listUnrouted(this.table, practiceId, limit);
  }

  listOpen(practiceId: string, status?: OpenIncident['status']): Promise<OpenIncident[]> {
    return lists.listOpen(this.table, practiceId, status);
  }

  listActive(practiceId: string): Promise<OpenIncident[]> {
    return lists.listActive(this.table, practiceId);
  }

  listSummaryRows(practiceId: string, since: string): Promise<SummaryRow[]> {
    return lists.listSummaryRows(this.table, practiceId, since);
  }

  listReportedBetween(practiceId: string, from: string, to: string): Promise<Incident[]> {
    return lists.listReportedBetween(this.table, practiceId, from, to);
  }

  listClosed(practiceId?: string): Promise<Incident[]> {
    return lists.listClosed(this.table, practiceId);
  }

  async erase(incident: Incident, tombstone: AuditChange): Promise<AuditEntry> {
    return eraseIncident(this.table, incident, tombstone, this.now().toISOString());
  }

  async finishErasure(practiceId: string, reference: string): Promise<number> {
    return finishErasure(this.table, practiceId, reference);
  }

  async pendingErasures(): Promise<PendingErasure[]> {
    return pendingErasures(this.table);
  }

  async appendAudit(practiceId: string, reference: string, change: AuditChange): Promise<void> {
    // Audit-only entries (a refused attempt) still move the chain head, ETag-checked like any update.
    for (let attempt = 0; attempt < 5; attempt++) {
      const current = await this.get(practiceId, reference);
      if (!current) return;
      try {
        await this.update(current, change);
        return;
      } catch (error) {
        if (!(error instanceof ConflictError)) throw error;
      }
    }
    throw new ConflictError('Append audit entry: too many concurrent changes.');
  }

  async countRefusal(practiceId: string, reference: string, aadObjectId: string, windowStart: Date, at: Date): Promise<number> {
    return countRefusal(this.table, practiceId, reference, aadObjectId, windowStart, at);
  }

  async auditTrail(practiceId: string, reference: string): Promise<AuditEntry[]> {
    return auditTrail(this.table, practiceId, reference);
  }

  auditRecords(scope: AuditScope): AsyncIterable<AuditRecord> {
    return auditRecords(this.table, scope);
  }
}

/**
 * The first entry fixes what was reported: a hash of the report's facts (so a later edit of the
 * stored post text is detectable) and every evidence file by its SHA-256, so the files are in the
 * chain: "Reported by <name>. Report SHA-256: <hex>. Evidence SHA-256: <hex>, <hex>." (the audit
 * verifier reads this back; see src/app/auditVerify.ts).
 */
export function reportedSummary(actorName: string, facts: ReportFacts): string {
  const screenshots = facts.evidence.screenshots;
  const reported = `Reported by ${actorName}. Report SHA-256: ${factsHash(facts)}.`;
  return screenshots.length === 0 ? reported : `${reported} Evidence SHA-256: ${screenshots.map((s) => s.sha256).join(', ')}.`;
}

/** The counters an incident row added to its month's count row; undefined for rows stored before counts. */
function countKeysStored(entity: Record<string, unknown>): string[] | undefined {
  if (typeof entity.countKeys !== 'string') return undefined;
  try {
    const keys: unknown = JSON.parse(entity.countKeys);
    return Array.isArray(keys) && keys.every((k) => typeof k === 'string') ? keys : undefined;
  } catch {
    return undefined;
  }
}

function withCountKeys(entity: Entity, keys: string[]): Entity {
  return { ...entity, countKeys: JSON.stringify(keys) };
}
