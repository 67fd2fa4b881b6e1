import { MicrosoftAppCredentials } from 'botframework-connector';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { FakeConnector } from '../support/connector.ts';
import { blockEgress } from '../support/egress.ts';
import {
  cardInvoke,
  LEAK,
  postActivity,
  seenYesterday,
  startRealServer,
  startStorage,
  storedRows,
  teamsActivity,
  type RealServer,
} from '../support/realServer.ts';
import { action, textOfCard } from '../support/teams.ts';
import { BOT_FRAMEWORK_ISSUER, otherKey, signJwt, TestTokenIssuer, type TokenClaims } from '../support/tokenIssuer.ts';

/**
 * Bot Framework authentication for real: the server runs with an app id and password and validates
 * every request's JWT against OpenID metadata and a JWKS served by this test on loopback, exactly
 * as it would against login.botframework.com. Then the tenant allowlist, and report-level
 * authorisation between two members of staff who both hold valid tokens.
 */

const APP_ID = '6f1c0b51-8f5e-4a36-9a39-1c2f00c0ffee';
const TENANT = 'nhsmail';
const rita = { id: '29:rita', aadObjectId: 'aad-rita', name: 'Rita Reception' };
const eve = { id: '29:eve', aadObjectId: 'aad-eve', name: 'Eve Elsewhere' };
const mallory = { id: '29:mallory', aadObjectId: 'aad-mallory', name: 'Mallory' };
/** What the bot would get from Entra ID for its own replies: there is no Entra ID here. */
const OUTBOUND_TOKEN = 'outbound-token-from-the-stub';

let azurite: EmbeddedAzurite;
let issuer: TestTokenIssuer;
let server: RealServer;
const connector = new FakeConnector();
const egress = blockEgress();
const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);

beforeAll(async () => {
  // The bot's outbound token (client credentials against Entra ID) is the one thing that would leave
  // this machine: stub it, and check below that the connector received it.
  vi.spyOn(MicrosoftAppCredentials.prototype, 'getToken').mockResolvedValue(OUTBOUND_TOKEN);
  await connector.start();
  issuer = await new TestTokenIssuer(['msteams']).start();
  azurite = await startStorage();
  server = await startRealServer(azurite.connectionString, {
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'test-password',
    ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    POSTWATCH_ALLOWED_TENANTS: TENANT,
  });
});

afterAll(async () => {
  await server?.close();
  await azurite?.close();
  await issuer?.stop();
  await connector.stop();
  vi.restoreAllMocks();
  consoleError.mockRestore();
  egress.restore();
});

function bearer(claims: TokenClaims, options: Parameters<TestTokenIssuer['sign']>[1] = {}): Record<string, string> {
  return { authorization: `Bearer ${issuer.sign(claims, options)}` };
}

function valid(): Record<string, string> {
  return bearer(issuer.validClaims(APP_ID, connector.url));
}

const reportAPost = (person = mallory, extra: Record<string, unknown> = {}) =>
  teamsActivity(connector.url, person, { type: 'message', text: 'report a post', ...extra });

const rows = () => storedRows(azurite.connectionString, server.tablePrefix);

