import { mkdir } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { join, resolve } from 'node:path';
import type { Server } from 'node:http';

/**
 * Azurite (the Azure Storage emulator) started inside this process: Table and Blob, loopback only.
 * Used by `npm start` when no storage is configured, and by the tests. Azurite's package has no
 * type declarations and its `main` is the VS Code extension, so its server classes are loaded from
 * their CommonJS files and described by the small interfaces below. The servers started here never
 * send telemetry (only Azurite's CLI entry points do).
 */

export interface EmbeddedAzuriteOptions {
  /** Folder for persistent data (Loki databases, blob extents). Absent: everything in memory. */
  location?: string;
  host?: '127.0.0.1';
  /** 0 (the default) picks a free port. */
  tablePort?: number;
  /** 0 (the default) picks a free port. */
  blobPort?: number;
}

export interface EmbeddedAzurite {
  connectionString: string;
  tableEndpoint: string;
  blobEndpoint: string;
  /** The ports actually bound, so the same storage can be started again on them after close(). */
  tablePort: number;
  blobPort: number;
  /** Stops both servers, flushes persistent data and waits until the ports are released. Idempotent. */
  close(): Promise<void>;
}

/** The well-known development storage account (public, documented by Microsoft; not a secret). */
export const DEV_ACCOUNT_NAME = 'devstoreaccount1';
export const DEV_ACCOUNT_KEY =
  'Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw==';

const KEEP_ALIVE_SECONDS = 5;

interface AzuriteServer {
  readonly httpServer: Server;
  start(): Promise<void>;
  close(): Promise<void>;
  getHttpServerAddress(): string;
}

type Ctor<T> = new (...args: never[]) => T;

interface AzuriteModules {
  TableServer: new (config: unknown) => AzuriteServer;
  TableConfiguration: Ctor<unknown>;
  BlobServer: new (config: unknown) => AzuriteServer;
  BlobConfiguration: Ctor<unknown>;
  MemoryExtentChunkStore: new (sizeLimit: number) => unknown;
}

let modules: AzuriteModules | undefined;

function azurite(): AzuriteModules {
  if (modules) return modules;
  const require = createRequire(import.meta.url);
  const load = (path: string): { default?: unknown } & Record<string, unknown> =>
    require(`azurite/dist/src/${path}`) as { default?: unknown } & Record<string, unknown>;
  modules = {
    TableServer: load('table/TableServer.js').default as AzuriteModules['TableServer'],
    TableConfiguration: load('table/TableConfiguration.js').default as AzuriteModules['TableConfiguration'],
    BlobServer: load('blob/BlobServer.js').default as AzuriteModules['BlobServer'],
    BlobConfiguration: load('blob/BlobConfiguration.js').default as AzuriteModules['BlobConfiguration'],
    MemoryExtentChunkStore: load('common/persistence/MemoryExtentStore.js')
      .MemoryExtentChunkStore as AzuriteModules['MemoryExtentChunkStore'],
  };
  return modules;
}

let memoryInstance = 0;

export async function startEmbeddedAzurite(opts: EmbeddedAzuriteOptions = {}): Promise<EmbeddedAzurite> {
  const host = opts.host ?? '127.0.0.1';
  if (host !== '127.0.0.1') throw new Error('Embedded Azurite only listens on 127.0.0.1.');
  const m = azurite();
  const location = opts.location === undefined ? undefined : resolve(opts.location);
  const inMemory = location === undefined;
  // In memory, Loki uses the path only as a name; keep it unique per instance anyway.
  const base = location ?? `azurite-memory-${process.pid}-${++memoryInstance}`;
  if (location) await mkdir(join(location, '__blobstorage__'), { recursive: true });

  // Positional constructors (azurite/dist/src/table/TableConfiguration.js, blob/BlobConfiguration.js):
  // host, port, keepAlive, metadataDBPath, [blob: extentDBPath, persistencePathArray,]
  // access log..., debug log..., loose, skipApiVersionCheck, cert, key, pwd, oauth,
  // disableProductStyleUrl, isMemoryPersistence[, blob: memoryStore].
  const tableConfig = new (m.TableConfiguration as unknown as new (...a: unknown[]) => unknown)(
    host,
    opts.tablePort ?? 0,
    KEEP_ALIVE_SECONDS,
    join(base, '__azurite_db_table__.json'),
    false, // enableDebugLog
    false, // enableAccessLog
    undefined, // accessLogWriteStream
    undefined, // debugLogFilePath
    true, // loose
    true, // skipApiVersionCheck
    '',
    '',
    '',
    undefined, // oauth
    false, // disableProductStyleUrl
    inMemory,
  );
  const blobConfig = new (m.BlobConfiguration as unknown as new (...a: unknown[]) => unknown)(
    host,
    opts.blobPort ?? 0,
    KEEP_ALIVE_SECONDS,
    join(base, '__azurite_db_blob__.json'),
    join(base, '__azurite_db_blob_extent__.json'),
    [{ locationId: 'Default', locationPath: join(base, '__blobstorage__'), maxConcurrency: 10 }],
    false, // enableAccessLog
    undefined, // accessLogWriteStream
    false, // enableDebugLog
    undefined, // debugLogFilePath
    true, // loose
    true, // skipApiVersionCheck
    '',
    '',
    '',
    undefined, // oauth
    false, // disableProductStyleUrl
    inMemory,
    // Each in-memory instance keeps its own blob bytes (Azurite's default store is process-wide).
    inMemory ? new m.MemoryExtentChunkStore(256 * 1024 * 1024) : undefined,
  );

  const table = new m.TableServer(tableConfig);
  const blob = new m.BlobServer(blobConfig);
  await table.start();
  try {
    await blob.start();
  } catch (error) {
    await stop(table);
    throw error;
  }

  const tablePort = portOf(table);
  const blobPort = portOf(blob);
  const tableEndpoint = `http://${host}:${tablePort}/${DEV_ACCOUNT_NAME}`;
  const blobEndpoint = `http://${host}:${blobPort}/${DEV_ACCOUNT_NAME}`;
  let closing: Promise<void> | undefined;
  return {
    connectionString: devConnectionString({ tableEndpoint, blobEndpoint }),
    tableEndpoint,
    blobEndpoint,
    tablePort,
    blobPort,
    close: () => (closing ??= Promise.all([stop(table), stop(blob)]).then(() => undefined)),
  };
}

export function devConnectionString(endpoints: { tableEndpoint?: string; blobEndpoint?: string }): string {
  return [
    'DefaultEndpointsProtocol=http',
    `AccountName=${DEV_ACCOUNT_NAME}`,
    `AccountKey=${DEV_ACCOUNT_KEY}`,
    ...(endpoints.tableEndpoint ? [`TableEndpoint=${endpoints.tableEndpoint}`] : []),
    ...(endpoints.blobEndpoint ? [`BlobEndpoint=${endpoints.blobEndpoint}`] : []),
  ].join(';') + ';';
}

function portOf(server: AzuriteServer): number {
  const address = server.httpServer.address();
  if (address === null || typeof address === 'string') throw new Error('Azurite did not bind a TCP port.');
  return address.port;
}

/** Azurite's close() stops accepting and flushes its databases, but does not wait for the port to be freed. */
async function stop(server: AzuriteServer): Promise<void> {
  const released = new Promise<void>((done) => {
    if (!server.httpServer.listening) done();
    else server.httpServer.once('close', () => done());
  });
  await server.close();
  await released;
}
