import type { TableClient } from '@azure/data-tables';
import { ConflictError } from '../ports.ts';
import { deadline } from './clients.ts';
import { key } from './entities.ts';
import { isConflict, isNotFound, toStoreError } from './errors.ts';
import { refusalRowKey } from './incidentEntity.ts';

/**
 * A refused press counted in its row beside the incident (src/app/refusals.ts: one audit entry per
 * person, incident and hour, the rest counted here). Deleted with the incident (incidentErasure.ts).
 * Returns the count including this press.
 */
export async function countRefusal(table: TableClient, practiceId: string, reference: string, aadObjectId: string, windowStart: Date, at: Date): Promise<number> {
  const row = { partitionKey: key(practiceId), rowKey: refusalRowKey(reference, aadObjectId, windowStart) };
  for (let attempt = 0; attempt < 5; attempt++) {
    let current: (Record<string, unknown> & { etag?: string }) | undefined;
    try {
      current = await table.getEntity(row.partitionKey, row.rowKey, { abortSignal: deadline() });
    } catch (error) {
      if (!isNotFound(error)) throw toStoreError(error, 'Read refusal count');
    }
    const count = (typeof current?.count === 'number' ? current.count : 0) + 1;
    const entity = { ...row, kind: 'refusal', reference, aadObjectId, windowStart: windowStart.toISOString(), count, lastAt: at.toISOString() };
    try {
      if (current) await table.updateEntity(entity, 'Replace', { etag: current.etag, abortSignal: deadline() });
      else await table.createEntity(entity, { abortSignal: deadline() });
      return count;
    } catch (error) {
      // Another press (here or on another instance) counted first: count again on top of it.
      if (!isConflict(error)) throw toStoreError(error, 'Count refusal');
    }
  }
  throw new ConflictError('Count refusal: too many concurrent presses.');
}