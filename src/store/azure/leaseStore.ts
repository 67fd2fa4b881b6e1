import type { TableClient } from '@azure/data-tables';
import type { LeaseStore } from '../ports.ts';
import { deadline } from './clients.ts';
import { key } from './entities.ts';
import { isConflict, isNotFound, mapped } from './errors.ts';

/** Table `leases`: PartitionKey 'lease', RowKey = job name; holder and expiry, ETag-checked. */
export class AzureLeaseStore implements LeaseStore {
  constructor(private readonly table: TableClient) {}

  async acquire(name: string, holder: string, now: Date, until: Date): Promise<boolean> {
    const row = { partitionKey: 'lease', rowKey: key(name) };
    let current: (Record<string, unknown> & { etag?: string }) | undefined;
    try {
      current = await this.table.getEntity(row.partitionKey, row.rowKey, { abortSignal: deadline() });
    } catch (error) {
      if (!isNotFound(error)) return mapped('Read lease', () => Promise.reject(error));
    }
    try {
      if (!current) {
        await mapped('Take lease', () => this.table.createEntity({ ...row, holder, expiresAt: until.toISOString() }, { abortSignal: deadline() }));
        return true;
      }
      const expired = typeof current.expiresAt !== 'string' || Date.parse(current.expiresAt) <= now.getTime();
      if (current.holder !== holder && !expired) return false;
      await mapped('Take lease', () =>
        this.table.updateEntity({ ...row, holder, expiresAt: until.toISOString() }, 'Replace', { etag: current!.etag, abortSignal: deadline() }),
      );
      return true;
    } catch (error) {
      // Another instance took it between our read and our write.
      if ((error instanceof Error && error.name === 'ConflictError') || isConflict(error)) return false;
      throw error;
    }
  }
}
