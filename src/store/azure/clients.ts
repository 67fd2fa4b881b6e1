import { Agent as HttpAgent } from 'node:http';
import { Agent as HttpsAgent } from 'node:https';
import { TableClient, TableServiceClient, type TableServiceClientOptions } from '@azure/data-tables';
import { BlobServiceClient, type ContainerClient, type StoragePipelineOptions } from '@azure/storage-blob';

/**
 * Client setup for Azure Tables and Blob Storage. Retries are kept short on purpose: the bot must
 * answer a Teams invoke within a few seconds, so a storage outage has to surface as an error in
 * about three seconds, not after the SDK's default thirty.
 */

/** Upper bound for one store operation, retries included. */
export const OPERATION_TIMEOUT_MS = 3_000;

const TABLE_RETRIES: NonNullable<TableServiceClientOptions['retryOptions']> = {
  maxRetries: 2,
  retryDelayInMs: 100,
  maxRetryDelayInMs: 500,
};

/**
 * For work that is retried anyway by its owner (the outbox's next pass, the routing sweep): one
 * try, so a failing storage call does not hold a delivery pass for seconds.
 */
const NO_RETRIES: NonNullable<TableServiceClientOptions['retryOptions']> = { maxRetries: 0 };

/**
 * One keep-alive connection pool for every table client of the process (the SDK's default is a
 * pool per client), bounded so a burst cannot open thousands of sockets to the storage account.
 */
const KEEP_ALIVE = { keepAlive: true, keepAliveMsecs: 10_000, maxSockets: 64, maxFreeSockets: 16, scheduling: 'lifo' } as const;
const agents = { http: new HttpAgent(KEEP_ALIVE), https: new HttpsAgent(KEEP_ALIVE) };

/**
 * Pipeline policies that cost CPU on every request and give this workload nothing: tracing spans
 * (nothing collects them) and the SDK's request logging (Postwatch logs its own events).
 */
const UNUSED_POLICIES = ['tracingPolicy', 'logPolicy'];

const BLOB_RETRIES: NonNullable<StoragePipelineOptions['retryOptions']> = {
  maxTries: 3,
  retryDelayInMs: 100,
  maxRetryDelayInMs: 500,
  // Evidence can be a few megabytes: one try may take longer than a table write.
  tryTimeoutInMs: 15_000,
};

/** An abort signal bounding one operation (all its retries). */
export function deadline(ms: number = OPERATION_TIMEOUT_MS): AbortSignal {
  return AbortSignal.timeout(ms);
}

export interface StorageNames {
  incidents: string;
  drafts: string;
  members: string;
  practices: string;
  outbox: string;
  leases: string;
  evidenceContainer: string;
  /** The daily audit seals (src/app/auditSeal.ts). */
  sealContainer: string;
}

/**
 * Table names: letters and digits, starting with a letter, 3-63 characters. Container names:
 * lowercase letters, digits and single hyphens, 3-63 characters, starting and ending alphanumeric.
 */
export function storageNames(tablePrefix = ''): StorageNames {
  if (!/^([A-Za-z][A-Za-z0-9]{0,40})?$/.test(tablePrefix)) {
    throw new Error('The table prefix must be letters and digits, start with a letter, and be at most 41 characters.');
  }
  return {
    incidents: `${tablePrefix}incidents`,
    drafts: `${tablePrefix}drafts`,
    members: `${tablePrefix}members`,
    practices: `${tablePrefix}practices`,
    outbox: `${tablePrefix}outbox`,
    leases: `${tablePrefix}leases`,
    evidenceContainer: containerName(tablePrefix),
    sealContainer: containerName(tablePrefix, 'seals'),
  };
}

function containerName(prefix: string, what = 'evidence'): string {
  const cleaned = prefix.toLowerCase().replace(/[^a-z0-9]/g, '');
  return cleaned ? `${cleaned}-${what}` : what;
}

/** Key/value pairs of an Azure Storage connection string (values may contain '='). */
export function parseConnectionString(connectionString: string): Map<string, string> {
  const pairs = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at <= 0) continue;
    pairs.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  return pairs;
}

/** True for the emulator on this machine: plain http is acceptable only on loopback. */
export function isLoopbackHttp(endpoint: string | undefined): boolean {
  if (!endpoint) return false;
  let url: URL;
  try {
    url = new URL(endpoint);
  } catch {
    return false;
  }
  const host = url.hostname.replace(/^\[|\]$/g, '');
  return url.protocol === 'http:' && (host === '127.0.0.1' || host === 'localhost' || host === '::1');
}

function tableEndpoint(connectionString: string): string | undefined {
  const pairs = parseConnectionString(connectionString);
  if (pairs.get('usedevelopmentstorage')?.toLowerCase() === 'true') return 'http://127.0.0.1:10002/devstoreaccount1';
  return pairs.get('tableendpoint');
}

export interface TableClientChoices {
  /** 'owner': the caller retries on its own schedule (the outbox), so the SDK does not. */
  retries?: 'sdk' | 'owner';
}

function tableOptions(connectionString: string, choices: TableClientChoices = {}): TableServiceClientOptions {
  const insecure = isLoopbackHttp(tableEndpoint(connectionString));
  return {
    retryOptions: choices.retries === 'owner' ? NO_RETRIES : TABLE_RETRIES,
    agent: insecure ? agents.http : agents.https,
    ...(insecure ? { allowInsecureConnection: true } : {}),
  };
}

function lean<T extends { pipeline: { removePolicy(options: { name: string }): unknown } }>(client: T): T {
  for (const name of UNUSED_POLICIES) client.pipeline.removePolicy({ name });
  return client;
}

export function tableClient(connectionString: string, tableName: string, choices: TableClientChoices = {}): TableClient {
  return lean(TableClient.fromConnectionString(connectionString, tableName, tableOptions(connectionString, choices)));
}

export function tableServiceClient(connectionString: string): TableServiceClient {
  return lean(TableServiceClient.fromConnectionString(connectionString, tableOptions(connectionString)));
}

export function evidenceContainer(connectionString: string, containerName: string): ContainerClient {
  return BlobServiceClient.fromConnectionString(connectionString, { retryOptions: BLOB_RETRIES }).getContainerClient(
    containerName,
  );
}
