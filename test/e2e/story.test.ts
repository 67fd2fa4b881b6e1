import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAzuriteProcess } from '../../src/store/azuriteProcess.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';
import { eventually, startBotProcess, stopBotProcesses, writePracticesFile, type BotProcess } from '../support/botProcess.ts';
import { cardIn, FakeConnector } from '../support/connector.ts';
import { LEAK, outboxRows } from '../support/realServer.ts';
import { actionsOf, textOfCard } from '../support/teams.ts';
import { personalChat, reportThroughCards, TeamsWire, TENANT } from '../support/teamsWire.ts';

/**
 * The whole story over the wire, against the bot exactly as `npm start` runs it (src/main.ts in a
 * child process, configured only by its environment), an Azurite this test starts, and a stand-in
 * for the Bot Framework connector that records every REST call the bot makes. Teams' side is raw
 * activities POSTed to /api/messages. What the test checks is what a person would see (what reached
 * the connector, what the invokes answered) and what is stored.
 */

const TEAM = '19:team-millbrook@thread.tacv2';
const CHANNEL = '19:incident-review@thread.tacv2';
const mary = { id: '29:mary', aadObjectId: 'aad-mary', name: 'Mary Manager' };
const rita = { id: '29:rita', aadObjectId: 'aad-rita', name: 'Rita Reception' };
const EDITED_REPLY =
  'Thank you for taking the time to tell us. We are sorry you are unhappy. Please contact the practice manager on 01234 567890 so we can look into this with you.';

const prefix = uniqueTablePrefix();
const connector = new FakeConnector();
let azurite: EmbeddedAzurite;
let practices: Awaited<ReturnType<typeof writePracticesFile>>;
let bot: BotProcess;
let stores: Stores;
let wire: TeamsWire;

beforeAll(async () => {
  await connector.start();
  azurite = await startAzuriteProcess({});
  practices = await writePracticesFile({
    practices: [
      {
        id: 'millbrook',
        name: 'Millbrook Medical Centre',
        teamIds: [TEAM],
        staff: [rita.aadObjectId],
        staffNames: ['Rita Reception'],
        phone: '01234 567890',
        email: 'reception.millbrook@nhs.net',
        managers: [mary.aadObjectId],
        deputies: ['aad-dan'],
        dataProtectionOfficers: ['aad-dave'],
      },
    ],
  });
  bot = await startBotProcess({
    AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString,
    POSTWATCH_PRACTICES_FILE: practices.path,
    POSTWATCH_TABLE_PREFIX: prefix,
    POSTWATCH_ALLOWED_TENANTS: TENANT,
  });
  stores = await createAzureStores(azurite.connectionString, { tablePrefix: prefix });
  wire = new TeamsWire(bot.url, connector);
});

afterAll(async () => {
  await stopBotProcesses();
  await azurite?.close();
  await connector.stop();
  await practices?.remove();
});

/** The failure message carries the bot's own log, so a red run says why. */
const withLog = (what: string) => () => `${what}\n--- bot log (tail) ---\n${bot.output().slice(-3_000)}`;

