import { TableClient } from '@azure/data-tables';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App, type AppDeps } from '../../src/server.ts';
import { startAzuriteProcess } from '../../src/store/azuriteProcess.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { uniqueTablePrefix } from './azurite.ts';

/**
 * The real server for end-to-end tests: the environment parsed by loadConfig (as `npm start` does),
 * createApp (restify + CloudAdapter), Azure stores over an Azurite running in its own process
 * (restify patches Node's http prototypes, so Azurite must not share the server's process), all on
 * 127.0.0.1.
 */

export interface RealServer {
  app: App;
  url: string;
  stores: Stores;
  tablePrefix: string;
  close(): Promise<void>;
}

/** Storage in memory, in a child process: call close() in afterAll. */
export function startStorage(): Promise<EmbeddedAzurite> {
  return startAzuriteProcess({});
}

export interface RealServerOptions extends Pick<AppDeps, 'downloads'> {
  /** Share another server's tables (two instances of one deployment). */
  tablePrefix?: string;
  /** The server's clock (tests move it forward). */
  now?: () => Date;
  /** Wraps the stores the server uses (to count what it reads). */
  wrapStores?: (stores: Stores) => Stores;
}

export async function startRealServer(connectionString: string, env: Record<string, string> = {}, options: RealServerOptions = {}): Promise<RealServer> {
  const config = loadConfig({ PORT: '0', ...env });
  if (!config.ok) throw new Error(config.error.join('; '));
  const tablePrefix = options.tablePrefix ?? uniqueTablePrefix();
  const stores = await createAzureStores(connectionString, { tablePrefix });
  const served = options.wrapStores ? options.wrapStores(stores) : stores;
  const app = createApp({
    config: config.value,
    stores: served,
    log: pino({ level: 'silent' }),
    ...(options.now ? { now: options.now } : {}),
    ...(options.downloads ? { downloads: options.downloads } : {}),
  });
  const { url } = await app.listen(0, '127.0.0.1');
  return { app, url, stores, tablePrefix, close: () => app.close() };
}

export interface StoredRow {
  table: 'incidents' | 'drafts' | 'members';
  partitionKey: string;
  rowKey: string;
  kind?: string;
}

/** Every entity in the server's tables (incidents with their counters and markers, drafts, memberships). */
export async function storedRows(connectionString: string, tablePrefix: string): Promise<StoredRow[]> {
  const rows: StoredRow[] = [];
  for (const table of ['incidents', 'drafts', 'members'] as const) {
    const client = TableClient.fromConnectionString(connectionString, `${tablePrefix}${table}`, { allowInsecureConnection: true });
    for await (const entity of client.listEntities<{ kind?: string }>()) {
      rows.push({
        table,
        partitionKey: entity.partitionKey ?? '',
        rowKey: entity.rowKey ?? '',
        ...(typeof entity.kind === 'string' ? { kind: entity.kind } : {}),
      });
    }
  }
  return rows;
}

/** One row of the outbox table, as stored (delivered items stay, marked sent). */
export interface StoredOutboxRow {
  practiceId: string;
  id: string;
  kind: string;
  target: string;
  reference: string;
  status: string;
  attempts: number;
  lastError: string;
  claimedUntil: string;
  nextAttemptAt: string;
  sentActivityId: string;
  activityId: string;
}

/** Every notification the server queued, delivered or not, read straight from its outbox table. */
export async function outboxRows(connectionString: string, tablePrefix: string): Promise<StoredOutboxRow[]> {
  const client = TableClient.fromConnectionString(connectionString, `${tablePrefix}outbox`, { allowInsecureConnection: true });
  const rows: StoredOutboxRow[] = [];
  const str = (e: Record<string, unknown>, name: string) => (typeof e[name] === 'string' ? (e[name] as string) : '');
  for await (const e of client.listEntities<Record<string, unknown>>()) {
    rows.push({
      practiceId: e.partitionKey ?? '',
      id: (e.rowKey ?? '').replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16))),
      kind: str(e, 'kind'),
      target: str(e, 'target'),
      reference: str(e, 'reference'),
      status: str(e, 'status'),
      attempts: typeof e.attempts === 'number' ? e.attempts : 0,
      lastError: str(e, 'lastError'),
      claimedUntil: str(e, 'claimedUntil'),
      nextAttemptAt: str(e, 'nextAttemptAt'),
      sentActivityId: str(e, 'sentActivityId'),
      activityId: str(e, 'activityId'),
    });
  }
  return rows.sort((a, b) => (a.id < b.id ? -1 : 1));
}

