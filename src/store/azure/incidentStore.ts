import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Incident, NewIncident } from '../../domain/incident.ts';
import { formatReference } from '../../domain/reference.ts';
import {
  ConflictError,
  StorageUnavailableError,
  type AuditActor,
  type AuditChange,
  type AuditEntry,
  type IncidentStore,
  type SubmitOutcome,
} from '../ports.ts';
import { auditRowRange, chainEntry, fromAuditEntity, GENESIS_HASH, toAuditEntity } from './auditChain.ts';
import { deadline } from './clients.ts';
import { etagOf, key, numberProp, stringProp, unkey } from './entities.ts';
import { isConflict, isNotFound, mapped, toStoreError } from './errors.ts';
import {
  auditHeadOf,
  counterRowKey,
  draftMarkerRowKey,
  fromIncidentEntity,
  INCIDENT_ROWS,
  incidentRowKey,
  londonYear,
  toIncidentEntity,
  type Entity,
} from './incidentEntity.ts';

/** Concurrent submits in one practice race for the counter; losers back off and try again. */
export interface SubmitRetryPolicy {
  maxAttempts: number;
  /** Give up (StorageUnavailableError: the report was not saved) rather than keep Teams waiting. */
  maxTotalMs: number;
  baseDelayMs: number;
  maxDelayMs: number;
}

export const DEFAULT_SUBMIT_RETRY: SubmitRetryPolicy = {
  maxAttempts: 40,
  maxTotalMs: 6_000,
  baseDelayMs: 10,
  maxDelayMs: 250,
};

