import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type TurnContext } from 'botbuilder';
import { AuthenticationError } from 'botframework-connector';
import restify from 'restify';
import { outboxBacklog, type Sender } from './app/outbox.ts';
import type { PostwatchBot } from './bot/PostwatchBot.ts';
import { ConnectorSender } from './bot/proactive.ts';
import { buildEvidencePack, EVIDENCE_PACK_CONTENT_TYPE, EvidencePackNotFoundError } from './app/evidencePack.ts';
import { bootstrapRoles } from './app/routing.ts';
import { createServices, type Services } from './compose.ts';
import { practiceById } from './domain/practice.ts';
import { isDecider } from './domain/handling.ts';
import { SAY } from './bot/messages.ts';
import { ConnectorPrivateChats, type PrivateChats } from './bot/privateChat.ts';
import type { Config } from './config.ts';
import { describeError, type Logger } from './log.ts';
import type { Stores } from './store/ports.ts';

/** Requests larger than this are refused before their JSON is parsed. */
export const MAX_REQUEST_BYTES = 256 * 1024;

export interface AppDeps {
  config: Config;
  stores: Stores;
  log: Logger;
  now?: () => Date;
  /** Tests may replace how 1:1 chats are opened and proactive messages sent; production uses the connector. */
  privateChats?: (adapter: CloudAdapter) => PrivateChats;
  sender?: (adapter: CloudAdapter) => Sender;
}

export interface App {
  server: restify.Server;
  adapter: CloudAdapter;
  bot: PostwatchBot;
  services: Services;
  listen(port: number, host?: string): Promise<{ port: number; url: string }>;
  close(): Promise<void>;
}

