import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzuriteProcess } from '../../src/store/azuriteProcess.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { approvedSentencesOf, reviewReply } from '../../src/domain/policy/guard.ts';
import { attestationKey } from '../../src/domain/policy/reply-guard/attestation.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { INCIDENT_VERBS, INCIDENT_INPUTS } from '../../src/contract/cards.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';
import { eventually, startBotProcess, stopBotProcesses, writePracticesFile, type BotProcess } from '../support/botProcess.ts';
import { cardIn, FakeConnector, type ScriptedAnswer } from '../support/connector.ts';
import { LEAK, outboxRows, type StoredOutboxRow } from '../support/realServer.ts';
import { actionsOf, textOfCard } from '../support/teams.ts';
import { DEFAULT_WHERE, personalChat, reportThroughCards, TeamsWire, TENANT, type WirePerson } from '../support/teamsWire.ts';

/**
 * Faults, against the bot as `npm start` runs it (src/main.ts in a child process): storage that
 * stops in the middle of a report, a connector that throttles and fails before it recovers, and the
 * bot killed between a manager's decision and the reporter's notification. Each scenario has its
 * own people, practice, tables, connector and bot process, so the three run side by side.
 *
 * botframework-connector would retry a 429 or a 5xx three times itself, sleeping through the
 * Retry-After inside an outbox pass; the bot turns that off (src/server.ts), so the outbox sees
 * every failed send at once and decides when to try again: one failed request per failure.
 */

/** The connector client does not retry (src/server.ts): each failure reaches the outbox at once. */
const SDK_TRIES = 1;
/** Generous: the scenarios wait (poll) for retries and restarts; none asserts on how long anything took. */
const SCENARIO_TIMEOUT_MS = 150_000;
const times = (n: number, answer: ScriptedAnswer): ScriptedAnswer[] => Array.from({ length: n }, () => ({ ...answer }));

let memoryStorage: EmbeddedAzurite;
const cleanups: Array<() => Promise<unknown>> = [];

beforeAll(async () => {
  memoryStorage = await startAzuriteProcess({});
});

afterAll(async () => {
  await stopBotProcesses();
  for (const cleanup of cleanups.reverse()) await cleanup().catch(() => undefined);
  await memoryStorage?.close();
});

/** One practice, its people, its tables and its own connector: a little world for one scenario. */
interface World {
  name: string;
  connector: FakeConnector;
  wire: TeamsWire;
  stores: Stores;
  prefix: string;
  channel: string;
  team: string;
  mary: WirePerson;
  rita: WirePerson;
  bot: BotProcess;
  startBot(): Promise<BotProcess>;
  outbox(): Promise<StoredOutboxRow[]>;
  /** Describes a wait, for its failure message: the connector's last calls and the bot's log tail as they are then. */
  log(what: string): () => string;
}

async function world(name: string, storage: () => EmbeddedAzurite): Promise<World> {
  const connector = await new FakeConnector().start();
  cleanups.push(() => connector.stop());
  const team = `19:team-${name}@thread.tacv2`;
  const channel = `19:review-${name}@thread.tacv2`;
  const mary: WirePerson = { id: `29:${name}-mary`, aadObjectId: `aad-${name}-mary`, name: 'Mary Manager' };
  const rita: WirePerson = { id: `29:${name}-rita`, aadObjectId: `aad-${name}-rita`, name: 'Rita Reception' };
  const practices = await writePracticesFile({
    practices: [
      {
        id: 'millbrook',
        name: 'Millbrook Medical Centre',
        teamIds: [team],
        staff: [rita.aadObjectId],
        staffNames: ['Rita Reception'],
        phone: '01234 567890',
        managers: [mary.aadObjectId],
        deputies: [],
        dataProtectionOfficers: [],
      },
    ],
  });
  cleanups.push(() => practices.remove());
  const prefix = uniqueTablePrefix();
  const stores = await createAzureStores(storage().connectionString, { tablePrefix: prefix });
  const w: World = {
    name,
    connector,
    wire: new TeamsWire('', connector),
    stores,
    prefix,
    channel,
    team,
    mary,
    rita,
    bot: undefined as unknown as BotProcess,
    async startBot() {
      w.bot = await startBotProcess({
        AZURE_STORAGE_CONNECTION_STRING: storage().connectionString,
        POSTWATCH_PRACTICES_FILE: practices.path,
        POSTWATCH_TABLE_PREFIX: prefix,
        POSTWATCH_ALLOWED_TENANTS: TENANT,
      });
      w.wire.botUrl = w.bot.url;
      return w.bot;
    },
    outbox: () => outboxRows(storage().connectionString, prefix),
    log: (what) => () =>
      [
        what,
        '--- connector, last calls ---',
        ...connector.calls.slice(-12).map((c) => `${c.method} ${c.conversationId ?? c.path} -> ${c.status}`),
        '--- bot log (tail) ---',
        w.bot?.output().slice(-3_000) ?? '(no bot)',
      ].join('\n'),
  };
  return w;
}

