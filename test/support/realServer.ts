import { TableClient } from '@azure/data-tables';
import pino from 'pino';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/server.ts';
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

export async function startRealServer(connectionString: string, env: Record<string, string> = {}): Promise<RealServer> {
  const config = loadConfig({ PORT: '0', ...env });
  if (!config.ok) throw new Error(config.error.join('; '));
  const tablePrefix = uniqueTablePrefix();
  const stores = await createAzureStores(connectionString, { tablePrefix });
  const app = createApp({ config: config.value, stores, log: pino({ level: 'silent' }) });
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
