import { odata, type TableClient } from '@azure/data-tables';
import { isExpired, type ReportDraft } from '../../domain/report.ts';
import { ConflictError, type DraftStore, type Stored } from '../ports.ts';
import { deadline } from './clients.ts';
import { etagOf, getJson, key, putJson } from './entities.ts';
import { isConflict, isNotFound, mapped, statusOf } from './errors.ts';

/**
 * Unfinished reports: table `drafts`, PartitionKey = practice, RowKey = reporter's aadObjectId,
 * the draft as JSON plus an `expiresAt` DateTime column for the housekeeping sweep.
 */
export class AzureDraftStore implements DraftStore {
  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date,
  ) {}

  async get(practiceId: string, reporterAadObjectId: string): Promise<Stored<ReportDraft> | undefined> {
    const stored = await this.read(practiceId, reporterAadObjectId);
    return stored && !isExpired(stored.value, this.now()) ? stored : undefined;
  }

  async create(draft: ReportDraft): Promise<Stored<ReportDraft>> {
    return mapped('Create draft', async () => {
      try {
        const response = await this.table.createEntity(toEntity(draft), { abortSignal: deadline() });
        return { value: draft, etag: etagOf(response) };
      } catch (error) {
        if (statusOf(error) !== 409) throw error;
      }
      // An expired draft that the sweep has not removed yet does not count: replace it.
      const existing = await this.read(draft.practiceId, draft.reporter.aadObjectId);
      if (existing && isExpired(existing.value, this.now())) return this.replace(draft, existing.etag);
      throw new ConflictError('Create draft: this person already has a report in progress.');
    });
  }

  async save(draft: ReportDraft, etag: string): Promise<Stored<ReportDraft>> {
    return mapped('Save draft', async () => {
      try {
        return await this.replace(draft, etag);
      } catch (error) {
        // Gone (cancelled or submitted elsewhere) is a lost race too: re-read and decide again.
        if (isNotFound(error)) throw new ConflictError('Save draft: the draft is no longer there.', { cause: error });
        throw error;
      }
    });
  }

  async remove(practiceId: string, reporterAadObjectId: string): Promise<void> {
    await mapped('Remove draft', async () => {
      try {
        await this.table.deleteEntity(key(practiceId), key(reporterAadObjectId), { abortSignal: deadline() });
      } catch (error) {
        if (!isNotFound(error)) throw error;
      }
    });
  }

  /** A housekeeping sweep across all practices. A draft saved again meanwhile is left alone. */
  async purgeExpired(now: Date): Promise<number> {
    const filter = odata`expiresAt le ${now}`;
    return mapped('Purge expired drafts', async () => {
      const signal = deadline(60_000);
      const expired: { partitionKey: string; rowKey: string; etag: string }[] = [];
      const rows = this.table.listEntities<object>({
        queryOptions: { filter, select: ['PartitionKey', 'RowKey'] },
        abortSignal: signal,
      });
      for await (const row of rows) {
        expired.push({ partitionKey: row.partitionKey ?? '', rowKey: row.rowKey ?? '', etag: etagOf(row) });
      }
      let removed = 0;
      for (const row of expired) {
        try {
          await this.table.deleteEntity(row.partitionKey, row.rowKey, { etag: row.etag, abortSignal: signal });
          removed += 1;
        } catch (error) {
          if (!isNotFound(error) && !isConflict(error)) throw error;
        }
      }
      return removed;
    });
  }

  private async read(practiceId: string, reporterAadObjectId: string): Promise<Stored<ReportDraft> | undefined> {
    return mapped('Read draft', async () => {
      try {
        const entity = await this.table.getEntity(key(practiceId), key(reporterAadObjectId), {
          abortSignal: deadline(),
        });
        const value = getJson<ReportDraft>(entity, 'draft');
        if (value === undefined) throw new Error('Stored draft has no content.');
        return { value, etag: etagOf(entity) };
      } catch (error) {
        if (isNotFound(error)) return undefined;
        throw error;
      }
    });
  }

  private async replace(draft: ReportDraft, etag: string): Promise<Stored<ReportDraft>> {
    const response = await this.table.updateEntity(toEntity(draft), 'Replace', { etag, abortSignal: deadline() });
    return { value: draft, etag: etagOf(response) };
  }
}

function toEntity(draft: ReportDraft): Record<string, unknown> & { partitionKey: string; rowKey: string } {
  const expiresAt = new Date(draft.expiresAt);
  if (Number.isNaN(expiresAt.getTime())) throw new Error('The draft has no valid expiresAt.');
  const entity: Record<string, unknown> & { partitionKey: string; rowKey: string } = {
    partitionKey: key(draft.practiceId),
    rowKey: key(draft.reporter.aadObjectId),
    draftId: draft.id,
    expiresAt,
  };
  putJson(entity, 'draft', draft);
  return entity;
}
