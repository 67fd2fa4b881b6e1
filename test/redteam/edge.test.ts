import { MicrosoftAppCredentials } from 'botframework-connector';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { writePracticesFile } from '../support/botProcess.ts';
import { FakeConnector } from '../support/connector.ts';
import { cardInvoke, LEAK, postActivity, startRealServer, startStorage, teamsActivity, type RealServer } from '../support/realServer.ts';
import { TENANT } from '../support/teamsWire.ts';
import { BOT_FRAMEWORK_ISSUER, TestTokenIssuer } from '../support/tokenIssuer.ts';

/**
 * Red team, the request edge after authentication: a sender with a valid token (a compromised or
 * buggy channel) sends JSON shaped to hurt — deep nesting, huge numbers, __proto__ keys. Each must
 * be answered without a stack trace, change nothing it should not, and leave the service up.
 */

const APP_ID = '0b5e4c2a-7d0f-4f43-9d43-2a8f3c0ffee1';
const TEAM_A = '19:team-millbrook@thread.tacv2';
const TEAM_B = '19:team-cockhedge@thread.tacv2';
const mary = { id: '29:mary', aadObjectId: 'aad-mary', name: 'Mary Manager' };
const bob = { id: '29:bob', aadObjectId: 'aad-bob', name: 'Bob Boss' };

const connector = new FakeConnector();
let issuer: TestTokenIssuer;
let azurite: EmbeddedAzurite;
let practices: Awaited<ReturnType<typeof writePracticesFile>>;
let server: RealServer;
const token = () => ({ authorization: `Bearer ${issuer.sign(issuer.validClaims(APP_ID, connector.url))}` });

beforeAll(async () => {
  vi.spyOn(MicrosoftAppCredentials.prototype, 'getToken').mockResolvedValue('outbound-token');
  await connector.start();
  issuer = await new TestTokenIssuer(['msteams']).start();
  azurite = await startStorage();
  practices = await writePracticesFile({
    practices: [
      { id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [TEAM_A], staff: [], staffNames: [], managers: [mary.aadObjectId], deputies: [], dataProtectionOfficers: [] },
      { id: 'cockhedge', name: 'Cockhedge Medical Centre', teamIds: [TEAM_B], staff: [], staffNames: [], managers: [bob.aadObjectId], deputies: [], dataProtectionOfficers: [] },
    ],
  });
  server = await startRealServer(azurite.connectionString, {
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'test-password',
    ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    POSTWATCH_ALLOWED_TENANTS: TENANT,
    POSTWATCH_PRACTICES_FILE: practices.path,
  });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await azurite?.close();
  await issuer?.stop();
  await connector.stop();
  await practices?.remove();
  vi.restoreAllMocks();
});

const healthy = async () => (await fetch(`${server.url}/healthz`)).status;
/** The activity as JSON text with `"nest":"DEEP"` replaced by arrays nested `depth` deep (too deep for JSON.stringify). */
const withDeep = (activity: unknown, depth: number) => JSON.stringify(activity).replace('"DEEP"', `${'['.repeat(depth)}${']'.repeat(depth)}`);

describe('red team: hostile JSON from an authenticated sender', () => {
  it('held: deeply nested card data, channel data and entities are answered without a stack trace, and the service stays up', async () => {
    const bodies = [
      withDeep(teamsActivity(connector.url, mary, cardInvoke('incident.refresh', { practiceId: 'millbrook', reference: 'PW-2026-0001', nest: 'DEEP' }), TENANT), 50_000),
      withDeep(teamsActivity(connector.url, mary, { type: 'message', text: 'help', channelData: { tenant: { id: TENANT }, nest: 'DEEP' } }, TENANT), 50_000),
      withDeep(teamsActivity(connector.url, mary, cardInvoke('report.start', { nest: 'DEEP' }), TENANT), 50_000),
      withDeep(teamsActivity(connector.url, mary, { type: 'message', text: 'hello', entities: [{ type: 'mention', nest: 'DEEP' }] }, TENANT), 50_000),
    ];
    for (const body of bodies) {
      const answer = await postActivity(server.url, body, token());
      expect(answer.status).toBeLessThan(500);
      expect(answer.text).not.toMatch(LEAK);
      expect(await healthy()).toBe(200);
    }
  });

  it('held: a __proto__ key in card data does not let a manager reach another practice', async () => {
    const raw = JSON.stringify(teamsActivity(connector.url, bob, cardInvoke('incident.refresh', { reference: 'PW-2026-0001' }), TENANT)).replace('"reference"', '"__proto__":{"practiceId":"millbrook"},"constructor":{"prototype":{"practiceId":"millbrook"}},"reference"');
    const answer = await postActivity(server.url, JSON.parse(raw), token());
    expect(answer.status).toBe(200);
    expect(answer.text).toMatch(/nothing to show you/);
    expect(({} as Record<string, unknown>).practiceId).toBeUndefined();
  });

  it('held: a page number of 1e308, -0 or a 300-digit string does not throw', async () => {
    for (const page of [1e308, -0, '9'.repeat(300), { valueOf: 1 }]) {
      const answer = await postActivity(server.url, teamsActivity(connector.url, mary, cardInvoke('register.page', { page }), TENANT), token());
      expect(answer.status).toBe(200);
      expect(answer.text).not.toMatch(LEAK);
    }
  });

  it('held: a valid token for the real connector cannot carry an activity whose serviceUrl (where the token and replies go) is another host', async () => {
    const since = connector.calls.length;
    for (const serviceUrl of ['https://evil.trafficmanager.net/emea/', 'https://SMBA.trafficmanager.net.evil.example/', connector.url.replace('127.0.0.1', 'localhost')]) {
      const answer = await postActivity(server.url, teamsActivity(serviceUrl, mary, { type: 'message', text: 'help' }, TENANT), token());
      expect(answer.status).toBe(401);
    }
    expect(connector.calls.length).toBe(since);
  });
});
