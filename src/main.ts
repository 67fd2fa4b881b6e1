import { practiceReadiness, readinessLines } from './app/readiness.ts';
import { loadConfig, type Config } from './config.ts';
import { createLogger, describeError, type Logger } from './log.ts';
import { createApp } from './server.ts';
import { startAzuriteProcess } from './store/azuriteProcess.ts';
import { createAzureStores } from './store/azure/index.ts';
import type { Stores } from './store/ports.ts';

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
  if (cfg.storage.kind === 'azure') {
    connectionString = cfg.storage.connectionString;
    log.info({ storage: 'azure' }, 'Storage: Azure Storage from AZURE_STORAGE_CONNECTION_STRING');
  } else {
    const azurite = await startAzuriteProcess({ location: cfg.storage.dataDir });
    connectionString = azurite.connectionString;
    stopStorage = azurite.close;
    log.info(
      { storage: 'embedded', dataDir: cfg.storage.dataDir, table: azurite.tableEndpoint, blob: azurite.blobEndpoint },
      'Storage: embedded Azurite on loopback (AZURE_STORAGE_CONNECTION_STRING is not set); data kept in the data folder',
    );
  }
  const stores = await createAzureStores(connectionString, { tablePrefix: cfg.tablePrefix });

  if (cfg.bot.authEnabled) log.info({ appId: cfg.bot.appId, appType: cfg.bot.appType }, 'Bot Framework authentication: on');
  else log.warn('Bot Framework authentication: OFF (local mode: MicrosoftAppId is not set). Do not expose this port.');

  const app = createApp({ config: cfg, stores, log });
  // Local mode has no authentication, so it listens on loopback only.
  const host = cfg.bot.authEnabled ? cfg.listenHost : '127.0.0.1';
  const { url } = await app.listen(cfg.port, host);
  log.info({ url: `${url}/api/messages`, practices: cfg.practices.practices.map((p) => p.id) }, 'Postwatch is listening');

  app.services.startBackground();
  await printReadiness(cfg, stores, log);

  const shutdown = async (signal: string) => {
    log.info({ signal }, 'shutting down');
    await app.close();
    await stopStorage();
    process.exit(0);
  };
  process.once('SIGINT', () => void shutdown('SIGINT'));
  process.once('SIGTERM', () => void shutdown('SIGTERM'));
}

/** One readable block per practice: who decides, who can be reached, the review channel, what is missing. */
async function printReadiness(cfg: Config, stores: Stores, log: Logger): Promise<void> {
  for (const practice of cfg.practices.practices) {
    try {
      const readiness = await practiceReadiness(stores, practice);
      console.log(readinessLines(practice, readiness).join('\n'));
      if (readiness.warnings.length > 0) log.warn({ readiness }, `practice ${practice.id} is not fully set up`);
    } catch (error) {
      log.warn({ ...describeError(error), practiceId: practice.id }, 'readiness could not be read (storage)');
    }
  }
}

main().catch((error: unknown) => {
  console.error('Postwatch failed to start:', error instanceof Error ? error.message : error);
  process.exit(1);
});
