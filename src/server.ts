import { CloudAdapter, ConfigurationBotFrameworkAuthentication, type Activity, type TurnContext } from 'botbuilder';
import { AuthenticationError, type BotFrameworkAuthentication } from 'botframework-connector';
import restify from 'restify';
import { outboxBacklog, type Sender } from './app/outbox.ts';
import type { PostwatchBot } from './bot/PostwatchBot.ts';
import { ConnectorSender } from './bot/proactive.ts';
import { downloadEvidencePack, EVIDENCE_PACK_CONTENT_TYPE, EvidencePackNotFoundError } from './app/evidencePack.ts';

import { CachedReadiness, practiceReadiness } from './app/readiness.ts';
import type { DownloadClient } from './app/downloadClient.ts';
import { createServices, type DownloadOptions, type Services } from './compose.ts';
import type { Person } from './domain/handling.ts';
import { practiceById, type Practice } from './domain/practice.ts';
import { SAY } from './bot/messages.ts';
import type { EvidenceLinks, LinkKind, PackLink } from './bot/evidenceLinks.ts';
import { ConnectorPrivateChats, type PrivateChats } from './bot/privateChat.ts';
import type { Config } from './config.ts';
import { describeError, type Logger } from './log.ts';
import type { Stores } from './store/ports.ts';
import { activityProblem, contentRefusal, looksLikeBearerJwt, parseJson, readBody, type Refusal } from './requestBody.ts';

/** Requests larger than this (real bytes received) are refused before their JSON is parsed. */
export const MAX_REQUEST_BYTES = 256 * 1024;
/** A body that has not fully arrived by then is refused (408): a slow sender holds no socket for long. */
export const BODY_TIMEOUT_MS = 10_000;
/**
 * After a refusal, how much of the unread body is discarded before the connection is cut: more than
 * loopback's socket buffers hold, so the client has read the answer by then.
 */
const DISCARD_BYTES = 16 * 1024 * 1024;
const DISCARD_MS = 2_000;
/** Node's own limit for headers and a whole request, well above what Teams needs. */
const REQUEST_TIMEOUT_MS = 30_000;

