import {
  CloudAdapter,
  ConfigurationBotFrameworkAuthentication,
  TeamsActivityHandler,
  type AdaptiveCardInvokeResponse,
  type AdaptiveCardInvokeValue,
  type TurnContext,
} from 'botbuilder';
import { writeFile } from 'node:fs/promises';
import { Session } from 'node:inspector/promises';
import restify from 'restify';
import { loadConfig } from '../src/config.ts';
import { createLogger } from '../src/log.ts';
import { createApp, MAX_REQUEST_BYTES } from '../src/server.ts';
import { createAzureStores } from '../src/store/azure/index.ts';

/**
 * The process under test, forked by bench/run.ts so that its RSS is its own. Mode "postwatch" is
 * the real server (createApp in local mode, as `npm start` builds it, background work started);
 * mode "echo" is the framework floor: a bare botbuilder bot behind the same restify + CloudAdapter
 * set-up (body parser, local-mode authentication) that echoes messages and answers card actions
 * with a small card.
 */

interface ChildOptions {
  mode: 'postwatch' | 'echo';
  env: Record<string, string>;
  connectionString?: string;
  tablePrefix?: string;
  /** Start the background work (outbox timer, routing sweep) as `npm start` does; default true. */
  background?: boolean;
}

const options = JSON.parse(process.argv[2] ?? '{}') as ChildOptions;
const send = (message: unknown) => process.send?.(message);

async function startPostwatch(): Promise<{ url: string; close: () => Promise<void> }> {
  const config = loadConfig({ ...options.env, PORT: '0' });
  if (!config.ok) throw new Error(config.error.join('; '));
  const log = createLogger(config.value.logLevel);
  const stores = await createAzureStores(options.connectionString!, { tablePrefix: options.tablePrefix ?? 'pw' });
  const app = createApp({ config: config.value, stores, log });
  const { url } = await app.listen(0, '127.0.0.1');
  if (options.background !== false) app.services.startBackground();
  return { url, close: () => app.close() };
}

class EchoBot extends TeamsActivityHandler {
  constructor() {
    super();
    this.onMessage(async (context, next) => {
      await context.sendActivity(`echo: ${context.activity.text ?? ''}`);
      await next();
    });
  }

  protected override async onAdaptiveCardInvoke(_context: TurnContext, invokeValue: AdaptiveCardInvokeValue): Promise<AdaptiveCardInvokeResponse> {
    return {
      statusCode: 200,
      type: 'application/vnd.microsoft.card.adaptive',
      value: { type: 'AdaptiveCard', version: '1.5', body: [{ type: 'TextBlock', text: `echo: ${invokeValue.action?.verb ?? ''}`, wrap: true }] } as never,
    };
  }
}

async function startEcho(): Promise<{ url: string; close: () => Promise<void> }> {
  const auth = new ConfigurationBotFrameworkAuthentication({ MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant', MicrosoftAppTenantId: '' } as never);
  const adapter = new CloudAdapter(auth);
  const bot = new EchoBot();
  const server = restify.createServer({ name: 'echo', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_REQUEST_BYTES, mapParams: false }));
  server.post('/api/messages', async (req, res) => {
    await adapter.process(req, res, (context) => bot.run(context));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const url = `http://127.0.0.1:${server.address().port}`;
  return { url, close: () => new Promise<void>((resolve) => server.close(() => resolve())) };
}

const started = options.mode === 'echo' ? startEcho() : startPostwatch();
started.then(
  (app) => {
    send({ ready: { url: app.url } });
    let profiler: Session | undefined;
    process.on('message', (message: { close?: boolean; gc?: boolean; profileStart?: boolean; profileStop?: string }) => {
      // The CPU profile of a measured window only (not start-up): the inspector's sampling profiler.
      if (message.profileStart) {
        profiler = new Session();
        profiler.connect();
        void profiler
          .post('Profiler.enable')
          .then(() => profiler!.post('Profiler.setSamplingInterval', { interval: 1000 }))
          .then(() => profiler!.post('Profiler.start'))
          .then(() => send({ profiling: true }));
      }
      if (message.profileStop && profiler) {
        const session = profiler;
        profiler = undefined;
        void session
          .post('Profiler.stop')
          .then(({ profile }) => writeFile(message.profileStop!, JSON.stringify(profile)))
          .then(() => {
            session.disconnect();
            send({ profiled: message.profileStop });
          });
      }
      if (message.gc) {
        (globalThis as { gc?: () => void }).gc?.();
        send({ memory: process.memoryUsage() });
      }
      if (message.close) void app.close().finally(() => process.exit(0));
    });
    process.on('disconnect', () => void app.close().finally(() => process.exit(0)));
  },
  (error: unknown) => {
    send({ error: error instanceof Error ? error.message : String(error) });
    process.exit(1);
  },
);
