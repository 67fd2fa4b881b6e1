import { BlobServiceClient } from '@azure/storage-blob';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { LIMITS } from '../../src/domain/report.ts';
import { MAX_REQUEST_BYTES } from '../../src/server.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { VERBS } from '../../src/contract/cards.ts';
import { FakeConnector } from '../support/connector.ts';
import { blockEgress, type EgressGuard } from '../support/egress.ts';
import { brokenJson, controlText, HOSTILE_TEXTS, hugeText, mutate, Rng, wrongValue } from '../support/fuzz.ts';
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
  type StoredRow,
} from '../support/realServer.ts';
import { action, textOfCard } from '../support/teams.ts';

/**
 * A seeded fuzz of the running server over HTTP: thousands of malformed and hostile requests, as
 * an attacker or a broken client would send them. The server must stay up, never leak internals,
 * store nothing for invalid input, and still take a normal report afterwards.
 *
 * Replay a failure with FUZZ_SEED=<seed> (printed in every assertion message); FUZZ_REQUESTS changes
 * how many requests are sent, and FUZZ_DEBUG=<file> writes every request's outcome and timing there.
 */

const SEED = Number(process.env.FUZZ_SEED ?? 0x5eed_2026);
const REQUESTS = Number(process.env.FUZZ_REQUESTS ?? 5_200);
const CONCURRENCY = 12;
const OK_USERS = 12;
/** Teams refuses cards over 28 KB. */
const MAX_CARD_BYTES = 28 * 1024;
const STATUSES = new Set([200, 400, 403, 404, 405, 413, 415, 501]);

let azurite: EmbeddedAzurite;
let server: RealServer;
let egress: EgressGuard;
const connector = new FakeConnector();

beforeAll(async () => {
  egress = blockEgress();
  await connector.start();
  azurite = await startStorage();
  server = await startRealServer(azurite.connectionString);
});

afterAll(async () => {
  await server?.close();
  await azurite?.close();
  await connector.stop();
  egress?.restore();
});

interface FuzzRequest {
  kind: string;
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body: string | Record<string, unknown>;
}

interface Outcome {
  kind: string;
  status: number;
  text: string;
  request: string;
  ms: number;
}

const person = (id: string) => ({ id: `29:${id}`, aadObjectId: id, name: `Fuzz ${id}` });

/**
 * Replies go to the activity's serviceUrl: keep that on this machine. Attachment URLs are left as
 * generated: the hostile ones (foreign hosts, private and metadata addresses, data: and file:) must
 * be refused before any lookup, which the egress guard checks (no name resolved at all).
 */
