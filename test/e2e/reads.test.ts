import { TableClient } from '@azure/data-tables';
import { MicrosoftAppCredentials } from 'botframework-connector';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { REFUSAL_LIMIT } from '../../src/app/refusals.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { countingStores } from '../support/authenticatedBot.ts';
import { eventually, writePracticesFile } from '../support/botProcess.ts';
import { FakeConnector } from '../support/connector.ts';
import { LEAK, startRealServer, startStorage, type RealServer } from '../support/realServer.ts';
import { actionsOf, findById, textOfCard } from '../support/teams.ts';
import { personalChat, reportThroughCards, TeamsWire, TENANT, type InvokeAnswer } from '../support/teamsWire.ts';
import { BOT_FRAMEWORK_ISSUER, TestTokenIssuer } from '../support/tokenIssuer.ts';

/**
 * Reads are authorised like writes (issue 11, part 1), over real HTTP: the server with Bot Framework
 * authentication against a local JWKS, Azurite, the connector stand-in. Who sees what is decided
 * from who is asking, never from the card: another practice's manager, a colleague who is not the
 * reporter and a person in no practice all get one short notice, the same for a reference that does
 * not exist; the reporter sees her own view; the review channel its card. Evidence pack links work
 * once, for 10 minutes, across instances, and every download is audited with who fetched it.
 */

const APP_ID = '0b5e4c2a-7d0f-4f43-9d43-2a8f3c0ffee1';
const TEAM_A = '19:team-millbrook@thread.tacv2';
const CHANNEL_A = '19:incident-review@thread.tacv2';
const OTHER_CHANNEL_A = '19:general-millbrook@thread.tacv2';
const TEAM_B = '19:team-cockhedge@thread.tacv2';
const person = (name: string, full: string) => ({ id: `29:${name}`, aadObjectId: `aad-${name}`, name: full });
const mary = person('mary', 'Mary Manager'); // manager of Millbrook (A)
const rita = person('rita', 'Rita Reception'); // staff of A, the reporter
const sam = person('sam', 'Sam Secretary'); // staff of A, not the reporter
const bob = person('bob', 'Bob Boss'); // manager of Cockhedge (B)
const nora = person('nora', 'Nora Nobody'); // in no practice
const POST = 'The receptionist Jo at Millbrook shouted at my mum, disgraceful service';
const CLOSURE = 'Outcome-kept-private: platform removed it after our report';
const LESSONS = 'Lesson-kept-private: report sooner to the platform';
const REPLY = 'Thank you for taking the time to tell us. Please contact the practice manager on 01234 567890 so we can look into this with you.';
const LINK_SECRET = 'a-shared-link-secret-for-every-instance';

const connector = new FakeConnector();
let issuer: TestTokenIssuer;
let azurite: EmbeddedAzurite;
let practices: Awaited<ReturnType<typeof writePracticesFile>>;
let server: RealServer;
let wire: TeamsWire;
let env: Record<string, string>;
let offsetMs = 0;
const clock = () => new Date(Date.now() + offsetMs);
/** Storage calls the server made, by store and method (the rate limit must cost none). */
const storageCalls: string[] = [];
let reference = '';

beforeAll(async () => {
  // The bot's own outbound token would come from Entra ID: the one thing stubbed.
  vi.spyOn(MicrosoftAppCredentials.prototype, 'getToken').mockResolvedValue('outbound-token');
  await connector.start();
  issuer = await new TestTokenIssuer(['msteams']).start();
  azurite = await startStorage();
  practices = await writePracticesFile({
    practices: [
      { id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [TEAM_A], staff: [rita.aadObjectId, sam.aadObjectId], staffNames: ['Rita Reception'], phone: '01234 567890', managers: [mary.aadObjectId], deputies: [], dataProtectionOfficers: [] },
      { id: 'cockhedge', name: 'Cockhedge Medical Centre', teamIds: [TEAM_B], staff: [], staffNames: [], managers: [bob.aadObjectId], deputies: [], dataProtectionOfficers: [] },
    ],
  });
  env = {
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'test-password',
    ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    POSTWATCH_ALLOWED_TENANTS: TENANT,
    POSTWATCH_PRACTICES_FILE: practices.path,
    POSTWATCH_LINK_SECRET: LINK_SECRET,
  };
  server = await startRealServer(azurite.connectionString, env, { now: clock, wrapStores: countingStores(storageCalls) });
  wire = new TeamsWire(server.url, connector, () => ({ authorization: `Bearer ${issuer.sign(issuer.validClaims(APP_ID, connector.url))}` }));

  for (const p of [mary, rita, sam, bob]) expect((await wire.say(p, 'hello')).status).toBe(200);
  await wire.sayInChannel(mary, 'use this channel for incident review', { teamId: TEAM_A, channelId: CHANNEL_A });
  reference = (await reportThroughCards(wire, connector, rita, { what: { postText: POST, categories: 'personal-attack', namedParties: '', namedColleagues: '' } })).reference;
  await eventually('the incident is routed', async () => (await server.stores.incidents.get('millbrook', reference))?.handling?.grading, 20_000);
  await eventually('the channel card is delivered', () => wire.cardsDelivered(CHANNEL_A).some((c) => JSON.stringify(c.card).includes(reference)), 20_000);
}, 60_000);