/** An activity shaped the way Teams sends it in 1:1 chat. */
export function teamsActivity(
  serviceUrl: string,
  person: { id: string; aadObjectId: string; name: string },
  extra: Record<string, unknown>,
  tenant = 'nhsmail',
): Record<string, unknown> {
  return {
    channelId: 'msteams',
    serviceUrl,
    from: { id: person.id, aadObjectId: person.aadObjectId, name: person.name },
    recipient: { id: '28:postwatch', name: 'Postwatch' },
    conversation: { id: `a:personal-${person.id}`, conversationType: 'personal', tenantId: tenant },
    channelData: { tenant: { id: tenant } },
    id: `in-${Math.random().toString(36).slice(2)}`,
    timestamp: new Date().toISOString(),
    locale: 'en-GB',
    ...extra,
  };
}

/**
 * A message in a team channel that @mentions the bot, shaped the way Teams sends it: the mention
 * in the text and in `entities`, the thread's conversation id, and the team and channel in
 * `channelData`.
 */
export function teamsChannelActivity(
  serviceUrl: string,
  person: { id: string; aadObjectId: string; name: string },
  text: string,
  where: { teamId: string; channelId: string; channelName?: string },
  tenant = 'nhsmail',
): Record<string, unknown> {
  const thread = `${Date.now()}`;
  return {
    type: 'message',
    channelId: 'msteams',
    serviceUrl,
    text: `<at>Postwatch</at> ${text}`,
    textFormat: 'plain',
    entities: [
      { type: 'mention', mentioned: { id: '28:postwatch', name: 'Postwatch' }, text: '<at>Postwatch</at>' },
      { type: 'clientInfo', locale: 'en-GB', country: 'GB', platform: 'Web', timezone: 'Europe/London' },
    ],
    from: { id: person.id, aadObjectId: person.aadObjectId, name: person.name },
    recipient: { id: '28:postwatch', name: 'Postwatch' },
    conversation: { id: `${where.channelId};messageid=${thread}`, conversationType: 'channel', tenantId: tenant, isGroup: true },
    channelData: {
      teamsChannelId: where.channelId,
      teamsTeamId: where.teamId,
      channel: { id: where.channelId, ...(where.channelName ? { name: where.channelName } : {}) },
      team: { id: where.teamId },
      tenant: { id: tenant },
    },
    id: thread,
    timestamp: new Date().toISOString(),
    locale: 'en-GB',
  };
}

export function cardInvoke(verb: string, data: Record<string, unknown>): Record<string, unknown> {
  return { type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } };
}

export interface Posted {
  status: number;
  text: string;
  json?: any;
}

export async function postActivity(url: string, body: unknown, headers: Record<string, string> = {}): Promise<Posted> {
  const response = await fetch(`${url}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  let json: unknown;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: response.status, text, ...(json !== undefined ? { json } : {}) };
}

/** Signs of an internal error escaping into a response: stack frames, module paths, internal class names. */
export const LEAK = /\bat \S+ \(|\bat (async )?\S+:\d+:\d+|node_modules|\/src\/|\.ts:\d+|\.js:\d+|(Zod|Type|Reference|Syntax|Range|Rest|JsonWebToken|TokenExpired|StorageUnavailable|Conflict|Authentication)Error\b/;

/** A "when did you see it" answer that is always valid against the real clock: yesterday morning. */
export function seenYesterday(): { seenDate: string; seenTime: string } {
  const yesterday = new Date(Date.now() - 24 * 3600_000);
  return { seenDate: yesterday.toISOString().slice(0, 10), seenTime: '09:05' };
}