/** Both people open their 1:1 chat with the bot and the manager picks the review channel. */
async function setUpPractice(w: World): Promise<void> {
  for (const person of [w.mary, w.rita]) expect((await w.wire.say(person, 'hello')).status).toBe(200);
  const since = w.connector.calls.length;
  expect((await w.wire.sayInChannel(w.mary, 'use this channel for incident review', { teamId: w.team, channelId: w.channel })).status).toBe(200);
  expect(w.connector.calls.slice(since).map((c) => c.body?.text ?? '').join(' ')).toMatch(/will be posted in this channel/);
}

const WHAT = (postText: string) => ({ postText, categories: 'personal-attack', namedParties: '', namedColleagues: '' });

const cardsAbout = (w: World, conversation: string, reference: string) =>
  w.wire.cardsDelivered(conversation).filter((c) => JSON.stringify(c.card).includes(reference));

async function approveFromCard(w: World, reference: string, reply: string) {
  const card = cardsAbout(w, personalChat(w.mary), reference)[0]!;
  const approve = actionsOf(card.card).find((a) => a.verb === INCIDENT_VERBS.approveReply)!;
  // The manager attests to the reply's free-text sentences (those not from the approved list).
  const attestFreeText = attestationKey(reviewReply(reply, { staffNames: [], approvedSentences: approvedSentencesOf(loadPolicy()) }).freeText.map((s) => s.text));
  return w.wire.press(w.mary, approve.verb, { ...approve.data, [INCIDENT_INPUTS.replyText]: reply, [INCIDENT_INPUTS.reporterPostsReply]: 'true', [INCIDENT_INPUTS.attestFreeText]: attestFreeText }, card.activityId);
}

const REPLY = 'Thank you for your feedback. We are sorry to hear you are unhappy. Please contact the practice manager on 01234 567890 so we can look into this.';

