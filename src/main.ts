import { loadConfig } from './config.ts';
import { createLogger, describeError } from './log.ts';
import { createApp } from './server.ts';
import { startAzuriteProcess } from './store/azuriteProcess.ts';
import { createAzureStores } from './store/azure/index.ts';
import { practiceReadiness, startupBlock, type StorageInUse } from './startup.ts';

/** `npm start`: reads the environment, starts storage (embedded when none is configured) and serves. */
async function main(): Promise<void> {
  const config = loadConfig();
  if (!config.ok) {
    console.error(`Postwatch cannot start:\n  - ${config.error.join('\n  - ')}\nSee env.sample for every setting.`);
    process.exit(1);
  }
  const cfg = config.value;
  const log = createLogger(cfg.logLevel);

  let connectionString: string;
  let stopStorage = async () => {};
  let storage: StorageInUse;
  if (cfg.storage.kind === 'azure') {
    connectionString = cfg.storage.connectionString;
    storage = { kind: 'azure', connectionString };
  } else {
    const azurite = await startAzuriteProcess({ location: cfg.storage.dataDir });
    connectionString = azurite.connectionString;
    stopStorage = azurite.close;
    storage = { kind: 'embedded', tableEndpoint: azurite.tableEndpoint, blobEndpoint: azurite.blobEndpoint, dataDir: cfg.storage.dataDir };
  }
  const stores = await createAzureStores(connectionString, { tablePrefix: cfg.tablePrefix });

  const app = createApp({ config: cfg, stores, log });
  // Local mode has no authentication, so it listens on loopback only.
  const host = cfg.bot.authEnabled ? cfg.listenHost : '127.0.0.1';
  const { url } = await app.listen(cfg.port, host);
  log.info(
    { url: `${url}/api/messages`, mode: cfg.bot.authEnabled ? 'authenticated' : 'local', storage: storage.kind, practices: cfg.practices.practices.map((p) => p.id) },
    'Postwatch is listening',
  );
  const readiness = await Promise.all(
    cfg.practices.practices.map((p) =>
      practiceReadiness(stores, p).catch((error: unknown) => ({ practiceId: p.id, name: p.name, problem: String(describeError(error).errorName ?? 'storage error') })),
    ),
  );
  const code = import.meta.url.endsWith('.js') ? 'compiled (dist/app)' : 'TypeScript sources (tsx)';
  process.stdout.write(startupBlock({ config: cfg, storage, url, code, practices: readiness }));

  app.services.startBackground();

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await app.close();
    await stopStorage();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

main().catch((error: unknown) => {
  console.error('Postwatch failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