describe('every request to /api/messages needs a valid Bot Framework token', () => {
  const now = () => Math.floor(Date.now() / 1000);
  const refused: Array<[string, () => Record<string, string>, Record<string, unknown>?]> = [
    ['no Authorization header', () => ({})],
    ['an empty bearer token', () => ({ authorization: 'Bearer ' })],
    ['another scheme', () => ({ authorization: `Basic ${Buffer.from('a:b').toString('base64')}` })],
    ['garbage instead of a JWT', () => ({ authorization: 'Bearer not.a.jwt' })],
    ['a signature by another key under the right kid', () => bearer(issuer.validClaims(APP_ID, connector.url), { key: otherKey() })],
    ['a key id the JWKS does not have', () => bearer(issuer.validClaims(APP_ID, connector.url), { key: otherKey(), kid: 'unknown-kid' })],
    ['a tampered payload (aud changed after signing)', () => {
      const [head, , sig] = issuer.sign(issuer.validClaims('someone-else', connector.url)).split('.');
      const body = Buffer.from(JSON.stringify(issuer.validClaims(APP_ID, connector.url))).toString('base64url');
      return { authorization: `Bearer ${head}.${body}.${sig}` };
    }],
    ['alg "none" with no signature', () => {
      const enc = (o: object) => Buffer.from(JSON.stringify(o)).toString('base64url');
      return { authorization: `Bearer ${enc({ alg: 'none', typ: 'JWT', kid: issuer.kid })}.${enc(issuer.validClaims(APP_ID, connector.url))}.` };
    }],
    ['a wrong audience (another bot\'s app id)', () => bearer({ ...issuer.validClaims(APP_ID, connector.url), aud: '00000000-0000-0000-0000-000000000bad' })],
    ['no audience', () => bearer({ ...issuer.validClaims(APP_ID, connector.url), aud: undefined })],
    ['a wrong issuer', () => bearer({ ...issuer.validClaims(APP_ID, connector.url), iss: 'https://evil.example/' })],
    ['an expired token (past the 5 minutes of clock skew allowed)', () => bearer({ ...issuer.validClaims(APP_ID, connector.url), iat: now() - 7200, nbf: now() - 7200, exp: now() - 600 })],
    ['a token not valid yet', () => bearer({ ...issuer.validClaims(APP_ID, connector.url), nbf: now() + 3600 })],
    ['a serviceurl claim for another connector', () => bearer(issuer.validClaims(APP_ID, 'http://127.0.0.1:9/'))],
    ['a channel the signing key is not endorsed for', () => valid(), { channelId: 'webchat' }],
  ];

  it.each(refused)('refuses %s with 401, leaks nothing and stores nothing', async (_why, headers, extra) => {
    const before = await rows();
    const sentBefore = connector.calls.length;
    const response = await postActivity(server.url, reportAPost(mallory, extra ?? {}), headers());
    expect(response.status).toBe(401);
    expect(response.text).not.toMatch(LEAK);
    expect(await rows()).toEqual(before);
    expect(connector.calls.length).toBe(sentBefore);
  });

  it('refuses a forged token on a card action too', async () => {
    const before = await rows();
    const response = await postActivity(
      server.url,
      teamsActivity(connector.url, mallory, cardInvoke('report.start', {})),
      bearer(issuer.validClaims(APP_ID, connector.url), { key: otherKey() }),
    );
    expect(response.status).toBe(401);
    expect(await rows()).toEqual(before);
  });

  it('accepts a valid token: the report starts and its card goes to the connector with the bot\'s own token', async () => {
    const response = await postActivity(server.url, reportAPost(rita), valid());
    expect(response.status).toBe(200);
    expect(issuer.fetches.jwks).toBeGreaterThan(0); // the keys really came from this test's JWKS
    const draft = await server.stores.drafts.get('practice', rita.aadObjectId);
    expect(draft?.value.step).toBe('where');
    const sent = connector.calls.filter((c) => c.method === 'POST' && c.path.includes('/activities')).at(-1);
    expect(sent?.authorization).toBe(`Bearer ${OUTBOUND_TOKEN}`);
    expect(JSON.stringify(sent?.body)).toContain('Step 1 of 5');
  });

  it('accepts a valid token on a card action and answers with the card in the invoke response', async () => {
    const response = await postActivity(server.url, teamsActivity(connector.url, rita, cardInvoke('report.start', {})), valid());
    expect(response.status).toBe(200);
    expect(response.json.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(textOfCard(response.json.value)).toContain('Step 1 of 5');
  });

  it('never reached outside this machine (the metadata, keys and connector are all local)', async () => {
    // Its own valid and refused requests, so that it proves something when run alone too.
    expect((await postActivity(server.url, reportAPost(rita), valid())).status).toBe(200);
    expect((await postActivity(server.url, reportAPost(mallory), {})).status).toBe(401);
    expect(issuer.fetches.jwks).toBeGreaterThan(0);
    expect(connector.calls.length).toBeGreaterThan(0);
    expect(egress.attempts).toEqual([]);
  });

  it('/healthz needs no token and says authentication is on', async () => {
    const health = await fetch(`${server.url}/healthz`);
    expect(health.status).toBe(200);
    expect(await health.json()).toMatchObject({ authentication: 'on' });
  });
});

describe('tenant allowlist', () => {
  it.each([
    ['another tenant', { channelData: { tenant: { id: 'contoso' } }, conversation: { id: 'a:x', conversationType: 'personal', tenantId: 'contoso' } }],
    ['no tenant at all', { channelData: {}, conversation: { id: 'a:x', conversationType: 'personal' } }],
    ['a tenant id that is not a string', { channelData: { tenant: { id: ['nhsmail'] } }, conversation: { id: 'a:x', conversationType: 'personal' } }],
  ])('refuses %s even with a valid token, and stores nothing', async (_why, extra) => {
    const before = await rows();
    const sentBefore = connector.calls.length;
    const response = await postActivity(server.url, reportAPost(eve, extra), valid());
    expect(response.status).toBe(403);
    expect(response.text).not.toMatch(LEAK);
    expect(await rows()).toEqual(before);
    expect(connector.calls.length).toBe(sentBefore);
    expect(await server.stores.drafts.get('practice', eve.aadObjectId)).toBeUndefined();
  });
});

describe('a member of staff forging card actions on someone else\'s report', () => {
  const where = { platform: 'facebook', postUrl: 'https://www.facebook.com/millbrook/posts/7', ...seenYesterday(), authorName: 'J. Bloggs', authorRelationship: 'patient' };
  const secret = 'Rita-only: the post says Dr Khan lives at 4 Elm Road';

  async function press(person: typeof rita, verb: string, data: Record<string, unknown>) {
    const response = await postActivity(server.url, teamsActivity(connector.url, person, cardInvoke(verb, data)), valid());
    expect(response.status).toBe(200);
    expect(response.text).not.toMatch(LEAK);
    return response.json as { type: string; value: any };
  }

  it('gets nothing of the other person\'s draft and changes nothing in it', async () => {
    // Rita (a valid token, the allowed tenant) is part-way through a report.
    let card = (await press(rita, 'report.start', {})).value;
    card = (await press(rita, action(card, 'Next').verb, { ...action(card, 'Next').data, ...where })).value;
    card = (await press(rita, action(card, 'Next').verb, { ...action(card, 'Next').data, postText: secret, categories: 'personal-attack' })).value;
    expect(textOfCard(card)).toContain('Step 3 of 5');
    const ritas = await server.stores.drafts.get('practice', rita.aadObjectId);
    const draftId = ritas!.value.id;

    // Eve, also staff with a valid token, replays Rita's card buttons with Rita's draft id.
    const attempts: Array<[string, Record<string, unknown>]> = [
      ['report.next', { draftId, step: 'what', postText: 'overwritten by eve', categories: 'other' }],
      ['report.back', { draftId, step: 'risk' }],
      ['report.edit', { draftId, step: 'review', editStep: 'what' }],
      ['report.risk', { draftId, step: 'risk', answer: 'no' }],
      ['report.submit', { draftId, step: 'review' }],
      ['report.cancel', { draftId, step: 'risk' }],
    ];
    for (const [verb, data] of attempts) {
      const answer = await press(eve, verb, data);
      expect(JSON.stringify(answer)).not.toContain('Elm Road');
      expect(JSON.stringify(answer)).not.toContain(draftId);
    }
    const after = await server.stores.drafts.get('practice', rita.aadObjectId);
    expect(after?.value).toEqual(ritas!.value);
    expect(after?.etag).toBe(ritas!.etag);
    expect(await server.stores.incidents.listByReporter('practice', eve.aadObjectId, 10)).toEqual([]);
    expect(await server.stores.drafts.get('practice', eve.aadObjectId)).toBeUndefined();

    // Rita finishes; Eve replaying the submitted card's buttons does not see the incident either.
    card = (await press(rita, 'report.risk', { draftId, step: 'risk', answer: 'no' })).value;
    card = (await press(rita, action(card, 'Next').verb, { ...action(card, 'Next').data, noScreenshot: 'true', noScreenshotReason: 'Deleted' })).value;
    card = (await press(rita, action(card, 'Submit').verb, action(card, 'Submit').data)).value;
    const reference = /PW-\d{4}-\d{4}/.exec(textOfCard(card))?.[0];
    expect(reference).toBeDefined();
    for (const verb of ['report.submit', 'report.next', 'report.back']) {
      const answer = await press(eve, verb, { draftId, step: 'review' });
      expect(JSON.stringify(answer)).not.toContain(reference!);
      expect(JSON.stringify(answer)).not.toContain('Elm Road');
    }
    const mine = (await press(eve, 'reports.mine', { draftId })).value;
    expect(JSON.stringify(mine)).not.toContain(reference!);
    const trail = await server.stores.incidents.auditTrail('practice', reference!);
    expect(trail[0]?.actor.aadObjectId).toBe(rita.aadObjectId);
    expect(trail.map((e) => e.actor.aadObjectId)).not.toContain(eve.aadObjectId);
  });
});

/** The same check as the table above, against a second server with its own metadata URL: no keys are shared through the process-wide metadata cache. */
describe('a second server with a different signing key', () => {
  it('does not accept tokens signed for the first one', async () => {
    const second = await new TestTokenIssuer(['msteams']).start();
    const other = await startRealServer(azurite.connectionString, {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'test-password',
      ToBotFromChannelOpenIdMetadataUrl: second.metadataUrl,
      ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    });
    try {
      const firstIssuers = valid();
      const refused = await postActivity(other.url, reportAPost(mallory), firstIssuers);
      expect(refused.status).toBe(401);
      const accepted = await postActivity(other.url, teamsActivity(connector.url, mallory, cardInvoke('report.start', {})), {
        authorization: `Bearer ${second.sign(second.validClaims(APP_ID, connector.url))}`,
      });
      expect(accepted.status).toBe(200);
      expect(accepted.json.type).toBe('application/vnd.microsoft.card.adaptive');
      // A token signed for the second server by a key outside either JWKS still fails.
      const forged = signJwt(second.validClaims(APP_ID, connector.url), otherKey(), second.kid);
      expect((await postActivity(other.url, reportAPost(mallory), { authorization: `Bearer ${forged}` })).status).toBe(401);
    } finally {
      await other.close();
      await second.stop();
    }
  });
});