export interface AppDeps {
  config: Config;
  stores: Stores;
  log: Logger;
  now?: () => Date;
  /** Tests may replace how 1:1 chats are opened and proactive messages sent; production uses the connector. */
  privateChats?: (adapter: CloudAdapter) => PrivateChats;
  sender?: (adapter: CloudAdapter) => Sender;
  /** Tests may resolve attachment hosts to stand-ins on loopback; production uses DNS and TLS. */
  downloads?: DownloadOptions;
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
    ...(deps.downloads ? { downloads: deps.downloads } : {}),
  });
  const bot = services.bot;

  const server = restify.createServer({ name: 'postwatch', handleUncaughtExceptions: false });
  // No body parser: restify's would inflate gzip and write multipart uploads to TMPDIR before any
  // authentication. Each route reads only what it needs (see receiveActivity).
  server.server.requestTimeout = REQUEST_TIMEOUT_MS;
  server.server.headersTimeout = REQUEST_TIMEOUT_MS;

  server.post('/api/messages', async (req, res) => {
    try {
      const refusal = await receiveActivity(req, auth, config.bot.authEnabled);
      if (refusal) {
        log.warn({ status: refusal.status, reason: refusal.error }, 'request refused at the edge');
        refuse(req, res, refusal);
        return;
      }
    } catch (error) {
      log.error({ ...describeError(error) }, 'request could not be read');
      refuse(req, res, { status: 400, error: 'request not accepted' });
      return;
    }
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

  // Files behind a signed link the bot issued, each checked again on download by a use case that
  // authorises, uses the link once (across every instance) and audits who downloaded it.
  const downloads = { links: services.links, practices: config.practices, now, log };
  serveDownload(server, downloads, {
    path: '/evidence',
    kind: 'pack',
    download: async (practice, link, client) => {
      const outcome = await downloadEvidencePack(stores, practice, link, client, now);
      if (outcome.kind !== 'pack') return outcome.kind === 'used' ? 'used' : 'refused';
      const { fileName, bytes, sha256 } = outcome.pack;
      return { fileName, bytes, sha256, contentType: EVIDENCE_PACK_CONTENT_TYPE };
    },
    failedStatus: (error) => (error instanceof EvidencePackNotFoundError ? 404 : 503),
    say: {
      invalid: 'This link is not valid or has expired. Ask for a new link from the incident card.',
      refused: NO_LONGER_DECIDES,
      used: 'This link has already been used: each link works once. Ask for a new link from the incident card.',
      failed: 'The evidence pack could not be prepared. Ask for a new link from the incident card and try again shortly.',
    },
    logged: 'evidence pack failed',
  });

  // The register as CSV, for a decider of the practice.
  serveDownload(server, downloads, {
    path: '/export',
    kind: 'register',
    download: async (practice, link, client) => {
      if (!link.from || !link.to) return 'invalid';
      const file = await services.registerExport.download(practice, holderOf(link), { id: link.id, expiresAt: link.expiresAt, from: link.from, to: link.to }, client);
      return typeof file === 'string' ? file : { fileName: file.fileName, bytes: file.bytes, contentType: 'text/csv; charset=utf-8' };
    },
    say: {
      invalid: 'This link is not valid or has expired. Ask for a new one with "export register".',
      refused: NO_LONGER_DECIDES,
      used: 'This link has already been used: each link works once. Ask for a new one with "export register".',
      failed: 'The register could not be prepared. Try again shortly.',
    },
    logged: 'register export failed',
  });

  // A subject access pack, for a manager or the DPO.
  serveDownload(server, downloads, {
    path: '/subject-access',
    kind: 'subject-access',
    download: async (practice, link, client) => {
      if (!link.requestId || !link.nonce) return 'invalid';
      const pack = await services.subjectAccess.download(practice, holderOf(link), link.requestId, link.nonce, client);
      return typeof pack === 'string' ? pack : { fileName: pack.fileName, bytes: pack.bytes, contentType: 'application/json; charset=utf-8' };
    },
    say: {
      invalid: 'This link is not valid or has expired. Ask for a new one with "subject access".',
      refused: 'The person this link was issued to no longer answers requests for this practice.',
      used: 'This link has already been used. Ask for a new one with "subject access".',
      failed: 'The pack could not be prepared. Try again shortly.',
    },
    logged: 'subject access pack failed',
  });

  // Status on storage alone; each practice's readiness (counts only, no names or ids of people) beside it.
  // Readiness costs reads per practice and per person: read once a minute, not per anonymous request.
  const readiness = new CachedReadiness(() => Promise.all(config.practices.practices.map((p) => practiceReadiness(stores, p))), now);
  server.get('/healthz', async (_req, res) => {
    const storage = await stores.health.check();
    const practices = storage.ok
      ? await readiness.get().catch((error: unknown) => {
          log.warn({ ...describeError(error) }, 'readiness could not be read');
          return [];
        })
      : [];
    // What an operator checks next; the status code stays on storage alone (App Service health check).
    const outbox = storage.ok ? await outboxBacklog(stores.outbox, now()).catch(() => null) : null;
    const lastRun = services.reminders.lastRun;
    res.send(storage.ok ? 200 : 503, {
      status: storage.ok ? 'ok' : 'unavailable',
      storage: storage.ok ? 'ok' : storage.reason,
      storageKind: config.storage.kind,
      authentication: config.bot.authEnabled ? 'on' : 'off (local mode)',
      practices,
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

/**
 * Everything checked before an activity reaches botbuilder, cheapest first, each before the body
 * is read or parsed: the content type and encoding (headers only), then in authenticated mode the
 * token (signature, issuer, audience, lifetime: the SDK's own validation, with the activity's
 * channel and service URL left for CloudAdapter to check against the parsed body), then the body
 * itself, read with a hard byte cap and a deadline, then JSON. On success `req.body` holds the JSON.
 */
async function receiveActivity(req: restify.Request, auth: BotFrameworkAuthentication, authEnabled: boolean): Promise<Refusal | undefined> {
  const content = contentRefusal(req.headers, MAX_REQUEST_BYTES);
  if (content) return content;
  if (authEnabled) {
    const header = req.headers.authorization;
    if (!looksLikeBearerJwt(header)) return { status: 401, error: 'unauthorized' };
    try {
      await auth.authenticateRequest({ channelId: '', serviceUrl: '' } as Activity, header!);
    } catch {
      return { status: 401, error: 'unauthorized' };
    }
  }
  const read = await readBody(req, { maxBytes: MAX_REQUEST_BYTES, timeoutMs: BODY_TIMEOUT_MS });
  if (!read.ok) return read.refusal;
  const json = parseJson(read.bytes);
  if (!json.ok) return { status: 400, error: 'body is not JSON' };
  req.body = json.value;
  return undefined;
}

/** Answers a refusal; a body not read to its end is left to a lingering close. */
function refuse(req: restify.Request, res: restify.Response, refusal: Refusal): void {
  if (!req.complete) lingeringClose(req, res);
  if (!res.headersSent) res.send(refusal.status, { error: refusal.error });
}

/**
 * A lingering close, as nginx and Apache do it: answer with `connection: close`, end our side of
 * the connection, discard (never keep) what still arrives for at most DISCARD_BYTES or DISCARD_MS,
 * then cut it. Nobody can keep streaming into a refused request, and a client that is still
 * sending gets to read the answer: closing at once (what Node does after a `connection: close`
 * answer, through socket.destroySoon) resets the connection under it and the answer can be lost.
 */
function lingeringClose(req: restify.Request, res: restify.Response): void {
  const socket = req.socket;
  socket.destroySoon = () => socket.end();
  res.setHeader('connection', 'close');
  let discarded = 0;
  const cut = () => socket.destroy();
  const timer = setTimeout(cut, DISCARD_MS);
  timer.unref();
  socket.once('close', () => clearTimeout(timer));
  req.on('data', (chunk: Buffer) => {
    discarded += chunk.length;
    if (discarded > DISCARD_BYTES) cut();
  });
  req.on('error', () => undefined);
  req.resume();
}

/** The Microsoft 365 tenant an activity says it comes from (checked against the allowlist). */
function tenantOf(body: unknown): string | undefined {
  const activity = body as { channelData?: { tenant?: { id?: unknown } }; conversation?: { tenantId?: unknown } } | undefined;
  const id = activity?.channelData?.tenant?.id ?? activity?.conversation?.tenantId;
  return typeof id === 'string' ? id : undefined;
}

const NO_LONGER_DECIDES = 'The person this link was issued to no longer decides for this practice.';

/** A file to send, or why there is none: the link lacks what its kind needs, the person may no longer have it, or it was used. */
type Served = { fileName: string; bytes: Buffer; contentType: string; sha256?: string } | 'invalid' | 'refused' | 'used';

interface DownloadRoute {
  path: string;
  kind: LinkKind;
  /** Called with a genuine, unexpired link of this kind, for a configured practice. */
  download: (practice: Practice, link: PackLink, client: DownloadClient) => Promise<Served>;
  /** The status of a download that threw (503 unless said otherwise). */
  failedStatus?: (error: unknown) => number;
  say: { invalid: string; refused: string; used: string; failed: string };
  logged: string;
}

/**
 * One shape for every signed-link download: 404 for a link that is not genuine, has expired, is
 * of another kind or names no practice here; 403 when its holder may no longer have the file; 410
 * when it was used; the file with no-store; 503 when it could not be prepared (no stack, logged).
 */
function serveDownload(
  server: restify.Server,
  deps: { links: EvidenceLinks; practices: Config['practices']; now: () => Date; log: Logger },
  route: DownloadRoute,
): void {
  server.get(route.path, async (req, res) => {
    const token = new URL(req.url ?? '', 'http://localhost').searchParams.get('t') ?? '';
    const link = deps.links.verify(token, deps.now(), route.kind);
    const practice = link ? practiceById(deps.practices, link.practiceId) : undefined;
    try {
      const served = link && practice ? await route.download(practice, link, clientOf(req)) : 'invalid';
      if (typeof served === 'string') {
        res.send(served === 'invalid' ? 404 : served === 'used' ? 410 : 403, { error: route.say[served] });
        return;
      }
      res.writeHead(200, {
        'content-type': served.contentType,
        'content-disposition': `attachment; filename="${served.fileName}"`,
        'content-length': served.bytes.length,
        ...(served.sha256 ? { 'x-content-sha256': served.sha256 } : {}),
        'cache-control': 'no-store',
      });
      res.end(served.bytes);
    } catch (error) {
      deps.log.error({ ...describeError(error) }, route.logged);
      if (!res.headersSent) res.send(route.failedStatus?.(error) ?? 503, { error: route.say.failed });
    }
  });
}

/** The person a link was issued to, as the use cases audit them. */
function holderOf(link: PackLink): Person {
  return { aadObjectId: link.issuedTo, name: link.issuedToName ?? '' };
}

/** Who is downloading, as the request says (audited with every download through a signed link). */
function clientOf(req: restify.Request): DownloadClient {
  const header = (name: string) => {
    const value = req.headers[name];
    return Array.isArray(value) ? value.join(', ') : value;
  };
  return { address: req.socket?.remoteAddress, forwardedFor: header('x-forwarded-for'), userAgent: header('user-agent') };
}