describe('faults', () => {
  it.concurrent('storage stops in the middle of a report: the person is told plainly, nothing typed is lost, and the report completes once storage is back', async () => {
    // Storage of its own, kept on disk, so it can be stopped and started again on the same ports with the same data.
    const dataDir = await mkdtemp(join(tmpdir(), 'postwatch-faults-'));
    cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
    let storage = await startAzuriteProcess({ location: dataDir });
    cleanups.push(() => storage.close());
    const w = await world('outage', () => storage);
    await w.startBot();
    const { tablePort, blobPort } = storage;
    const stop = async () => {
      await storage.close();
      expect((await fetch(`${w.bot.url}/healthz`)).status).toBe(503);
    };
    const restart = async () => {
      storage = await startAzuriteProcess({ location: dataDir, tablePort, blobPort });
      await eventually('storage to be healthy again', async () => (await fetch(`${w.bot.url}/healthz`)).status === 200, 10_000);
    };
    const postText = 'Rita on reception should be sacked, she is a disgrace';
    const outcomes: string[] = [];
    let submit: { verb: string; data: Record<string, unknown> } | undefined;

    const report = await reportThroughCards(w.wire, w.connector, w.rita, { what: WHAT(postText) }, async (step, card, press) => {
      if (step === 'what') {
        // Storage goes away while Rita types what the post says.
        await stop();
        const answer = await press('Next', WHAT(postText));
        expect(answer.type).toBe('application/vnd.microsoft.activity.message');
        expect(String(answer.value)).toMatch(/could not reach its storage/);
        expect(String(answer.value)).toMatch(/NOT been saved/);
        expect(String(answer.value)).toMatch(/answers are still on the card/);
        // Writing to the bot meanwhile gets a plain answer in the chat, not silence.
        const since = w.connector.calls.length;
        expect((await w.wire.say(w.rita, 'my reports')).status).toBe(200);
        expect(w.wire.textsDelivered(personalChat(w.rita), since).join(' ')).toMatch(/could not reach its storage/);
        await restart();
        // What she had saved before the outage is still there; the card (unchanged) still holds what she typed.
        const draft = await w.stores.drafts.get('millbrook', w.rita.aadObjectId);
        expect(draft?.value.step).toBe('what');
        expect(draft?.value.answers).toMatchObject({ platform: 'facebook', authorName: '@angry_dad' });
        outcomes.push('what: told, kept');
        return card;
      }
      if (step === 'review') {
        submit = actionsOf(card).find((a) => a.title === 'Submit');
        // And again at the very end: Submit while storage is down.
        await stop();
        const answer = await press('Submit');
        expect(answer.type).toBe('application/vnd.microsoft.activity.message');
        expect(String(answer.value)).toMatch(/could not reach its storage/);
        await restart();
        const draft = await w.stores.drafts.get('millbrook', w.rita.aadObjectId);
        expect(draft?.value.step).toBe('review');
        expect(draft?.value.answers).toMatchObject({ postText, platform: 'facebook', noScreenshot: 'true' });
        expect(await w.stores.incidents.listByReporter('millbrook', w.rita.aadObjectId, 10)).toEqual([]);
        outcomes.push('review: told, kept');
        return card;
      }
      return undefined;
    });
    expect(outcomes).toEqual(['what: told, kept', 'review: told, kept']);
    expect(textOfCard(report.card)).toMatch(/PW-\d{4}-\d{4}/);

    // Pressing Submit again (a retried invoke, a double click) does not make a second incident.
    const again = await w.wire.press(w.rita, submit!.verb, submit!.data, report.cardActivityId);
    expect(JSON.stringify(again)).not.toMatch(LEAK);
    const incidents = await w.stores.incidents.listByReporter('millbrook', w.rita.aadObjectId, 10);
    expect(incidents.map((i) => i.reference)).toEqual([report.reference]);
    expect(incidents[0]?.facts.what.postText).toBe(postText);
    expect(await w.stores.drafts.get('millbrook', w.rita.aadObjectId)).toBeUndefined();
    const trail = await w.stores.incidents.auditTrail('millbrook', report.reference);
    expect(trail.filter((e) => e.action === 'incident.reported')).toHaveLength(1);
  }, SCENARIO_TIMEOUT_MS);

  it.concurrent('the connector throttles (429, Retry-After) and fails (503) before it recovers: every notification is delivered once, in order, none lost', async () => {
    const w = await world('flaky', () => memoryStorage);
    await w.startBot();
    await setUpPractice(w);

    // The review channel throttles, then fails, then recovers. The SDK's own retries are told to
    // come back at once (Retry-After: 0) to keep the test short; the answers the bot's outbox sees
    // ask for 3 s (the 429) and 1 s (the 503).
    w.connector.script(w.channel, [
      ...times(SDK_TRIES - 1, { status: 429, retryAfter: 0 }),
      { status: 429, retryAfter: 3 },
      ...times(SDK_TRIES - 1, { status: 503, retryAfter: 0 }),
      { status: 503, retryAfter: 1 },
    ]);
    // Watch the outbox as it works: what the bot recorded about each failed send.
    const seen = new Map<string, Map<string, { attempts: number; lastError: string; nextAttemptAt: string }>>();
    let watching = true;
    const watcher = (async () => {
      while (watching) {
        for (const row of await w.outbox().catch(() => [])) {
          if (!row.lastError) continue;
          const record = { attempts: row.attempts, lastError: row.lastError, nextAttemptAt: row.nextAttemptAt };
          seen.set(row.id, (seen.get(row.id) ?? new Map()).set(JSON.stringify(record), record));
        }
        await new Promise((resolve) => setTimeout(resolve, 100));
      }
    })();

    try {
      const first = await reportThroughCards(w.wire, w.connector, w.rita, { what: WHAT('First post: the receptionist is a liar') });
      // Another post (its own link): the same link would make it a re-report of the first, which redraws the first card.
      const second = await reportThroughCards(w.wire, w.connector, w.rita, { where: { ...DEFAULT_WHERE(), postUrl: 'https://www.facebook.com/millbrook/posts/10' }, what: WHAT('Second post: the receptionist is still a liar') });
      await eventually(
        w.log('both incident cards in the manager\'s chat'),
        () => cardsAbout(w, personalChat(w.mary), first.reference).length > 0 && cardsAbout(w, personalChat(w.mary), second.reference).length > 0,
        60_000,
      );

      // While the channel is still failing, the manager decides the first; the reporter's chat fails (503) too.
      w.connector.script(personalChat(w.rita), [...times(SDK_TRIES - 1, { status: 503, retryAfter: 0 }), { status: 503, retryAfter: 1 }]);
      const decided = await approveFromCard(w, first.reference, REPLY);
      expect(textOfCard(decided.value)).toMatch(/Decision recorded/);

      await eventually(
        w.log('the channel\'s cards and the reporter\'s update'),
        () => cardsAbout(w, w.channel, second.reference).length > 0 && cardsAbout(w, personalChat(w.rita), first.reference).length > 0,
        60_000,
      );
      await eventually(w.log('everything delivered'), async () => (await w.outbox()).every((r) => r.status === 'sent'), 30_000);
      expect(w.connector.scriptLeft(w.channel)).toBe(0);
      expect(w.connector.scriptLeft(personalChat(w.rita))).toBe(0);
      const channelCalls = w.connector.calls.filter((c) => c.conversationId === w.channel);
      expect(channelCalls.filter((c) => c.status === 429)).toHaveLength(SDK_TRIES);
      expect(channelCalls.filter((c) => c.status === 503)).toHaveLength(SDK_TRIES);

      // Once each, and in the order they were queued, in every conversation.
      const order = (conversation: string) =>
        w.wire.cardsDelivered(conversation).flatMap((c) => [first.reference, second.reference].filter((r) => JSON.stringify(c.card).includes(r)));
      expect(order(w.channel)).toEqual([first.reference, second.reference]);
      expect(order(personalChat(w.mary))).toEqual([first.reference, second.reference]);
      expect(cardsAbout(w, personalChat(w.rita), first.reference)).toHaveLength(1);
      expect(textOfCard(cardsAbout(w, personalChat(w.rita), first.reference)[0]!.card)).toContain(REPLY);
      // The manager's copy was replaced once; the channel's copy, whether it was drawn after the
      // decision or replaced since, shows the decision.
      expect(w.connector.updates(personalChat(w.mary))).toHaveLength(1);
      const channelViews = [
        ...cardsAbout(w, w.channel, first.reference).map((c) => c.card),
        ...w.connector.updates(w.channel).map((c) => cardIn(c.body)!).filter((card) => JSON.stringify(card).includes(first.reference)),
      ];
      expect(textOfCard(channelViews.at(-1))).toMatch(/Decided by Mary Manager/);

      // The bot's outbox saw the connector's own status codes, and honoured the Retry-After.
      const firstCard = `${first.reference}|channel|card`;
      const records = [...(seen.get(firstCard)?.values() ?? [])];
      expect(records.map((r) => `${r.attempts} ${r.lastError}`)).toEqual(expect.arrayContaining(['1 HTTP 429', '2 HTTP 503']));
      const last429 = channelCalls.filter((c) => c.status === 429).at(-1)!.at;
      expect(Date.parse(records.find((r) => r.lastError === 'HTTP 429')!.nextAttemptAt) - last429).toBeGreaterThanOrEqual(2_900);

      const rows = await w.outbox();
      const row = (id: string) => rows.find((r) => r.id === id);
      expect(row(firstCard)).toMatchObject({ status: 'sent', attempts: 3, lastError: 'HTTP 503' });
      // The second card never overtook the first: it was not even tried while the first was failing.
      expect(row(`${second.reference}|channel|card`)).toMatchObject({ status: 'sent', attempts: 1, lastError: '' });
      // The reporter's update failed once (503), then went out, and a delivered message is removed from the outbox.
      expect([...(seen.get(`${first.reference}|reporter|decision`)?.values() ?? [])].map((r) => `${r.attempts} ${r.lastError}`)).toContain('1 HTTP 503');
      expect(row(`${first.reference}|reporter|decision`)).toBeUndefined();
    } finally {
      watching = false;
      await watcher;
    }
  }, SCENARIO_TIMEOUT_MS);

  it.concurrent('the bot is killed between the manager\'s decision and the reporter\'s notification: after a restart she is told, once', async () => {
    const w = await world('crash', () => memoryStorage);
    await w.startBot();
    await setUpPractice(w);
    const report = await reportThroughCards(w.wire, w.connector, w.rita, { what: WHAT('The receptionist is a disgrace') });
    await eventually(w.log('the manager\'s card'), () => cardsAbout(w, personalChat(w.mary), report.reference).length > 0, 20_000);
    await eventually(w.log('the routed cards recorded as sent'), async () => (await w.outbox()).every((r) => r.status === 'sent'), 20_000);

    // Rita's chat cannot be reached, so her notification stays queued. The connector's last answer
    // to the first attempt asks for 6 s, so the bot is certainly not trying again when it is killed.
    w.connector.script(personalChat(w.rita), [...times(SDK_TRIES - 1, { status: 503, retryAfter: 0 }), { status: 503, retryAfter: 6 }]);
    w.connector.refuse(personalChat(w.rita), { status: 503, retryAfter: 1 });
    const decided = await approveFromCard(w, report.reference, REPLY);
    expect(textOfCard(decided.value)).toMatch(/Decision recorded/);
    const notification = `${report.reference}|reporter|decision`;
    // The moment the bot has tried, failed and put the notification back in the queue (and every
    // other notification is out), it is killed: no shutdown, nothing flushed.
    await eventually(
      w.log('the failed attempt to be recorded'),
      async () => {
        const rows = await w.outbox();
        const mine = rows.find((r) => r.id === notification);
        return mine && mine.status === 'pending' && mine.attempts >= 1 && !mine.claimedUntil && rows.filter((r) => r.id !== notification).every((r) => r.status === 'sent');
      },
      30_000,
      50,
    );
    const killed = w.bot;
    await killed.kill();
    expect(killed.child.signalCode).toBe('SIGKILL');
    expect(cardsAbout(w, personalChat(w.rita), report.reference)).toHaveLength(0);
    // One attempt was made (the SDK's four requests), refused, and nothing reached her.
    expect(w.connector.calls.filter((c) => c.conversationId === personalChat(w.rita) && c.status === 503)).toHaveLength(SDK_TRIES);
    const queued = (await w.outbox()).find((r) => r.id === notification);
    expect(queued).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 503', claimedUntil: '' });

    // The connector recovers; the bot starts again on the same storage.
    w.connector.heal(personalChat(w.rita));
    await w.startBot();
    await eventually(w.log('the reporter\'s notification after the restart'), () => cardsAbout(w, personalChat(w.rita), report.reference).length > 0, 30_000);
    await eventually(w.log('everything delivered'), async () => (await w.outbox()).every((r) => r.status === 'sent'), 20_000);

    const toRita = cardsAbout(w, personalChat(w.rita), report.reference);
    expect(toRita).toHaveLength(1);
    expect(textOfCard(toRita[0]!.card)).toContain(REPLY);
    // Nothing the first process had delivered was sent again by the second.
    expect(cardsAbout(w, w.channel, report.reference)).toHaveLength(1);
    expect(cardsAbout(w, personalChat(w.mary), report.reference)).toHaveLength(1);
    expect(w.connector.updates(w.channel)).toHaveLength(1);
    expect(w.connector.updates(personalChat(w.mary))).toHaveLength(1);
    // Delivered, so no longer in the outbox (messages are removed once sent).
    expect((await w.outbox()).find((r) => r.id === notification)).toBeUndefined();
  }, SCENARIO_TIMEOUT_MS);
});
