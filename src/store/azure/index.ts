import type { Stores } from '../ports.ts';
import { deadline, evidenceContainer, storageNames, tableClient } from './clients.ts';
import { AzureDraftStore } from './draftStore.ts';
import { statusOf, toStoreError } from './errors.ts';
import { AzureEvidenceStore } from './evidenceStore.ts';
import { AzureStorageHealth } from './health.ts';
import { AzureIncidentStore } from './incidentStore.ts';
import { AzureMembershipStore } from './membershipStore.ts';
import { AzureLeaseStore } from './leaseStore.ts';
import { AzureOutboxStore } from './outboxStore.ts';
import { AzurePracticeStore } from './practiceStore.ts';
import { AzureSealStore } from './sealStore.ts';

export { firstBrokenLink, GENESIS_HASH } from './auditChain.ts';
export { EvidenceNotFoundError } from './evidenceStore.ts';

export interface AzureStoresOptions {
  /** Letters and digits, starting with a letter: tables become `${prefix}incidents` and so on. */
  tablePrefix?: string;
  /** The clock (tests pass a fixed one). */
  now?: () => Date;
}

/**
 * The Azure Tables + Blob implementation of the store ports. Creates the tables and the evidence
 * container when missing; fails with StorageUnavailableError when storage cannot be reached.
 */
export async function createAzureStores(connectionString: string, options: AzureStoresOptions = {}): Promise<Stores> {
  const names = storageNames(options.tablePrefix);
  const now = options.now ?? (() => new Date());
  const incidents = tableClient(connectionString, names.incidents);
  const drafts = tableClient(connectionString, names.drafts);
  const members = tableClient(connectionString, names.members);
  const practices = tableClient(connectionString, names.practices);
  const outbox = tableClient(connectionString, names.outbox);
  // The outbox pass retries a failed delivery on its next pass: its own storage calls are tried once.
  const delivery = tableClient(connectionString, names.outbox, { retries: 'owner' });
  const leases = tableClient(connectionString, names.leases);
  const container = evidenceContainer(connectionString, names.evidenceContainer);
  const seals = evidenceContainer(connectionString, names.sealContainer);

  await Promise.all([
    ...[incidents, drafts, members, practices, outbox, leases].map((table) => ensure(() => table.createTable({ abortSignal: deadline() }))),
    ensure(() => container.createIfNotExists({ abortSignal: deadline() })),
    ensure(() => seals.createIfNotExists({ abortSignal: deadline() })),
  ]);

  return {
    drafts: new AzureDraftStore(drafts, now),
    incidents: new AzureIncidentStore(incidents, now),
    evidence: new AzureEvidenceStore(container),
    memberships: new AzureMembershipStore(members),
    practices: new AzurePracticeStore(practices, now),
    outbox: new AzureOutboxStore(outbox, delivery),
    leases: new AzureLeaseStore(leases),
    seals: new AzureSealStore(seals),
    health: new AzureStorageHealth(incidents, container),
  };
}

/** Creates a table or container; "already exists" (409) is fine. */
async function ensure(create: () => Promise<unknown>): Promise<void> {
  try {
    await create();
  } catch (error) {
    if (statusOf(error) !== 409) throw toStoreError(error, 'Prepare storage');
  }
}