describe('a report, the manager\'s decision and the reporter\'s answer, over HTTP', () => {
  let reference = '';
  let channelCard: { activityId: string; card: Record<string, any> };
  let maryCard: { activityId: string; card: Record<string, any> };

  it('remembers the 1:1 chats of the people who talk to it and takes a review channel from a manager', async () => {
    for (const person of [mary, rita]) {
      const since = connector.calls.length;
      const said = await wire.say(person, 'hello');
      expect(said.status).toBe(200);
      expect(wire.textsDelivered(personalChat(person), since).join(' ')).toMatch(/report a post/);
    }

    const since = connector.calls.length;
    const setUp = await wire.sayInChannel(mary, 'use this channel for incident review', { teamId: TEAM, channelId: CHANNEL, channelName: 'Incident review' });
    expect(setUp.status).toBe(200);
    // The answer is a reply in the channel thread the manager wrote in.
    const replies = connector.calls.slice(since).filter((c) => c.method === 'POST' && c.conversationId?.startsWith(`${CHANNEL};messageid=`));
    expect(replies.map((c) => c.body.text).join(' ')).toMatch(/will be posted in this channel/);

    const channel = await stores.practices.reviewChannel('millbrook');
    expect((channel?.reference.conversation as { id?: string }).id).toBe(CHANNEL);
    expect(channel?.reference.serviceUrl).toBe(connector.url);
    for (const person of [mary, rita]) {
      const chat = await stores.practices.userChat('millbrook', person.aadObjectId);
      expect((chat?.reference.conversation as { id?: string }).id).toBe(personalChat(person));
    }
  });

  it('takes a report through every card to a confirmation with its reference', async () => {
    const stepsSeen: string[] = [];
    const report = await reportThroughCards(
      wire,
      connector,
      rita,
      {
        what: { postText: 'The receptionist at Millbrook is rude and useless', categories: 'personal-attack', namedParties: '', namedColleagues: '' },
      },
      async (step, card) => {
        stepsSeen.push(`${step}: ${/Step \d of 5/.exec(textOfCard(card))?.[0] ?? 'no step'}`);
      },
    );
    expect(stepsSeen).toEqual(['where: Step 1 of 5', 'what: Step 2 of 5', 'risk: Step 3 of 5', 'evidence: Step 4 of 5', 'review: Step 5 of 5']);
    reference = report.reference;
    expect(reference).toMatch(/^PW-\d{4}-\d{4}$/);
    expect(JSON.stringify(report.card)).not.toMatch(LEAK);

    const stored = await stores.incidents.get('millbrook', reference);
    expect(stored?.reporter.aadObjectId).toBe(rita.aadObjectId);
    expect(stored?.facts.what.postText).toBe('The receptionist at Millbrook is rude and useless');
    expect(await stores.drafts.get('millbrook', rita.aadObjectId)).toBeUndefined();
  });

  it('delivers the incident card through the connector to the review channel and to the manager\'s 1:1 chat, once each', async () => {
    const mine = (conversation: string) => wire.cardsDelivered(conversation).filter((c) => JSON.stringify(c.card).includes(reference));
    await eventually(withLog('the incident card in the channel and in Mary\'s chat'), () => mine(CHANNEL).length > 0 && mine(personalChat(mary)).length > 0, 20_000);
    channelCard = mine(CHANNEL)[0]!;
    maryCard = mine(personalChat(mary))[0]!;

    // The channel sees a read-only card that refreshes to the decider view for the deciders...
    expect(actionsOf(channelCard.card).map((a) => a.verb).filter((v) => v !== INCIDENT_VERBS.refresh)).toEqual([]);
    expect(channelCard.card.refresh?.userIds).toContain(mary.id);
    expect(channelCard.card.refresh?.userIds).not.toContain(rita.id);
    // ...and the manager's own copy can decide, with the drafted reply to edit.
    const verbs = actionsOf(maryCard.card).map((a) => a.verb);
    expect(verbs).toContain(INCIDENT_VERBS.approveReply);
    expect(verbs).toContain(INCIDENT_VERBS.noResponse);
    expect(JSON.stringify(maryCard.card)).toContain(`"id":"${INCIDENT_INPUTS.replyText}"`);
    // Nothing about the incident went anywhere else.
    const elsewhere = connector.calls.filter((c) => JSON.stringify(c.body ?? {}).includes(reference) && ![CHANNEL, personalChat(mary), personalChat(rita)].includes(c.conversationId ?? ''));
    expect(elsewhere).toEqual([]);

    const routed = await stores.incidents.get('millbrook', reference);
    expect(routed?.status).toBe('awaiting-decision');
    expect(routed?.handling?.routedAt).toBeDefined();
  });

  it('records the manager\'s edited reply approved from the card, and answers with the decided card', async () => {
    const approve = actionsOf(maryCard.card).find((a) => a.verb === INCIDENT_VERBS.approveReply)!;
    const drafted = findInput(maryCard.card, INCIDENT_INPUTS.replyText)?.value as string | undefined;
    expect(drafted).toBeTruthy();
    expect(drafted).not.toBe(EDITED_REPLY);

    // Three sentences are not from the practice's approved list: Check reply lists them with the
    // attestation, and the manager ticks it (the tick's value is the key of those sentences).
    const check = actionsOf(maryCard.card).find((a) => a.verb === INCIDENT_VERBS.checkReply)!;
    const checked = await wire.press(mary, check.verb, { ...check.data, [INCIDENT_INPUTS.replyText]: EDITED_REPLY }, maryCard.activityId);
    expect(textOfCard(checked.value)).toContain('3 sentences not from the approved list');
    const tick = findInput(checked.value, INCIDENT_INPUTS.attestFreeText)?.valueOn as string;
    expect(tick).toMatch(/^attest-/);
    const unticked = await wire.press(mary, approve.verb, { ...approve.data, [INCIDENT_INPUTS.replyText]: EDITED_REPLY, [INCIDENT_INPUTS.reporterPostsReply]: 'true' }, maryCard.activityId);
    expect(textOfCard(unticked.value)).toMatch(/tick the statement/);
    expect((await stores.incidents.get('millbrook', reference))?.handling?.decision).toBeUndefined();
    const answer = await wire.press(
      mary,
      approve.verb,
      { ...approve.data, [INCIDENT_INPUTS.replyText]: EDITED_REPLY, [INCIDENT_INPUTS.reporterPostsReply]: 'true', [INCIDENT_INPUTS.attestFreeText]: tick },
      maryCard.activityId,
    );
    expect(answer.type, withLog(String(answer.value))()).toBe('application/vnd.microsoft.card.adaptive');
    const decided = textOfCard(answer.value);
    expect(decided).toMatch(/Decision recorded/);
    expect(decided).toContain(EDITED_REPLY);
    // A decided incident offers no second decision.
    expect(actionsOf(answer.value).map((a) => a.verb)).not.toContain(INCIDENT_VERBS.approveReply);

    const stored = await stores.incidents.get('millbrook', reference);
    expect(stored?.handling?.decision).toMatchObject({ kind: 'public-reply', replyText: EDITED_REPLY, reporterPostsReply: true, by: { aadObjectId: mary.aadObjectId } });
    expect(stored?.status).not.toBe('awaiting-decision');
    const trail = await stores.incidents.auditTrail('millbrook', reference);
    expect(trail.map((e) => e.action).slice(0, 4)).toEqual(['incident.reported', 'incident.routed', 'incident.checkReply', 'incident.approveReply']);
    expect(trail.find((e) => e.action === 'incident.approveReply')?.summary).toContain('Please contact the practice manager on 01234 567890 so we can look into this with you.');
    expect(trail.find((e) => e.action === 'incident.approveReply')?.actor.aadObjectId).toBe(mary.aadObjectId);
  });

  it('tells the reporter in her 1:1 chat, with the approved reply to post, and updates every copy of the card', async () => {
    const toRita = () => wire.cardsDelivered(personalChat(rita)).filter((c) => JSON.stringify(c.card).includes(reference));
    const update = await eventually(withLog('the reporter\'s update'), () => toRita()[0], 20_000);
    expect(textOfCard(update.card)).toContain(EDITED_REPLY);
    expect(textOfCard(update.card)).toMatch(/reply/i);

    // Every delivered copy of the card is replaced in place (PUT .../activities/{the id the connector gave it}).
    // (Check reply updated the cards once already; wait for the decided card.)
    const decidedIn = (conversation: string) => /Decided by Mary Manager/.test(textOfCard(cardIn(connector.updates(conversation).at(-1)?.body) ?? {}));
    await eventually(withLog('the card updates'), () => decidedIn(CHANNEL) && decidedIn(personalChat(mary)), 20_000);
    const channelUpdate = connector.updates(CHANNEL).at(-1)!;
    const maryUpdate = connector.updates(personalChat(mary)).at(-1)!;
    expect(channelUpdate.activityId).toBe(channelCard.activityId);
    expect(maryUpdate.activityId).toBe(maryCard.activityId);
    for (const put of [channelUpdate, maryUpdate]) {
      const card = cardIn(put.body)!;
      expect(textOfCard(card)).toContain(reference);
      expect(textOfCard(card)).toMatch(/Decided by Mary Manager/);
      expect(textOfCard(card)).toContain(EDITED_REPLY);
      expect(actionsOf(card).map((a) => a.verb)).not.toContain(INCIDENT_VERBS.approveReply);
    }

    // Each notification reached its conversation exactly once, and nothing is left queued.
    await eventually(withLog('the outbox to empty'), async () => (await outboxRows(azurite.connectionString, prefix)).every((r) => r.status === 'sent'), 10_000);
    expect(toRita()).toHaveLength(1);
    const cardsTo = (conversation: string) => wire.cardsDelivered(conversation).filter((c) => JSON.stringify(c.card).includes(reference));
    expect(cardsTo(CHANNEL)).toHaveLength(1);
    expect(cardsTo(personalChat(mary))).toHaveLength(1);
    const rows = (await outboxRows(azurite.connectionString, prefix)).filter((r) => r.reference === reference);
    // Delivered updates and messages are removed; the delivered cards stay, to update every copy later.
    expect(rows.map((r) => `${r.kind} ${r.target}`).sort()).toEqual(['incident-card channel', 'incident-card user:aad-mary'].sort());
    expect(rows.find((r) => r.kind === 'incident-card' && r.target === 'channel')?.sentActivityId).toBe(channelCard.activityId);
  });

  it('shows the manager the decided incident when she asks for it by reference', async () => {
    const since = connector.calls.length;
    const asked = await wire.say(mary, `incident ${reference}`);
    expect(asked.status).toBe(200);
    const shown = wire.cardsDelivered(personalChat(mary), since).at(-1);
    expect(shown, withLog(`Mary got: ${wire.textsDelivered(personalChat(mary), since).join(' | ')}`)()).toBeDefined();
    const text = textOfCard(shown!.card);
    expect(text).toContain(reference);
    expect(text).toMatch(/Decided by Mary Manager/);
    expect(text).toContain(EDITED_REPLY);
    expect(actionsOf(shown!.card).map((a) => a.verb)).not.toContain(INCIDENT_VERBS.approveReply);
  });

  it('lists the report, with where it is, in the reporter\'s "my reports"', async () => {
    const since = connector.calls.length;
    const asked = await wire.say(rita, 'my reports');
    expect(asked.status).toBe(200);
    const list = wire.cardsDelivered(personalChat(rita), since).at(-1);
    expect(list).toBeDefined();
    const text = textOfCard(list!.card);
    expect(text).toContain(reference);
    const stored = await stores.incidents.get('millbrook', reference);
    expect(text).not.toMatch(/Awaiting decision/);
    expect(stored?.status).toBe('in-progress');
    expect(text).toMatch(/In progress/);
    // The reporter does not see the managers' card, only her own report's status.
    expect(actionsOf(list!.card).map((a) => a.verb)).not.toContain(INCIDENT_VERBS.approveReply);
  });

  it('carries a report started in the channel on in a private chat it opens through the connector', async () => {
    const since = connector.calls.length;
    const started = await wire.sayInChannel(rita, 'report a post', { teamId: TEAM, channelId: CHANNEL });
    expect(started.status).toBe(200);
    const created = connector.createdConversations().filter((c) => connector.calls.indexOf(c) >= since);
    expect(created).toHaveLength(1);
    expect(created[0]!.body).toMatchObject({ isGroup: false, members: [{ id: rita.id, aadObjectId: rita.aadObjectId }], tenantId: TENANT });
    const after = connector.calls.slice(since);
    // The card goes to the new 1:1 conversation; the channel is only told to look there.
    const privateId = after.find((c) => c.method === 'POST' && c.conversationId?.startsWith('a:private-') && cardIn(c.body));
    expect(textOfCard(cardIn(privateId!.body))).toContain('Step 1 of 5');
    const inChannel = after.filter((c) => c.conversationId?.startsWith(CHANNEL));
    expect(inChannel.map((c) => c.body.text)).toEqual([expect.stringMatching(/sent you a private message/)]);
    expect(inChannel.some((c) => cardIn(c.body))).toBe(false);
  });

  it('sent everything through the connector at the serviceUrl it was given, and leaked nothing', () => {
    expect(connector.calls.length).toBeGreaterThan(10);
    expect(connector.calls.every((c) => c.status === 200)).toBe(true);
    expect(connector.calls.filter((c) => LEAK.test(JSON.stringify(c.body ?? '')))).toEqual([]);
    expect(bot.output()).not.toContain('The receptionist at Millbrook is rude and useless');
    expect(bot.output()).not.toContain(EDITED_REPLY);
  });
});

function findInput(card: unknown, id: string): Record<string, unknown> | undefined {
  let found: Record<string, unknown> | undefined;
  const walk = (node: unknown) => {
    if (found || !node || typeof node !== 'object') return;
    if (Array.isArray(node)) return node.forEach(walk);
    const n = node as Record<string, unknown>;
    if (n.id === id && typeof n.type === 'string' && n.type.startsWith('Input.')) found = n;
    Object.values(n).forEach(walk);
  };
  walk(card);
  return found;
}
