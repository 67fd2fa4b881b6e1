import { odata, type TableClient } from '@azure/data-tables';
import type { MembershipStore } from '../ports.ts';
import { deadline } from './clients.ts';
import { key, unkey } from './entities.ts';
import { mapped } from './errors.ts';

/** Table `members`: PartitionKey = aadObjectId, RowKey = practiceId, with lastSeenAt. */
export class AzureMembershipStore implements MembershipStore {
  constructor(private readonly table: TableClient) {}

  /** The practice this person was most recently seen in. */
  async practiceOf(aadObjectId: string): Promise<string | undefined> {
    const filter = odata`PartitionKey eq ${key(aadObjectId)}`;
    return mapped('Read membership', async () => {
      let latest: { practiceId: string; at: number } | undefined;
      for await (const row of this.table.listEntities<{ lastSeenAt?: unknown }>({
        queryOptions: { filter },
        abortSignal: deadline(),
      })) {
        const at = row.lastSeenAt instanceof Date ? row.lastSeenAt.getTime() : Number.NEGATIVE_INFINITY;
        const practiceId = unkey(row.rowKey ?? '');
        if (!practiceId) continue;
        if (!latest || at > latest.at || (at === latest.at && practiceId < latest.practiceId)) latest = { practiceId, at };
      }
      return latest?.practiceId;
    });
  }

  async remember(aadObjectId: string, practiceId: string, now: Date): Promise<void> {
    await mapped('Remember membership', () =>
      this.table.upsertEntity(
        { partitionKey: key(aadObjectId), rowKey: key(practiceId), lastSeenAt: now },
        'Replace',
        { abortSignal: deadline() },
      ),
    );
  }
}
