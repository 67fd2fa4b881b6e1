import { Writable } from 'node:stream';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/server.ts';
import { practiceReadiness } from '../../src/startup.ts';
import { startAzuriteProcess } from '../../src/store/azuriteProcess.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';

/** What an operator sees: /healthz beyond storage, the readiness behind the start-up block, a quiet log for probes. */

let azurite: EmbeddedAzurite;
let app: App;
let stores: Stores;
let base: string;
let logged = '';
let clock = new Date('2026-11-30T12:00:00Z');
const config = loadConfig({ PORT: '0', POSTWATCH_MANAGERS: 'aad-manager-1, aad-manager-2' });

beforeAll(async () => {
  if (!config.ok) throw new Error(config.error.join('; '));
  azurite = await startAzuriteProcess();
  stores = await createAzureStores(azurite.connectionString, { tablePrefix: uniqueTablePrefix() });
  const sink = new Writable({
    write(chunk, _encoding, done) {
      logged += chunk.toString();
      done();
    },
  });
  app = createApp({ config: config.value, stores, log: pino({ level: 'info' }, sink), now: () => clock });
  base = (await app.listen(0)).url;
});

afterAll(async () => {
  await app?.close();
  await azurite?.close();
});

const health = async () => {
  const response = await fetch(`${base}/healthz`);
  return { status: response.status, body: (await response.json()) as Record<string, any> };
};

describe('/healthz for an operator', () => {
  it('reports an empty outbox and no reminder run yet on a fresh start', async () => {
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body).toMatchObject({ status: 'ok', storage: 'ok', outbox: { waiting: 0, oldestWaitingSeconds: null }, reminders: { lastRunAt: null } });
  });

  it('counts the notifications waiting and the age of the oldest, and shows the last reminder run', async () => {
    const address = { reference: { conversation: { id: 'a:1' } } } as never;
    await stores.outbox.enqueue([{ practiceId: 'practice', id: 'ops-1', kind: 'message', target: 'user:x', address, text: 'one' }], new Date(clock.getTime() - 300_000));
    await stores.outbox.enqueue([{ practiceId: 'practice', id: 'ops-2', kind: 'message', target: 'user:y', address, text: 'two' }], new Date(clock.getTime() - 60_000));
    await app.services.reminders.run();
    const { status, body } = await health();
    expect(status).toBe(200);
    expect(body.outbox).toEqual({ waiting: 2, oldestWaitingSeconds: 300 });
    expect(body.reminders).toEqual({ lastRunAt: clock.toISOString(), queued: 0, ranHere: true });
    // Counts only: nothing queued is shown (neither the messages' text nor their targets).
    expect(JSON.stringify(body.outbox)).not.toMatch(/one|two|user:/);
    expect(JSON.stringify(body)).not.toMatch(/"one"|"two"|user:|ops-[12]|a:1/);
  });
});

describe('requests the bot does not serve', () => {
  it('answers a GET of /api/messages (the Playground probe) 405 and an unknown path 404 without a warning', async () => {
    const before = logged.length;
    expect((await fetch(`${base}/api/messages`)).status).toBe(405);
    expect((await fetch(`${base}/favicon.ico`)).status).toBe(404);
    expect(logged.slice(before)).toBe('');
  });

  it('still warns about a request it refuses for being malformed', async () => {
    const before = logged.length;
    const response = await fetch(`${base}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: '{ not json' });
    expect(response.status).toBe(400);
    expect(logged.slice(before)).toMatch(/"level":40.*request refused/);
  });
});

describe('per-practice readiness (the start-up block)', () => {
  it('counts the roles in effect and warns about what is missing, without any object id', async () => {
    const practice = config.ok ? config.value.practices.practices[0]! : undefined;
    const readiness = await practiceReadiness(stores, practice!);
    expect(readiness).toMatchObject({ practiceId: 'practice', managers: 2, deputies: 0, dataProtectionOfficers: 0, safeguardingLeads: 0, reviewChannel: false, reachableDeciders: 0 });
    expect(readiness.warnings.join('\n')).toMatch(/can be reached[\s\S]*incident-review channel/);
    expect(readiness.warnings.join('\n')).not.toMatch(/no practice manager/i);
    expect(JSON.stringify(readiness)).not.toContain('aad-manager');

    await stores.practices.rememberUserChat('practice', 'aad-manager-2', { reference: { conversation: { id: 'a:m2' } } } as never);
    expect((await practiceReadiness(stores, practice!)).reachableDeciders).toBe(1);
  });
});