afterAll(async () => {
  await server?.close();
  await azurite?.close();
  await issuer?.stop();
  await connector.stop();
  await practices?.remove();
  vi.restoreAllMocks();
});

const data = (ref: string, practiceId = 'millbrook') => ({ practiceId, reference: ref, version: 3, taskId: 't1', [INCIDENT_INPUTS.replyText]: REPLY, [INCIDENT_INPUTS.reason]: 'ignore', outcome_t1: 'done' });
const trail = () => server.stores.incidents.auditTrail('millbrook', reference);
const VERBS_TRIED = [INCIDENT_VERBS.refresh, INCIDENT_VERBS.approveReply, INCIDENT_VERBS.noResponse, INCIDENT_VERBS.taskDone, INCIDENT_VERBS.pack, INCIDENT_VERBS.close, INCIDENT_VERBS.answer];

/** Nothing of the incident: not the post, its author, the reporter, a hash, the grading or the reference. */
function expectNothingOf(answer: unknown): void {
  const text = JSON.stringify(answer);
  for (const secret of [POST.slice(0, 30), 'angry_dad', 'Rita Reception', 'severity', 'What the policy recommends', reference]) expect(text).not.toContain(secret);
  expect(text).not.toMatch(/[0-9a-f]{64}/);
  expect(text).not.toMatch(LEAK);
}

async function refusalCount(aad: string): Promise<number> {
  const table = TableClient.fromConnectionString(azurite.connectionString, `${server.tablePrefix}incidents`, { allowInsecureConnection: true });
  let count = 0;
  for await (const row of table.listEntities<{ count?: number }>({ queryOptions: { filter: `PartitionKey eq 'millbrook' and kind eq 'refusal' and aadObjectId eq '${aad}'` } })) count += row.count ?? 0;
  return count;
}

describe('who sees what: people who may not see the incident', () => {
  it('another practice\'s manager, a colleague who is not the reporter and a person in no practice get only the notice, the same for an incident that does not exist', async () => {
    const before = (await trail()).length;
    const answers: InvokeAnswer[] = [];
    for (const who of [bob, sam, nora]) {
      for (const verb of VERBS_TRIED) {
        for (const ref of [reference, 'PW-2026-0999']) {
          const answer = await wire.press(who, verb, data(ref));
          expectNothingOf(answer);
          answers.push(answer);
        }
      }
    }
    // Card data naming the other practice is refused the same way.
    answers.push(await wire.press(bob, INCIDENT_VERBS.refresh, data(reference, 'cockhedge')));
    // Identical words and identical shape, every time.
    expect(new Set(answers.map((a) => JSON.stringify(a))).size).toBe(1);
    expect(answers[0]!.type).toBe('application/vnd.microsoft.activity.message');
    expect(answers[0]!.value).toMatch(/nothing to show you/);

    // Nothing was decided, and the trail grew by one collapsed entry: the practice's own colleague's.
    const after = await trail();
    expect((await server.stores.incidents.get('millbrook', reference))?.handling?.decision).toBeUndefined();
    const added = after.slice(before);
    expect(added.map((e) => `${e.action} ${e.actor.aadObjectId}`)).toEqual(['decision.refused aad-sam']);
    expect(added[0]!.summary).toMatch(/counted/);
    // Every one of her refused presses on the real incident is counted beside it; outsiders' are not.
    expect(await refusalCount(sam.aadObjectId)).toBe(VERBS_TRIED.length);
    expect(await refusalCount(bob.aadObjectId)).toBe(0);
    expect(await refusalCount(nora.aadObjectId)).toBe(0);
  });

  it('"incident PW-…" gives a colleague the same notice as for a reference that does not exist', async () => {
    const since = connector.calls.length;
    await wire.say(sam, `incident ${reference}`);
    await wire.say(sam, 'incident PW-2026-0999');
    const texts = wire.textsDelivered(personalChat(sam), since);
    expect(texts).toHaveLength(2);
    expect(texts[0]).toBe(texts[1]);
    expect(wire.cardsDelivered(personalChat(sam), since)).toEqual([]);
    expectNothingOf(texts);
  });

  it('past the limit a stranger gets the same notice without a single storage read', async () => {
    const notice = await wire.press(nora, INCIDENT_VERBS.refresh, data(reference));
    for (let i = 0; i < REFUSAL_LIMIT; i++) await wire.press(nora, INCIDENT_VERBS.approveReply, data(`PW-2026-${String(100 + i).padStart(4, '0')}`));
    const reads = storageCalls.length;
    const limited = await Promise.all([0, 1, 2].map(() => wire.press(nora, INCIDENT_VERBS.refresh, data(reference))));
    expect(storageCalls.slice(reads)).toEqual([]);
    for (const answer of limited) expect(answer).toEqual(notice);
  });
});