function confineToLoopback(body: Record<string, unknown>): Record<string, unknown> {
  if ('serviceUrl' in body && typeof body.serviceUrl === 'string') {
    try {
      const url = new URL(body.serviceUrl);
      if (!['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) body.serviceUrl = connector.url;
    } catch {
      // not a URL: left for the server to refuse
    }
  }
  return body;
}

/** Attachment URLs an attacker would try: none may be fetched, resolved or sent the token. */
const HOSTILE_URLS = [
  'https://evil.trafficmanager.net/v3/attachments/x/views/original',
  'https://evil-smba.trafficmanager.net/x',
  'https://smba.trafficmanager.net@evil.example/x',
  'https://smba.trafficmanager.net./emea/x',
  'https://mybot.azurewebsites.net/x.png',
  'https://acct.blob.core.windows.net/c/x.png',
  'https://169.254.169.254/latest/meta-data/',
  'http://168.63.129.16/machine?comp=goalstate',
  'https://[fd00:ec2::254]/latest/meta-data/',
  'http://10.0.0.1/x.png',
  'https://127.0.0.1:9/x.png',
  'data:image/png;base64,iVBORw0KGgo=',
  'file:///etc/passwd',
];

function generate(rng: Rng, index: number, drafts: Map<string, string>): FuzzRequest {
  const bad = person(`fuzz-bad-${index % 97}`);
  const okIds = [...drafts.keys()];
  const ok = person(rng.pick(okIds));
  const url = connector.url;
  const roll = rng.int(100);

  if (roll < 8) return { kind: 'broken-json', body: brokenJson(rng) };
  if (roll < 9) {
    // Bodies over the limit are refused before parsing (a few of them: they are big).
    const size = MAX_REQUEST_BYTES + 1 + rng.int(MAX_REQUEST_BYTES);
    const body = rng.chance(0.5)
      ? JSON.stringify(teamsActivity(url, bad, { type: 'message', text: 'x'.repeat(size) }))
      : `{"type":"message","text":"${'\\u0000'.repeat(Math.ceil(size / 6))}"}`;
    return { kind: 'huge', body };
  }
  if (roll < 13) {
    const method = rng.pick(['GET', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'POST']);
    const path = rng.pick(['/api/messages', '/api/messages/', '/API/MESSAGES', '/api/messages?x=1', '/api/messages/../healthz', '/api', '/', '/healthz', '/%2e%2e/api/messages']);
    const body = JSON.stringify(teamsActivity(url, bad, { type: 'message', text: rng.pick(HOSTILE_TEXTS) }));
    return { kind: 'method-path', method, path, body: method === 'GET' || method === 'OPTIONS' ? '' : body };
  }
  if (roll < 18) {
    const contentType = rng.pick([
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/json; charset=utf-16',
      'application/xml',
      '',
    ]);
    const body = contentType.startsWith('application/x-www-form')
      ? 'type=message&text=report%20a%20post&from[aadObjectId]=fuzz-bad-form'
      : JSON.stringify(teamsActivity(url, bad, { type: 'message', text: 'hello' }));
    return { kind: 'content-type', headers: { 'content-type': contentType }, body };
  }
  if (roll < 38) {
    const activity = teamsActivity(url, bad, { type: 'message', text: rng.chance(0.3) ? 'report a post' : rng.pick(HOSTILE_TEXTS) });
    const mutations = 1 + rng.int(3);
    for (let i = 0; i < mutations; i++) mutate(rng, activity);
    return { kind: 'mutated-message', body: activity };
  }
  if (roll < 58) {
    const verb = rng.pick([...Object.values(VERBS), 'report.nope', '', 'x'.repeat(65), 'REPORT.NEXT', 'decision.approve', '../report.next']);
    const activity = teamsActivity(url, bad, cardInvoke(verb, { draftId: rng.pick([...drafts.values()]), step: rng.pick(['where', 'what', 'risk', 'evidence', 'review', 'nope']) }));
    const mutations = 1 + rng.int(3);
    for (let i = 0; i < mutations; i++) mutate(rng, activity);
    return { kind: 'mutated-invoke', body: activity };
  }
  if (roll < 64) {
    const type = rng.pick(['event', 'typing', 'conversationUpdate', 'installationUpdate', 'messageReaction', 'messageUpdate', 'messageDelete', 'endOfConversation', 'trace', 'handoff', 'command', 'invoke', 'unknownType', '', 'MESSAGE']);
    const extra: Record<string, unknown> = { type };
    if (rng.chance(0.5)) extra.name = rng.pick(['adaptiveCard/action', 'composeExtension/query', 'task/fetch', 'signin/verifyState', 'fileConsent/invoke', 'actionableMessage/executeAction', 'nope', '']);
    if (rng.chance(0.5)) extra.value = wrongValue(rng);
    if (rng.chance(0.4)) extra.membersAdded = [{ id: rng.pick(['28:postwatch', '29:x']), aadObjectId: wrongValue(rng) }, wrongValue(rng)];
    if (rng.chance(0.3)) extra.action = rng.pick(['add', 'remove', 'add-upgrade', wrongValue(rng)]);
    if (rng.chance(0.3)) extra.channelData = { tenant: { id: 'nhsmail' }, team: { id: wrongValue(rng) }, eventType: rng.pick(['teamMemberAdded', 'channelCreated', 'x']) };
    return { kind: 'other-type', body: teamsActivity(url, bad, extra) };
  }
  if (roll < 84) {
    // Well-formed envelopes from staff with an open report: card data with hostile, extra and missing fields.
    const verb = rng.pick([VERBS.next, VERBS.back, VERBS.edit, VERBS.risk, VERBS.next, VERBS.next, 'report.unknown', VERBS.myReports]);
    const data: Record<string, unknown> = {
      draftId: rng.chance(0.85) ? drafts.get(ok.aadObjectId) : rng.pick(['', 'not-a-draft', wrongValue(rng)]),
      step: rng.pick(['where', 'what', 'risk', 'evidence', 'review', 'where', 'what', 'nope', 7]),
    };
    const fields = ['platform', 'postUrl', 'seenDate', 'seenTime', 'authorName', 'authorRelationship', 'postText', 'categories', 'namedParties', 'namedColleagues', 'atRisk', 'riskDetails', 'noScreenshot', 'noScreenshotReason', 'editStep', 'answer', 'incidentId', 'role', 'isManager', 'reporter', 'practiceId', '__proto__', '$root', '${x}'];
    for (const field of fields) {
      if (!rng.chance(0.45)) continue;
      const r = rng.int(10);
      data[field] = r < 4 ? rng.pick(HOSTILE_TEXTS) : r < 6 ? wrongValue(rng) : r < 7 ? hugeText(rng, 20_000 + rng.int(80_000)) : r < 8 ? controlText(rng, 200) : rng.pick(['facebook', 'patient', 'yes', 'no', 'true', 'what', ...Object.values(seenYesterday())]);
    }
    return { kind: 'card-data', body: teamsActivity(url, ok, cardInvoke(verb, data)) };
  }
  if (roll < 94) {
    // Well-formed messages with hostile text, up to 100 KB.
    const r = rng.int(4);
    const text = r === 0 ? hugeText(rng) : r === 1 ? controlText(rng, 500) : r === 2 ? `${rng.pick(HOSTILE_TEXTS)} ${rng.pick(HOSTILE_TEXTS)}` : rng.pick(HOSTILE_TEXTS);
    return { kind: 'hostile-text', body: teamsActivity(url, ok, { type: 'message', text }) };
  }
  // Attachments of every odd shape: on the connector stand-in, or hostile URLs that must be refused unresolved.
  const attachments = Array.from({ length: 1 + rng.int(3) }, () =>
    rng.pick<unknown>([
      { contentType: 'image/png', contentUrl: `${url}v3/attachments/x/views/original`, name: rng.pick(HOSTILE_TEXTS) },
      { contentType: 'image/png', contentUrl: rng.pick(HOSTILE_URLS), name: 'shot.png' },
      { contentType: 'application/vnd.microsoft.teams.file.download.info', content: { downloadUrl: rng.pick(HOSTILE_URLS), fileType: 'png' }, name: 'shot.png' },
      { contentType: 'image/svg+xml', contentUrl: `${url}x.svg`, name: 'x.svg' },
      { contentType: 'application/vnd.microsoft.teams.file.download.info', content: { downloadUrl: 'https://127.0.0.1:9/x.png', fileType: 'png' }, name: '../../x.png' },
      { contentType: 'application/vnd.microsoft.teams.file.download.info', content: wrongValue(rng), name: wrongValue(rng) },
      { contentType: 'text/html', content: '<div>report a post</div>' },
      { contentType: wrongValue(rng), contentUrl: wrongValue(rng) },
      wrongValue(rng),
    ]),
  );
  return { kind: 'attachments', body: teamsActivity(url, rng.chance(0.5) ? ok : bad, { type: 'message', text: rng.pick(['', 'report a post', 'here']), attachments }) };
}

async function send(request: FuzzRequest): Promise<Outcome> {
  const body = typeof request.body === 'string' ? request.body : JSON.stringify(confineToLoopback(request.body));
  const method = request.method ?? 'POST';
  const t0 = performance.now();
  const response = await fetch(`${server.url}${request.path ?? '/api/messages'}`, {
    method,
    headers: { 'content-type': 'application/json', ...request.headers },
    ...(method === 'GET' || method === 'OPTIONS' ? {} : { body }),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await response.text();
  return { kind: request.kind, status: response.status, text, request: body.slice(0, 300), ms: performance.now() - t0 };
}

/** Who sent something that may legitimately open a report: a message mentioning "report" or a report.start. */
function mayOpenReport(request: FuzzRequest): string | undefined {
  if (typeof request.body === 'string') return undefined;
  const from = request.body.from as { aadObjectId?: unknown } | undefined;
  if (!from || typeof from.aadObjectId !== 'string') return undefined;
  const { type, text, value } = request.body as { type?: unknown; text?: unknown; value?: unknown };
  if (type === 'message' && typeof text === 'string' && /report/i.test(text)) return from.aadObjectId;
  if (type === 'invoke' && [VERBS.start, VERBS.another].some((verb) => JSON.stringify(value ?? '').includes(`"${verb}"`))) return from.aadObjectId;
  return undefined;
}

async function health(): Promise<number> {
  return (await fetch(`${server.url}/healthz`)).status;
}

async function evidenceBlobs(): Promise<number> {
  const container = BlobServiceClient.fromConnectionString(azurite.connectionString).getContainerClient(`${server.tablePrefix}-evidence`);
  let count = 0;
  for await (const _ of container.listBlobsFlat()) count++;
  return count;
}

/** A normal report, start to submit, through the real server: what the fuzz must leave working. */
async function reportEndToEnd(name: string): Promise<void> {
  const rita = person(name);
  const invoke = async (verb: string, data: Record<string, unknown>) => {
    const response = await postActivity(server.url, teamsActivity(connector.url, rita, cardInvoke(verb, data)));
    expect(response.status).toBe(200);
    expect(response.json.type).toBe('application/vnd.microsoft.card.adaptive');
    return response.json.value;
  };
  const started = await postActivity(server.url, teamsActivity(connector.url, rita, { type: 'message', text: 'report a post' }));
  expect(started.status).toBe(200);
  let card = connector.sentActivities().at(-1).attachments[0].content;
  expect(textOfCard(card)).toContain('Step 1 of 5');
  const next = (c: unknown, inputs: Record<string, unknown>) => invoke(action(c, 'Next').verb, { ...action(c, 'Next').data, ...inputs });
  card = await next(card, { platform: 'facebook', postUrl: 'https://www.facebook.com/p/1', ...seenYesterday(), authorName: 'J. Bloggs', authorRelationship: 'patient' });
  card = await next(card, { postText: 'The receptionist is a disgrace ${postText} **bold**', categories: 'personal-attack', namedParties: '', namedColleagues: '' });
  card = await invoke(action(card, 'No').verb, action(card, 'No').data);
  card = await next(card, { noScreenshot: 'true', noScreenshotReason: 'Deleted' });
  expect(textOfCard(card)).toContain('Step 5 of 5');
  card = await invoke(action(card, 'Submit').verb, action(card, 'Submit').data);
  const reference = /PW-\d{4}-\d{4}/.exec(textOfCard(card))?.[0];
  expect(reference).toBeDefined();
  const incident = await server.stores.incidents.get('practice', reference!);
  // User text is kept as data: the template expression was not evaluated.
  expect(incident?.facts.what.postText).toBe('The receptionist is a disgrace ${postText} **bold**');
  expect(await health()).toBe(200);
}

describe(`fuzz (seed ${SEED})`, () => {
  it(`survives ${REQUESTS} malformed and hostile requests without leaking or storing anything for them, and still takes a normal report afterwards`, { timeout: 120_000 }, async () => {
    const quiet = [vi.spyOn(console, 'error').mockImplementation(() => undefined), vi.spyOn(console, 'warn').mockImplementation(() => undefined)];
    try {
      // Staff with an open report: the fuzz sends their own draft ids with hostile card data.
      const drafts = new Map<string, string>();
      for (let i = 0; i < OK_USERS; i++) {
        const who = person(`fuzz-ok-${i}`);
        expect((await postActivity(server.url, teamsActivity(connector.url, who, { type: 'message', text: 'report a post' }))).status).toBe(200);
        drafts.set(who.aadObjectId, (await server.stores.drafts.get('practice', who.aadObjectId))!.value.id);
      }
      const before = await storedRows(azurite.connectionString, server.tablePrefix);
      expect(before.filter((r) => r.table === 'drafts')).toHaveLength(OK_USERS);

      const rng = new Rng(SEED);
      const requests = Array.from({ length: REQUESTS }, (_, i) => generate(rng, i, drafts));
      const mayHaveDraft = new Set([...drafts.keys(), ...requests.map(mayOpenReport).filter((id): id is string => !!id)]);

      const outcomes: Outcome[] = [];
      const failures: string[] = [];
      let nextIndex = 0;
      const worker = async () => {
        while (nextIndex < requests.length) {
          const i = nextIndex++;
          try {
            outcomes.push(await send(requests[i]!));
          } catch (error) {
            failures.push(`#${i} ${requests[i]!.kind}: ${(error as Error).message}`);
          }
          if (i % 500 === 0) {
            const status = await health();
            if (status !== 200) failures.push(`#${i}: /healthz answered ${status}`);
          }
        }
      };
      await Promise.all(Array.from({ length: CONCURRENCY }, worker));
      const context = `(FUZZ_SEED=${SEED})`;
      if (process.env.FUZZ_DEBUG) (await import('node:fs')).writeFileSync(process.env.FUZZ_DEBUG, JSON.stringify(outcomes, null, 1));

      // Every request was answered, and the server is still up.
      expect(failures, context).toEqual([]);
      expect(outcomes).toHaveLength(REQUESTS);
      expect(await health(), context).toBe(200);
      // It never tried to reach anything but this machine (e.g. a default connector for an activity without serviceUrl).
      expect(egress.attempts, context).toEqual([]);

      // Plain answers, never internals.
      const statuses = new Map<string, number>();
      for (const o of outcomes) statuses.set(`${o.kind} ${o.status}`, (statuses.get(`${o.kind} ${o.status}`) ?? 0) + 1);
      const unexpected = outcomes.filter((o) => !STATUSES.has(o.status));
      expect(
        unexpected.slice(0, 5).map((o) => `${o.kind} ${o.status} ${o.text.slice(0, 200)} <- ${o.request}`),
        `${context} status counts: ${JSON.stringify(Object.fromEntries(statuses))}`,
      ).toEqual([]);
      const leaks = outcomes.filter((o) => LEAK.test(o.text));
      expect(leaks.slice(0, 3).map((o) => `${o.kind} ${o.status} ${o.text.slice(0, 300)}`), context).toEqual([]);
      const botSaid = connector.calls.map((c) => JSON.stringify(c.body ?? ''));
      expect(botSaid.filter((b) => LEAK.test(b)).slice(0, 3), context).toEqual([]);
      expect(outcomes.filter((o) => o.kind === 'huge').every((o) => o.status === 413), context).toBe(true);
      expect(outcomes.filter((o) => o.kind === 'broken-json').every((o) => o.status >= 400 && o.status < 500), context).toBe(true);

      // Card answers keep the shape Teams needs and stay under Teams' size limit.
      for (const o of outcomes.filter((x) => x.status === 200 && x.text.startsWith('{"statusCode"'))) {
        const body = JSON.parse(o.text) as { statusCode: number; type: string; value: unknown };
        expect(body.statusCode, context).toBe(200);
        expect(['application/vnd.microsoft.card.adaptive', 'application/vnd.microsoft.activity.message']).toContain(body.type);
        if (body.type === 'application/vnd.microsoft.card.adaptive') {
          expect(Buffer.byteLength(JSON.stringify(body.value)), context).toBeLessThan(MAX_CARD_BYTES);
          expect((body.value as { version?: string }).version).toBe('1.5');
        }
      }

      // Nothing stored for invalid input: no incident, no membership, no evidence; drafts only for
      // people who asked to report (and the staff who already had one).
      const after = await storedRows(azurite.connectionString, server.tablePrefix);
      const key = (r: StoredRow) => `${r.table}/${r.partitionKey}/${r.rowKey}`;
      const added = after.filter((r) => !before.some((b) => key(b) === key(r)));
      expect(added.filter((r) => r.table !== 'drafts').map(key), context).toEqual([]);
      expect(added.filter((r) => !mayHaveDraft.has(r.rowKey)).map(key), context).toEqual([]);
      expect(await evidenceBlobs(), context).toBe(0);

      // Hostile answers kept in a draft are text, within the limits.
      for (const id of drafts.keys()) {
        const draft = await server.stores.drafts.get('practice', id);
        if (!draft) continue; // a fuzzed Cancel may have discarded it: allowed
        for (const [field, value] of Object.entries(draft.value.answers)) {
          expect(typeof value, `${context} ${id}.${field}`).toBe('string');
          expect((value as string).length, `${context} ${id}.${field}`).toBeLessThanOrEqual(((LIMITS as Record<string, number>)[field] ?? 2_000) + 1);
        }
      }
    } finally {
      quiet.forEach((spy) => spy.mockRestore());
    }
    // In this test, not the next one: it stands alone and still proves the fuzz left the bot working.
    await reportEndToEnd('rita-after-fuzz');
  });

  it('takes a normal report end to end, run alone or after the fuzz', async () => {
    await reportEndToEnd('rita-baseline');
  });
});
