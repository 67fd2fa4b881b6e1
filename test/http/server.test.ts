import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/server.ts';
import { startAzuriteProcess } from '../../src/store/azuriteProcess.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { FakeConnector } from '../support/connector.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';
import type { Stores } from '../../src/store/ports.ts';
import { createHash } from 'node:crypto';

/** The real server (restify + CloudAdapter) over HTTP, against Azurite in its own process. */

let dataDir: string;
let azurite: EmbeddedAzurite;
let app: App;
let stores: Stores;
let base: string;
const connector = new FakeConnector();
const prefix = uniqueTablePrefix();

function activity(extra: Record<string, unknown>) {
  return {
    channelId: 'msteams',
    serviceUrl: connector.url,
    from: { id: '29:rita', aadObjectId: 'aad-rita', name: 'Rita Reception' },
    recipient: { id: '28:postwatch', name: 'Postwatch' },
    conversation: { id: 'a:personal-rita', conversationType: 'personal', tenantId: 'nhsmail' },
    channelData: { tenant: { id: 'nhsmail' } },
    id: `in-${Math.random()}`,
    ...extra,
  };
}

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${base}/api/messages`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, text, json: text ? (JSON.parse(text) as any) : undefined };
}

beforeAll(async () => {
  dataDir = await mkdtemp(join(tmpdir(), 'postwatch-http-'));
  await connector.start();
  azurite = await startAzuriteProcess({ location: dataDir });
  const config = loadConfig({ PORT: '0', POSTWATCH_MANAGERS: 'aad-manager' });
  if (!config.ok) throw new Error(config.error.join('; '));
  stores = await createAzureStores(azurite.connectionString, { tablePrefix: prefix });
  app = createApp({ config: config.value, stores, log: pino({ level: 'silent' }) });
  base = (await app.listen(0)).url;
});

afterAll(async () => {
  await app?.close();
  await azurite?.close();
  await connector.stop();
  await rm(dataDir, { recursive: true, force: true });
});

describe('the server', () => {
  it('answers /healthz with the storage status and local mode', async () => {
    const response = await fetch(`${base}/healthz`);
    expect(response.status).toBe(200);
    expect(await response.json()).toMatchObject({ status: 'ok', storage: 'ok', authentication: 'off (local mode)' });
  });

  it('takes "report a post" over HTTP and sends the first card through the connector', async () => {
    const response = await post(activity({ type: 'message', text: 'report a post' }));
    expect(response.status).toBe(200);
    const sent = connector.sentActivities().at(-1);
    expect(sent.attachments[0].contentType).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(sent.attachments[0].content)).toContain('Step 1 of 5');
  });

  it('answers a card button in the invoke response', async () => {
    const first = connector.sentActivities().at(-1).attachments[0].content;
    const next = JSON.stringify(first).match(/"draftId":"([^"]+)"/)![1];
    const response = await post(
      activity({
        type: 'invoke',
        name: 'adaptiveCard/action',
        value: { action: { type: 'Action.Execute', verb: 'report.next', data: { draftId: next, step: 'where', platform: 'x', seenDate: '2026-11-24', seenTime: '00:01' } } },
      }),
    );
    expect(response.status).toBe(200);
    expect(response.json.statusCode).toBe(200);
    expect(response.json.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(JSON.stringify(response.json.value)).toMatch(/Step [12] of 5/);
  });

  it('says so in the channel when the private message could not be delivered, never "sent"', async () => {
    const privateChats = Array.from({ length: 500 }, (_, i) => `a:private-${i}`);
    privateChats.forEach((id) => connector.refuse(id, { status: 403 }));
    try {
      const before = connector.sentActivities().length;
      const response = await post(
        activity({
          type: 'message',
          text: '<at>Postwatch</at> report a post',
          entities: [{ type: 'mention', mentioned: { id: '28:postwatch', name: 'Postwatch' }, text: '<at>Postwatch</at>' }],
          conversation: { id: '19:general@thread.tacv2;messageid=1', conversationType: 'channel', tenantId: 'nhsmail', isGroup: true },
          channelData: { tenant: { id: 'nhsmail' }, team: { id: '19:team@thread.tacv2' }, channel: { id: '19:general@thread.tacv2' } },
        }),
      );
      expect(response.status).toBe(200);
      const said = connector.sentActivities().slice(before).map((a) => a.text).filter(Boolean);
      expect(said.join(' ')).toMatch(/couldn't message you privately/);
      expect(said.join(' ')).not.toMatch(/I've sent you a private message/);
    } finally {
      privateChats.forEach((id) => connector.heal(id));
    }
  });

  it('refuses bad JSON and oversized bodies without a stack trace', async () => {
    const bad = await post('{"type": "message", ');
    expect(bad.status).toBeGreaterThanOrEqual(400);
    expect(bad.status).toBeLessThan(500);
    expect(bad.text).not.toMatch(/at \w+ \(|node_modules/);
    const huge = await post(activity({ type: 'message', text: 'x'.repeat(400 * 1024) }));
    expect(huge.status).toBe(413);
    expect(huge.text).not.toMatch(/at \w+ \(|node_modules/);
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
  });

  it('reports 503 while storage is down, tells the person plainly, and recovers when it returns', async () => {
    const { tablePort, blobPort } = azurite;
    await azurite.close();
    const health = await fetch(`${base}/healthz`);
    expect(health.status).toBe(503);
    expect(await health.json()).toMatchObject({ status: 'unavailable' });

    const press = await post(
      activity({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'report.start', data: {} } } }),
    );
    expect(press.status).toBe(200);
    expect(press.json.type).toBe('application/vnd.microsoft.activity.message');
    expect(press.json.value).toMatch(/could not reach its storage/);

    azurite = await startAzuriteProcess({ location: dataDir, tablePort, blobPort });
    expect((await fetch(`${base}/healthz`)).status).toBe(200);
    const again = await post(
      activity({ type: 'invoke', name: 'adaptiveCard/action', value: { action: { type: 'Action.Execute', verb: 'report.start', data: {} } } }),
    );
    // The unfinished report from before the outage is still there.
    expect(JSON.stringify(again.json.value)).toMatch(/unfinished report/);
  });
});

describe('evidence pack links', () => {
  it('serves the pack to a decider through a signed link, and nothing through a forged, expired or non-decider link', async () => {
    const now = new Date();
    const { incident } = await stores.incidents.submit(
      {
        practiceId: 'practice',
        status: 'reported',
        reportedAt: now.toISOString(),
        reporter: { aadObjectId: 'aad-rita', name: 'Rita' },
        draftId: `d-${Math.random()}`,
        facts: {
          where: { platform: 'facebook', seenAt: now.toISOString(), seenDate: '2026-11-24', seenTime: '09:00', authorRelationship: 'patient' },
          what: { postText: 'A post <script>alert(1)</script>', categories: ['personal-attack'], namedParties: [] },
          risk: { atRisk: false },
          evidence: { screenshots: [], noScreenshotReason: 'Deleted' },
        },
      },
      { aadObjectId: 'aad-rita', name: 'Rita' },
    );
    const link = app.services.links.issue({ practiceId: 'practice', reference: incident.reference, issuedTo: 'aad-manager' }, now);
    const path = `${new URL(link.url).pathname}${new URL(link.url).search}`;
    const response = await fetch(`${base}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/zip');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect(bytes.subarray(0, 2).toString('latin1')).toBe('PK');
    expect(response.headers.get('x-content-sha256')).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect((await stores.incidents.auditTrail('practice', incident.reference)).map((e) => e.action)).toContain('evidence-pack.downloaded');

    expect((await fetch(`${base}${path}x`)).status).toBe(404);
    const stranger = app.services.links.issue({ practiceId: 'practice', reference: incident.reference, issuedTo: 'aad-rita' }, now);
    expect((await fetch(`${base}/evidence${new URL(stranger.url).search}`)).status).toBe(403);
    const old = app.services.links.issue({ practiceId: 'practice', reference: incident.reference, issuedTo: 'aad-manager' }, new Date(now.getTime() - 60 * 60_000));
    expect((await fetch(`${base}/evidence${new URL(old.url).search}`)).status).toBe(404);
  });
});

describe('with a Bot Framework app id', () => {
  it('refuses a request without a token and stores nothing', async () => {
    const config = loadConfig({ PORT: '0', MicrosoftAppId: '00000000-0000-0000-0000-000000000001', MicrosoftAppPassword: 'secret' });
    if (!config.ok) throw new Error(config.error.join('; '));
    const stores = await createAzureStores(azurite.connectionString, { tablePrefix: uniqueTablePrefix() });
    const secured = createApp({ config: config.value, stores, log: pino({ level: 'silent' }) });
    const { url } = await secured.listen(0);
    try {
      const response = await fetch(`${url}/api/messages`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(activity({ type: 'message', text: 'report a post', from: { id: '29:eve', aadObjectId: 'aad-eve', name: 'Eve' } })),
      });
      expect(response.status).toBe(401);
      expect(await stores.drafts.get('practice', 'aad-eve')).toBeUndefined();
    } finally {
      await secured.close();
    }
  });
});
