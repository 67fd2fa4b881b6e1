import { odata, type TableClient } from '@azure/data-tables';
import type { LeaseStore } from '../ports.ts';
import { deadline } from './clients.ts';
import { key } from './entities.ts';
import { isConflict, isNotFound, mapped } from './errors.ts';

/**
 * Table `leases`: PartitionKey 'lease', RowKey = job name; holder and expiry, ETag-checked.
 * PartitionKey 'once', RowKey = a single-use name (an evidence link id): inserted once, never
 * updated, purged after its `until`.
 */
const ONCE = 'once';

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

  async useOnce(name: string, until: Date): Promise<boolean> {
    try {
      await this.table.createEntity({ partitionKey: ONCE, rowKey: key(name), until: until.toISOString() }, { abortSignal: deadline() });
      return true;
    } catch (error) {
      // 409: another download (on this or another instance) used it first.
      if (isConflict(error)) return false;
      return mapped('Use once', () => Promise.reject(error));
    }
  }

  async purgeUsed(now: Date): Promise<number> {
    const filter = odata`PartitionKey eq ${ONCE} and until le ${now.toISOString()}`;
    return mapped('Purge used marks', async () => {
      const signal = deadline(60_000);
      const rows: string[] = [];
      for await (const row of this.table.listEntities<object>({ queryOptions: { filter, select: ['RowKey'] }, abortSignal: signal })) rows.push(row.rowKey ?? '');
      let removed = 0;
      for (const rowKey of rows) {
        try {
          await this.table.deleteEntity(ONCE, rowKey, { abortSignal: signal });
          removed += 1;
        } catch (error) {
          if (!isNotFound(error)) throw error;
        }
      }
      return removed;
    });
  }
}