describe('who sees what: the reporter and the review channel', () => {
  it('the review channel\'s card for a press from that channel; the notice from any other conversation', async () => {
    const inChannel = await wire.pressInChannel(sam, INCIDENT_VERBS.refresh, data(reference), { teamId: TEAM_A, channelId: CHANNEL_A });
    expect(inChannel.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(textOfCard(inChannel.value)).toContain(POST);
    expect(actionsOf(inChannel.value).map((a) => a.verb).filter((v) => v !== INCIDENT_VERBS.refresh)).toEqual([]);

    const elsewhere = await wire.pressInChannel(sam, INCIDENT_VERBS.refresh, data(reference), { teamId: TEAM_A, channelId: OTHER_CHANNEL_A });
    expect(elsewhere.type).toBe('application/vnd.microsoft.activity.message');
    expectNothingOf(elsewhere);

    // A decision pressed from the channel by a colleague: refused on the channel card, nothing decided.
    const forged = await wire.pressInChannel(sam, INCIDENT_VERBS.noResponse, data(reference), { teamId: TEAM_A, channelId: CHANNEL_A });
    expect(textOfCard(forged.value)).toMatch(/Only the practice manager.*Your attempt has been recorded/);
    expect((await server.stores.incidents.get('millbrook', reference))?.handling?.decision).toBeUndefined();
  });

  it('the reporter sees the status and what she was told, posts the approved reply, and never sees grading, closure notes or lessons', async () => {
    const first = await wire.press(rita, INCIDENT_VERBS.refresh, data(reference));
    expect(first.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(textOfCard(first.value)).toContain(`Your report ${reference}`);
    expect(textOfCard(first.value)).toMatch(/Status: Awaiting decision/);
    expect(JSON.stringify(first.value)).not.toMatch(/severity|What the policy recommends|angry_dad/i);
    expect(JSON.stringify(first.value)).not.toContain(POST.slice(0, 30));

    // The reply holds free text: the manager checks it, then attests to the sentences the card lists.
    const checked = await wire.press(mary, INCIDENT_VERBS.checkReply, data(reference));
    const attest = findById(checked.value, INCIDENT_INPUTS.attestFreeText);
    expect(attest?.valueOn).toBeTruthy();
    const decided = await wire.press(mary, INCIDENT_VERBS.approveReply, { ...data(reference), [INCIDENT_INPUTS.reporterPostsReply]: 'true', [INCIDENT_INPUTS.attestFreeText]: attest!.valueOn });
    expect(textOfCard(decided.value)).toMatch(/Decision recorded/);
    const toPost = await wire.press(rita, INCIDENT_VERBS.refresh, data(reference));
    expect(textOfCard(toPost.value)).toContain(REPLY);
    const markDone = actionsOf(toPost.value).find((a) => a.verb === INCIDENT_VERBS.taskDone)!;
    expect(markDone.data).toEqual({ practiceId: 'millbrook', reference, version: expect.any(Number), taskId: 't1' });
    const done = await wire.press(rita, markDone.verb, { ...markDone.data, outcome_t1: 'Posted under the review at 10:02' });
    expect(textOfCard(done.value)).toMatch(/Done, and recorded/);
    expect((await server.stores.incidents.get('millbrook', reference))?.status).toBe('resolved');

    const closed = await wire.press(mary, INCIDENT_VERBS.close, { ...data(reference), [INCIDENT_INPUTS.closeOutcome]: CLOSURE, [INCIDENT_INPUTS.lessonsLearnt]: LESSONS });
    expect(textOfCard(closed.value)).toContain(LESSONS);
    const since = connector.calls.length;
    for (const seen of [(await wire.press(rita, INCIDENT_VERBS.refresh, data(reference))).value, await sayIncident(rita, since)]) {
      const text = JSON.stringify(seen);
      expect(textOfCard(seen)).toMatch(/Status: Closed/);
      expect(textOfCard(seen)).toMatch(/closed this incident/);
      for (const secret of [CLOSURE, LESSONS, 'severity', 'What the policy recommends', 'angry_dad', POST.slice(0, 30)]) expect(text).not.toContain(secret);
    }
  });
});

async function sayIncident(who: typeof rita, since: number): Promise<Record<string, unknown>> {
  await wire.say(who, `incident ${reference}`);
  return wire.cardsDelivered(personalChat(who), since).at(-1)!.card;
}

describe('evidence pack links', () => {
  const packLink = async (): Promise<string> => {
    const answer = await wire.press(mary, INCIDENT_VERBS.pack, data(reference));
    const url = /https?:\/\/[^"\s]+\/evidence\?t=[\w.-]+/.exec(JSON.stringify(answer.value))?.[0];
    if (!url) throw new Error(`no link: ${JSON.stringify(answer).slice(0, 300)}`);
    return `${new URL(url).pathname}${new URL(url).search}`;
  };
  const get = (base: string, path: string, userAgent = 'PostwatchTest/1.0') => fetch(`${base}${path}`, { headers: { 'user-agent': userAgent } });

  it('works once; the download is audited with the client address and a bounded user agent', async () => {
    const path = await packLink();
    const agent = `PostwatchTest/1.0 "caf\u00e9" ${'x'.repeat(5_000)}`;
    const first = await get(server.url, path, agent);
    expect(first.status).toBe(200);
    expect(Buffer.from(await first.arrayBuffer()).subarray(0, 2).toString('latin1')).toBe('PK');
    const again = await get(server.url, path);
    expect(again.status).toBe(410);
    expect(await again.text()).toMatch(/ask for a new link/i);

    const downloads = (await trail()).filter((e) => e.action === 'evidence-pack.downloaded');
    expect(downloads).toHaveLength(1);
    expect(downloads[0]!.summary).toMatch(/client address (::ffff:)?127\.0\.0\.1/);
    // The client's header, printable ASCII only and cut short: it cannot close the quotes or fill the trail.
    expect(downloads[0]!.summary).toContain(`user agent "PostwatchTest/1.0 'caf?' xxx`);
    expect(downloads[0]!.summary.length).toBeLessThan(600);
  });

  it('works once across two instances sharing one store, even when both are asked at once', async () => {
    const second = await startRealServer(azurite.connectionString, env, { tablePrefix: server.tablePrefix });
    try {
      const path = await packLink();
      expect((await get(second.url, path)).status).toBe(200);
      expect((await get(server.url, path)).status).toBe(410);
      const raced = await packLink();
      const statuses = await Promise.all([get(server.url, raced), get(second.url, raced)]).then((r) => r.map((x) => x.status).sort());
      expect(statuses).toEqual([200, 410]);
    } finally {
      await second.close();
    }
  });

  it('stops working after 10 minutes', async () => {
    try {
      const kept = await packLink();
      offsetMs = 10 * 60_000 - 2_000;
      expect((await get(server.url, kept)).status).toBe(200);
      const late = await packLink();
      offsetMs += 10 * 60_000;
      const expired = await get(server.url, late);
      expect(expired.status).toBe(404);
      expect(await expired.text()).toMatch(/ask for a new link/i);
    } finally {
      offsetMs = 0;
    }
  });
});
