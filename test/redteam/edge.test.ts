import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthenticatedBot, TEST_APP_ID, type AuthenticatedBot } from '../support/authenticatedBot.ts';
import type { FakeConnector } from '../support/connector.ts';
import { cardInvoke, LEAK, postActivity, teamsActivity, type RealServer } from '../support/realServer.ts';
import { TENANT } from '../support/teamsWire.ts';
import type { TestTokenIssuer } from '../support/tokenIssuer.ts';

/**
 * Red team, the request edge after authentication: a sender with a valid token (a compromised or
 * buggy channel) sends JSON shaped to hurt — deep nesting, huge numbers, __proto__ keys. Each must
 * be answered without a stack trace, change nothing it should not, and leave the service up.
 */

const TEAM_A = '19:team-millbrook@thread.tacv2';
const TEAM_B = '19:team-cockhedge@thread.tacv2';
const mary = { id: '29:mary', aadObjectId: 'aad-mary', name: 'Mary Manager' };
const bob = { id: '29:bob', aadObjectId: 'aad-bob', name: 'Bob Boss' };

let bot: AuthenticatedBot;
let connector: FakeConnector;
let issuer: TestTokenIssuer;
let server: RealServer;
const token = () => ({ authorization: `Bearer ${issuer.sign(issuer.validClaims(TEST_APP_ID, connector.url))}` });

beforeAll(async () => {
  bot = await startAuthenticatedBot({
    practices: {
      practices: [
        { id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [TEAM_A], staff: [], staffNames: [], managers: [mary.aadObjectId], deputies: [], dataProtectionOfficers: [] },
        { id: 'cockhedge', name: 'Cockhedge Medical Centre', teamIds: [TEAM_B], staff: [], staffNames: [], managers: [bob.aadObjectId], deputies: [], dataProtectionOfficers: [] },
      ],
    },
  });
  ({ connector, issuer, server } = bot);
}, 60_000);

afterAll(() => bot?.close());

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
