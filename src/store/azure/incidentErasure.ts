import { odata, type TableClient, type TransactionAction } from '@azure/data-tables';
import type { Incident } from '../../domain/incident.ts';
import { TOMBSTONE_ACTION } from '../../domain/retention.ts';
import { ConflictError, type AuditChange, type AuditEntry, type PendingErasure } from '../ports.ts';
import { auditRowKey, auditRowRange, chainEntry, toAuditEntity } from './auditChain.ts';
import { deadline } from './clients.ts';
import { key, stringProp, unkey } from './entities.ts';
import { isNotFound, mapped } from './errors.ts';
import { indexRows } from './incidentCounts.ts';
import { auditHeadOf, draftMarkerRowKey, incidentRowKey, openRowKey, refusalRowRange } from './incidentEntity.ts';

/**
 * Deleting an incident (retention, or the DPO's early erasure) in two steps that survive a crash:
 *
 * 1. One transaction: the incident row is deleted and a tombstone is appended to its audit chain
 *    as the next entry, linked to the last one; a hold or a reopening made since the incident was
 *    read wins and nothing is deleted. The tombstone row carries `erasure: 'pending'`.
 *    Its index rows (`author|…` and `post|…`, incidentCounts.ts), which name the post's author or
 *    point at their post, are deleted in that same transaction, so none outlives the incident.
 * 2. The rest (older audit entries, the register row, the draft marker, the refusal rows, which
 *    name who was refused; screenshots and outbox rows by the caller) is removed, then the
 *    tombstone is marked done. A crash in between leaves a pending tombstone that the next run
 *    finishes.
 *
 * The month's count row is left as it is: it holds numbers only (no reference, no name), and the
 * summary's trend counts incidents reported, not incidents still kept. Only closed incidents are
 * deleted, so its "open" figure (total less closed) stays right.
 *
 * The tombstone itself holds no personal data: reference, dates, what was deleted, by which job.
 */
export async function eraseIncident(table: TableClient, incident: Incident, change: AuditChange, at: string): Promise<AuditEntry> {
  if (!incident.etag) throw new ConflictError('Erase incident: no ETag; read the incident first.');
  const partitionKey = key(incident.practiceId);
  const current = await mapped('Read incident', async () => {
    try {
      return await table.getEntity(partitionKey, incidentRowKey(incident.reference), { abortSignal: deadline() });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  });
  if (!current) throw new ConflictError('Erase incident: the incident is not there.');
  // What was judged due (not held, not reopened) must be what is stored now...
  if (current.etag !== incident.etag) throw new ConflictError('Erase incident: the incident changed since it was read.');
  const head = auditHeadOf(current);
  const tombstone = chainEntry({
    practiceId: incident.practiceId,
    reference: incident.reference,
    sequence: head.auditSequence + 1,
    at,
    change,
    previousHash: head.auditHash,
  });
  // Written with the incident (its identity is the one just checked by ETag); an incident stored
  // before index rows existed, or with no known author or link, has none. Only an erasure deletes one.
  const index: string[] = [];
  for (const row of indexRows(incident)) if (await rowExists(table, partitionKey, row.rowKey)) index.push(row.rowKey);
  await mapped('Erase incident', () =>
    transactionOrConflict(table, [
      // ...and stays so: every change to an incident creates audit entry head+1 in its own
      // transaction, so a hold or reopening racing this one makes one of the two creates fail
      // (409) and that whole transaction with it. (A transaction's delete takes no ETag.)
      ['delete', { partitionKey, rowKey: incidentRowKey(incident.reference) }],
      ['create', { ...toAuditEntity(tombstone), erasure: 'pending', draftId: incident.draftId }],
      ...index.map((rowKey): TransactionAction => ['delete', { partitionKey, rowKey }]),
    ]),
  );
  return tombstone;
}

/** The incident row already gone (404) means another erasure won: a conflict, like a 409. */
async function transactionOrConflict(table: TableClient, actions: Parameters<TableClient['submitTransaction']>[0]): Promise<void> {
  try {
    await table.submitTransaction(actions, { abortSignal: deadline() });
  } catch (error) {
    if (isNotFound(error)) throw new ConflictError('Erase incident: it was deleted by another run.', { cause: error });
    throw error;
  }
}

/** Tombstones whose second step has not finished (a crash, an outage), across practices. */
export async function pendingErasures(table: TableClient): Promise<PendingErasure[]> {
  const filter = odata`action eq ${TOMBSTONE_ACTION} and erasure eq 'pending'`;
  return mapped('List pending erasures', async () => {
    const found: PendingErasure[] = [];
    for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: deadline(30_000) })) {
      found.push({ practiceId: unkey(e.partitionKey ?? ''), reference: stringProp(e, 'reference'), draftId: stringProp(e, 'draftId') });
    }
    return found;
  });
}

/** Step 2 for the table: returns how many earlier audit entries were removed. Safe to repeat. */
export async function finishErasure(table: TableClient, practiceId: string, reference: string): Promise<number> {
  const partitionKey = key(practiceId);
  const range = auditRowRange(reference);
  const filter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${range.from} and RowKey lt ${range.to}`;
  return mapped('Finish erasure', async () => {
    const rows: Array<{ rowKey: string; sequence: number; action: string; draftId?: string }> = [];
    for await (const e of table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['RowKey', 'sequence', 'action', 'draftId'] }, abortSignal: deadline(30_000) })) {
      rows.push({ rowKey: e.rowKey ?? '', sequence: typeof e.sequence === 'number' ? e.sequence : Number.NaN, action: typeof e.action === 'string' ? e.action : '', ...(typeof e.draftId === 'string' ? { draftId: e.draftId } : {}) });
    }
    const tombstone = rows.find((r) => r.action === TOMBSTONE_ACTION);
    if (!tombstone) return 0;
    const earlier = rows.filter((r) => r.rowKey !== tombstone.rowKey);
    // One partition: batches of up to 100 deletes.
    for (let i = 0; i < earlier.length; i += 100) {
      await table.submitTransaction(earlier.slice(i, i + 100).map((r) => ['delete', { partitionKey, rowKey: r.rowKey }]), { abortSignal: deadline(30_000) });
    }
    const refusals = refusalRowRange(reference);
    const refusalFilter = odata`PartitionKey eq ${partitionKey} and RowKey ge ${refusals.from} and RowKey lt ${refusals.to}`;
    const refused: string[] = [];
    for await (const e of table.listEntities({ queryOptions: { filter: refusalFilter, select: ['RowKey'] }, abortSignal: deadline(30_000) })) refused.push(e.rowKey ?? '');
    const companions = [openRowKey(reference), ...(tombstone.draftId ? [draftMarkerRowKey(tombstone.draftId)] : []), ...refused];
    for (const rowKey of companions) await deleteIfThere(table, partitionKey, rowKey);
    await table.updateEntity({ partitionKey, rowKey: auditRowKey(reference, tombstone.sequence), erasure: 'done' }, 'Merge', { abortSignal: deadline() });
    return earlier.length;
  });
}

async function rowExists(table: TableClient, partitionKey: string, rowKey: string): Promise<boolean> {
  return mapped('Read index row', async () => {
    try {
      await table.getEntity(partitionKey, rowKey, { abortSignal: deadline() });
      return true;
    } catch (error) {
      if (isNotFound(error)) return false;
      throw error;
    }
  });
}

async function deleteIfThere(table: TableClient, partitionKey: string, rowKey: string): Promise<void> {
  try {
    await table.deleteEntity(partitionKey, rowKey, { abortSignal: deadline() });
  } catch (error) {
    if (!isNotFound(error)) throw error;
  }
}