export class AzureIncidentStore implements IncidentStore {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date,
    private readonly retry: SubmitRetryPolicy = DEFAULT_SUBMIT_RETRY,
  ) {}

  async submit(incident: NewIncident, actor: AuditActor): Promise<SubmitOutcome> {
    const already = await this.findByDraft(incident.practiceId, incident.draftId);
    if (already) return { incident: already, created: false };

    const year = londonYear(incident.reportedAt);
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        return { incident: await this.tryToStore(incident, actor, year), created: true };
      } catch (error) {
        if (!isConflict(error)) throw toStoreError(error, 'Submit report');
        // Either another submit took this sequence number, or this very draft was stored by a
        // concurrent double submit: the draft marker tells which.
        const existing = await this.findByDraft(incident.practiceId, incident.draftId);
        if (existing) return { incident: existing, created: false };
        const delay = backoff(this.retry, attempt);
        if (attempt >= this.retry.maxAttempts || Date.now() - started + delay > this.retry.maxTotalMs) {
          throw new StorageUnavailableError('Submit report: too many concurrent submits, the report was not saved.', {
            cause: error,
          });
        }
        await sleep(delay);
      }
    }
  }

  /** One attempt: read the counter, then write counter, incident, marker and first audit entry atomically. */
  private async tryToStore(incident: NewIncident, actor: AuditActor, year: number): Promise<Incident> {
    const partitionKey = key(incident.practiceId);
    const counter = await this.readCounter(partitionKey, year);
    const reference = formatReference(year, counter.next);
    const audit = chainEntry({
      practiceId: incident.practiceId,
      reference,
      sequence: 1,
      at: this.now().toISOString(),
      change: { actor, action: 'incident.reported', summary: `Reported by ${actor.name}.` },
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
    const counterEntity: Entity = { partitionKey, rowKey: counterRowKey(year), kind: 'counter', next: counter.next + 1 };
    const actions: TransactionAction[] = [
      counter.etag === undefined
        ? ['create', counterEntity]
        : ['update', counterEntity, 'Replace', { etag: counter.etag }],
      ['create', toIncidentEntity(stored, { auditSequence: audit.sequence, auditHash: audit.hash })],
      [
        'create',
        { partitionKey, rowKey: draftMarkerRowKey(incident.draftId), kind: 'draft', draftId: incident.draftId, reference },
      ],
      ['create', toAuditEntity(audit)],
    ];
    const result = await this.table.submitTransaction(actions, { abortSignal: deadline() });
    const etag = result.subResponses[1]?.etag;
    if (etag) return { ...stored, etag };
    const reread = await this.get(incident.practiceId, reference);
    if (!reread) throw new StorageUnavailableError('Submit report: the stored incident could not be read back.');
    return reread;
  }

  private async readCounter(partitionKey: string, year: number): Promise<{ next: number; etag?: string }> {
    try {
      const entity = await this.table.getEntity(partitionKey, counterRowKey(year), { abortSignal: deadline() });
      return { next: numberProp(entity, 'next'), etag: etagOf(entity) };
    } catch (error) {
      if (isNotFound(error)) return { next: 1 };
      throw error;
    }
  }

  async get(practiceId: string, reference: string): Promise<Incident | undefined> {
    const entity = await this.readIncidentEntity(practiceId, reference);
    return entity && fromIncidentEntity(practiceId, entity, etagOf(entity));
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

  async listByReporter(practiceId: string, reporterAadObjectId: string, limit: number): Promise<Incident[]> {
    if (limit <= 0) return [];
    const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to} and reporterAadObjectId eq ${reporterAadObjectId}`;
    const incidents = await mapped('List reports', async () => {
      const found: Incident[] = [];
      for await (const entity of this.table.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) {
        found.push(fromIncidentEntity(practiceId, entity, etagOf(entity)));
      }
      return found;
    });
    return incidents
      .sort((a, b) => compareDesc(a.reportedAt, b.reportedAt) || compareDesc(a.reference, b.reference))
      .slice(0, limit);
  }

  /**
   * Replaces the incident if its ETag is still current and appends an audit entry, in one
   * transaction. Identity and provenance (reference, practice, draft, reporter, reportedAt) are
   * kept as stored.
   */
  async update(incident: Incident, change: AuditChange): Promise<Incident> {
    if (!incident.etag) throw new ConflictError('Update incident: no ETag; read the incident first.');
    const current = await this.readIncidentEntity(incident.practiceId, incident.reference);
    if (!current) throw new ConflictError('Update incident: the incident is not there.');
    // The audit head read here is consistent with the write below: if the incident changed since
    // the caller read it (or changes in between), the If-Match on incident.etag fails the whole
    // transaction.
    const stored = fromIncidentEntity(incident.practiceId, current, etagOf(current));
    const head = auditHeadOf(current);
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
    const result = await mapped('Update incident', () =>
      this.table.submitTransaction(
        [
          ['update', toIncidentEntity(next, { auditSequence: audit.sequence, auditHash: audit.hash }), 'Replace', { etag: incident.etag }],
          ['create', toAuditEntity(audit)],
        ],
        { abortSignal: deadline() },
      ),
    );
    const etag = result.subResponses[0]?.etag;
    if (etag) return { ...next, etag };
    const reread = await this.get(incident.practiceId, incident.reference);
    if (!reread) throw new StorageUnavailableError('Update incident: the incident could not be read back.');
    return reread;
  }

  async countByAuthor(practiceId: string, authorKey: string, before: string): Promise<number> {
    const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to} and authorKey eq ${authorKey} and reportedAt lt ${before}`;
    return mapped('Count incidents by author', async () => {
      let count = 0;
      for await (const _ of this.table.listEntities({ queryOptions: { filter, select: ['RowKey'] }, abortSignal: deadline() })) count++;
      return count;
    });
  }

  async listUnrouted(limit: number): Promise<Incident[]> {
    // A housekeeping sweep across practices: incidents whose routing did not finish (a crash, an outage).
    const filter = odata`RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to} and routed eq false`;
    return mapped('List unrouted incidents', async () => {
      const found: Incident[] = [];
      for await (const entity of this.table.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) {
        found.push(fromIncidentEntity(unkey(entity.partitionKey ?? ''), entity, entity.etag ?? ''));
        if (found.length >= limit) break;
      }
      return found;
    });
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

  async auditTrail(practiceId: string, reference: string): Promise<AuditEntry[]> {
    const range = auditRowRange(reference);
    const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${range.from} and RowKey lt ${range.to}`;
    const entries = await mapped('Read audit trail', async () => {
      const found: AuditEntry[] = [];
      for await (const entity of this.table.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) {
        found.push(fromAuditEntity(practiceId, entity));
      }
      return found;
    });
    return entries.sort((a, b) => a.sequence - b.sequence);
  }
}

function compareDesc(a: string, b: string): number {
  return a < b ? 1 : a > b ? -1 : 0;
}

/** Exponential backoff with "equal jitter": half fixed, half random, so racers spread out. */
function backoff(policy: SubmitRetryPolicy, attempt: number): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** (attempt - 1));
  return ceiling / 2 + Math.random() * (ceiling / 2);
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
