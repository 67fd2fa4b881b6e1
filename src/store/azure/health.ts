import { odata, type TableClient } from '@azure/data-tables';
import type { ContainerClient } from '@azure/storage-blob';
import type { StorageHealth } from '../ports.ts';
import { deadline } from './clients.ts';
import { statusOf } from './errors.ts';

const HEALTH_TIMEOUT_MS = 2_500;

/** A real round trip to each service: a one-row query on the incidents table and the evidence container's properties. */
export class AzureStorageHealth implements StorageHealth {
  constructor(
    private readonly table: TableClient,
    private readonly container: ContainerClient,
  ) {}

  async check(): Promise<{ ok: true } | { ok: false; reason: string }> {
    const [tables, blobs] = await Promise.all([
      probe('table storage', async () => {
        const pages = this.table
          .listEntities({ queryOptions: { filter: odata`PartitionKey eq ${'health-probe'}` }, abortSignal: deadline(HEALTH_TIMEOUT_MS) })
          .byPage({ maxPageSize: 1 });
        await pages.next();
      }),
      probe('blob storage', async () => {
        await this.container.getProperties({ abortSignal: deadline(HEALTH_TIMEOUT_MS) });
      }),
    ]);
    const problems = [tables, blobs].filter((p): p is string => p !== undefined);
    return problems.length === 0 ? { ok: true } : { ok: false, reason: problems.join('; ') };
  }
}

/** Undefined when the call succeeded, else a short reason without secrets. */
async function probe(service: string, call: () => Promise<void>): Promise<string | undefined> {
  try {
    await call();
    return undefined;
  } catch (error) {
    const status = statusOf(error);
    if (status !== undefined) return `${service} answered HTTP ${status}`;
    if (error instanceof Error && (error.name === 'AbortError' || error.name === 'TimeoutError')) {
      return `${service} did not answer in time`;
    }
    return `${service} unreachable`;
  }
}
