import { odata, type TableClient } from '@azure/data-tables';
import type { AuditEntry, AuditRecord, AuditScope } from '../ports.ts';
import { auditRowRange, fromAuditEntity } from './auditChain.ts';
import { deadline } from './clients.ts';
import { getText, key, unkey } from './entities.ts';
import { mapped, toStoreError } from './errors.ts';
import { fromIncidentEntity, INCIDENT_ROWS, incidentRowKey } from './incidentEntity.ts';

/**
 * Reading audit trails: one incident's entries in order (cards, evidence packs), and the scans the
 * audit verifier, the seal and subject access make over incident rows and their entries. Only the
 * `audit|` and `incident|` rows are read: count, author, refusal and other companion rows of the
 * partition are not part of any trail.
 */

/**
 * A scan for the audit verifier may cover every practice, and the time the caller spends between
 * records (re-hashing evidence) counts too: it gets up to an hour, not seconds.
 */
const AUDIT_SCAN_TIMEOUT_MS = 60 * 60_000;

export async function auditTrail(table: TableClient, practiceId: string, reference: string): Promise<AuditEntry[]> {
  const range = auditRowRange(reference);
  const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${range.from} and RowKey lt ${range.to}`;
  const entries = await mapped('Read audit trail', async () => {
    const found: AuditEntry[] = [];
    for await (const entity of table.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) {
      found.push(fromAuditEntity(practiceId, entity));
    }
    return found;
  });
  return entries.sort((a, b) => a.sequence - b.sequence);
}

export async function* auditRecords(table: TableClient, scope: AuditScope): AsyncIterable<AuditRecord> {
  const audit = { from: 'audit|', to: 'audit}' };
  const rows =
    scope.practiceId === undefined
      ? odata`(RowKey ge ${audit.from} and RowKey lt ${audit.to}) or (RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to})`
      : scope.reference === undefined
        ? odata`PartitionKey eq ${key(scope.practiceId)} and ((RowKey ge ${audit.from} and RowKey lt ${audit.to}) or (RowKey ge ${INCIDENT_ROWS.from} and RowKey lt ${INCIDENT_ROWS.to}))`
        : odata`PartitionKey eq ${key(scope.practiceId)} and ((RowKey ge ${auditRowRange(scope.reference).from} and RowKey lt ${auditRowRange(scope.reference).to}) or RowKey eq ${incidentRowKey(scope.reference)})`;
  // Rows come ordered by PartitionKey then RowKey: one practice is held in memory at a time.
  let partition: string | undefined;
  let records = new Map<string, AuditRecord>();
  const flush = () => [...records.values()].sort((a, b) => (a.reference < b.reference ? -1 : a.reference > b.reference ? 1 : 0));
  const entities = table.listEntities({ queryOptions: { filter: rows }, abortSignal: deadline(AUDIT_SCAN_TIMEOUT_MS) });
  try {
    for await (const entity of entities) {
      const partitionKey = entity.partitionKey ?? '';
      if (partition !== undefined && partitionKey !== partition) {
        yield* flush();
        records = new Map();
      }
      partition = partitionKey;
      const practiceId = unkey(partitionKey);
      const row = entity.rowKey ?? '';
      const isAudit = row.startsWith(audit.from);
      const reference = isAudit ? row.slice(audit.from.length, row.lastIndexOf('|')) : row.slice(INCIDENT_ROWS.from.length);
      const record = records.get(reference) ?? { practiceId, reference, trail: [] };
      records.set(reference, record);
      if (isAudit) record.trail.push(auditRowOf(practiceId, entity));
      else readIncidentRow(record, entity);
    }
  } catch (error) {
    throw toStoreError(error, 'Read audit records');
  }
  yield* flush();
}

/** An audit row read as far as it goes: the verifier, not the reader, decides what is wrong with it. */
function auditRowOf(practiceId: string, entity: Record<string, unknown>): AuditEntry {
  const text = (name: string) => (typeof entity[name] === 'string' ? (entity[name] as string) : '');
  return {
    practiceId,
    reference: text('reference'),
    sequence: typeof entity.sequence === 'number' ? entity.sequence : Number.NaN,
    at: text('at'),
    actor: { aadObjectId: text('actorAadObjectId'), name: text('actorName') },
    action: text('action'),
    summary: getText(entity, 'summary') ?? '',
    previousHash: text('previousHash'),
    hash: text('hash'),
  };
}

function readIncidentRow(record: AuditRecord, entity: Record<string, unknown> & { etag?: string }): void {
  const sequence = entity.auditSequence;
  const hash = entity.auditHash;
  record.head = { sequence: typeof sequence === 'number' ? sequence : Number.NaN, hash: typeof hash === 'string' ? hash : '' };
  try {
    record.incident = fromIncidentEntity(record.practiceId, entity, entity.etag ?? '');
  } catch (error) {
    record.incidentProblem = error instanceof Error ? error.message : 'The incident row cannot be read.';
  }
}