/** The composition root: everything is wired here and nowhere else. */
export function createApp(deps: AppDeps): App {
  const { config, stores, log } = deps;
  const now = deps.now ?? (() => new Date());
  const auth = new ConfigurationBotFrameworkAuthentication({
    MicrosoftAppId: config.bot.appId,
    MicrosoftAppPassword: config.bot.appPassword,
    MicrosoftAppType: config.bot.appType,
    MicrosoftAppTenantId: config.bot.tenantId,
    ...(config.bot.openIdMetadataUrl ? { ToBotFromChannelOpenIdMetadataUrl: config.bot.openIdMetadataUrl } : {}),
    ...(config.bot.tokenIssuer ? { ToBotFromChannelTokenIssuer: config.bot.tokenIssuer } : {}),
  } as ConstructorParameters<typeof ConfigurationBotFrameworkAuthentication>[0]);
  // Every token that fails validation is a 401. botframework-connector wraps most failures in an
  // AuthenticationError itself, but a bad signature, a not-yet-valid token or alg "none" surface as
  // jsonwebtoken errors, which CloudAdapter would answer with 500.
  const authenticate = auth.authenticateRequest.bind(auth);
  auth.authenticateRequest = (activity, authHeader) =>
    authenticate(activity, authHeader).catch((error: unknown) => {
      if (error instanceof AuthenticationError) throw error;
      log.warn({ ...describeError(error) }, 'request refused: invalid token');
      throw new AuthenticationError('Unauthorized. Invalid token.', 401);
    });
  const adapter = new CloudAdapter(auth);
  adapter.onTurnError = async (context: TurnContext, error: unknown) => {
    log.error({ ...describeError(error) }, 'unhandled turn error');
    if (context.activity.type === 'message') await context.sendActivity(SAY.somethingWentWrongMessage).catch(() => undefined);
  };

  const services = createServices({
    config,
    stores,
    log,
    now,
    sender: deps.sender?.(adapter) ?? new ConnectorSender(adapter, config.bot.appId),
    privateChats: deps.privateChats?.(adapter) ?? new ConnectorPrivateChats(adapter, config.bot.appId),
  });
  const bot = services.bot;

  const server = restify.createServer({ name: 'postwatch', handleUncaughtExceptions: false });
  server.use(restify.plugins.bodyParser({ maxBodySize: MAX_REQUEST_BYTES, mapParams: false }));

  server.post('/api/messages', async (req, res) => {
    // A malformed activity is the sender's mistake: 400 before botbuilder sees it (it would throw,
    // answer 500 with its own error message, or send replies to its default connector).
    const problem = activityProblem(req.body);
    if (problem) {
      log.warn({ problem }, 'malformed activity refused');
      res.send(400, { error: 'malformed activity' });
      return;
    }
    const tenant = tenantOf(req.body);
    if (config.allowedTenants.length > 0 && !(tenant && config.allowedTenants.includes(tenant))) {
      log.warn({ tenant: tenant ?? 'none' }, 'activity from a tenant that is not allowed was refused');
      res.send(403, { error: 'tenant not allowed' });
      return;
    }
    try {
      await adapter.process(req, res, (context) => bot.run(context));
    } catch (error) {
      log.error({ ...describeError(error) }, 'request failed');
      if (!res.headersSent) res.send(500, { error: 'internal error' });
    }
  });

  // Evidence packs: only through a link the bot issued to a decider, checked again on download.
  server.get('/evidence', async (req, res) => {
    const token = new URL(req.url ?? '', 'http://localhost').searchParams.get('t') ?? '';
    const link = services.links.verify(token, now());
    const practice = link ? practiceById(config.practices, link.practiceId) : undefined;
    if (!link || !practice) {
      res.send(404, { error: 'This link is not valid or has expired. Ask for a new one from the incident card.' });
      return;
    }
    try {
      const roles = (await stores.practices.roles(practice.id, bootstrapRoles(practice))).value;
      const incident = await stores.incidents.get(link.practiceId, link.reference);
      if (!incident || !isDecider(incident, roles, link.issuedTo)) {
        res.send(403, { error: 'The person this link was issued to no longer decides for this practice.' });
        return;
      }
      const pack = await buildEvidencePack(stores, link.practiceId, link.reference, { now });
      await stores.incidents.appendAudit(link.practiceId, link.reference, {
        actor: { aadObjectId: link.issuedTo, name: link.issuedToName ?? '' },
        action: 'evidence-pack.downloaded',
        summary: `Evidence pack downloaded (SHA-256 ${pack.sha256}${pack.intact ? '' : '; WARNING: integrity problems listed in the pack'}).`,
      });
      res.writeHead(200, {
        'content-type': EVIDENCE_PACK_CONTENT_TYPE,
        'content-disposition': `attachment; filename="${pack.fileName}"`,
        'content-length': pack.bytes.length,
        'x-content-sha256': pack.sha256,
        'cache-control': 'no-store',
      });
      res.end(pack.bytes);
    } catch (error) {
      log.error({ ...describeError(error) }, 'evidence pack failed');
      if (!res.headersSent) res.send(error instanceof EvidencePackNotFoundError ? 404 : 503, { error: 'The evidence pack could not be prepared. Try again shortly.' });
    }
  });

  server.get('/healthz', async (_req, res) => {
    const storage = await stores.health.check();
    // What an operator checks next; the status code stays on storage alone (App Service health check).
    const outbox = storage.ok ? await outboxBacklog(stores.outbox, now()).catch(() => null) : null;
    const lastRun = services.reminders.lastRun;
    res.send(storage.ok ? 200 : 503, {
      status: storage.ok ? 'ok' : 'unavailable',
      storage: storage.ok ? 'ok' : storage.reason,
      storageKind: config.storage.kind,
      authentication: config.bot.authEnabled ? 'on' : 'off (local mode)',
      outbox,
      reminders: { lastRunAt: lastRun?.at ?? null, ...(lastRun ? { queued: lastRun.queued, ranHere: lastRun.leaseHeld } : {}) },
    });
  });

  // Errors restify raises itself (bad JSON, body too large) answer with a short JSON body, no stack.
  server.on('restifyError', (req, res, error: Error & { statusCode?: number }, callback: () => void) => {
    res.send(error.statusCode ?? 500, { error: error.statusCode && error.statusCode < 500 ? error.name : 'internal error' });
    // A path or method the bot does not serve (the Agents Playground probes GET /api/messages) is
    // not a fault: answered 404/405 quietly.
    const notServed = error.statusCode === 404 || error.statusCode === 405;
    log[notServed ? 'debug' : 'warn']({ ...describeError(error), path: req.path() }, 'request refused');
    callback();
  });

  return {
    server,
    adapter,
    bot,
    services,
    listen: (port, host = '127.0.0.1') =>
      new Promise((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, host, () => {
          const address = server.address();
          resolve({ port: address.port, url: `http://${host}:${address.port}` });
        });
      }),
    close: async () => {
      await services.stopBackground();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** The first field botbuilder relies on that is missing or of the wrong type, if any. */
function activityProblem(body: unknown): string | undefined {
  const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
  const optional = (v: unknown, ok: (x: unknown) => boolean) => v === undefined || v === null || ok(v);
  const isString = (v: unknown) => typeof v === 'string';
  if (!isObject(body)) return 'body';
  if (typeof body.type !== 'string' || body.type.length === 0) return 'type';
  if (typeof body.serviceUrl !== 'string' || !/^https?:\/\/[^/]/i.test(body.serviceUrl)) return 'serviceUrl';
  for (const field of ['channelId', 'id', 'name', 'text', 'replyToId', 'locale', 'timestamp', 'localTimestamp', 'expiration']) {
    if (!optional(body[field], isString)) return field;
  }
  for (const field of ['from', 'recipient', 'conversation']) {
    const party = body[field];
    if (!optional(party, isObject)) return field;
    for (const key of ['id', 'name', 'aadObjectId', 'role', 'conversationType', 'tenantId']) {
      if (isObject(party) && !optional(party[key], isString)) return `${field}.${key}`;
    }
  }
  if (!optional(body.channelData, isObject)) return 'channelData';
  for (const field of ['attachments', 'entities', 'membersAdded', 'membersRemoved']) {
    if (!optional(body[field], (v) => Array.isArray(v) && v.every(isObject))) return field;
  }
  return undefined;
}

/** The Microsoft 365 tenant an activity says it comes from (checked against the allowlist). */
function tenantOf(body: unknown): string | undefined {
  const activity = body as { channelData?: { tenant?: { id?: unknown } }; conversation?: { tenantId?: unknown } } | undefined;
  const id = activity?.channelData?.tenant?.id ?? activity?.conversation?.tenantId;
  return typeof id === 'string' ? id : undefined;
}
