import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { DIGEST_AFTER, type OutgoingMessage, type Sender } from '../../src/app/outbox.ts';
import { NOT_YOURS } from '../../src/app/refusals.ts';
import { IncidentCards } from '../../src/presenters/incidentCards.ts';
import { createServices, type Services } from '../../src/compose.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { ConversationAddress, Stores } from '../../src/store/ports.ts';
import { DIGEST_VERBS } from '../../src/contract/cards.ts';
import { problems, type Json } from '../support/cardChecks.ts';
import { useAzurite } from '../support/azurite.ts';
import { action, cardAction, cardOf, channelMention, type Person, person, personalMessage, TeamsDriver, textOfCard, textsOf } from '../support/teams.ts';

/**
 * The review channel under a burst: Teams takes about 7 messages a second in one conversation, so
 * more than a few new incidents at once go to the channel as one "N new incidents" card whose
 * lines each open that incident's own card in the presser's 1:1 chat.
 */
const storage = useAzurite();
const rita = person('rita');
const mary = person('mary');
const carl = person('carl');
const sam = person('sam');
const TEAM = '19:team-digest@thread.tacv2';
const OTHER_TEAM = '19:team-other@thread.tacv2';
const directory: PracticeDirectory = {
  practices: [
    { id: 'digest', name: 'Digest Surgery', teamIds: [TEAM], staff: ['aad-rita', 'aad-sam'], staffNames: [], managers: ['aad-mary'], deputies: [], dataProtectionOfficers: [] },
    { id: 'other', name: 'Other Surgery', teamIds: [OTHER_TEAM], staff: ['aad-carl'], staffNames: [], managers: ['aad-carl'], deputies: [], dataProtectionOfficers: [] },
  ],
};
const policies = new Map(directory.practices.map((p) => [p.id, loadPolicy()]));

class FakeSender implements Sender {
  sent: Array<{ to: string; message: OutgoingMessage }> = [];
  async send(address: ConversationAddress, message: OutgoingMessage) {
    const r = address.reference as { user?: { id?: string }; conversation?: { conversationType?: string } };
    this.sent.push({ to: r.conversation?.conversationType === 'channel' ? 'channel' : String(r.user?.id), message });
    return { id: `act-${randomUUID()}` };
  }
  async update() {}
}

let stores: Stores;
let services: Services;
let driver: TeamsDriver;
const sender = new FakeSender();

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
  services = createServices({
    config: { practices: directory, policies, bot: { authEnabled: false } },
    stores,
    log: pino({ level: 'silent' }),
    sender,
    privateChats: { send: async () => `private-${randomUUID()}` },
    deliverAtOnce: false,
  });
  driver = new TeamsDriver((context) => services.bot.run(context));
  for (const p of [mary, rita, carl, sam]) await driver.send(personalMessage(p, 'help'));
  expect(textsOf(await driver.send(channelMention(mary, 'use this channel for incident review', TEAM))).join(' ')).toMatch(/will be posted in this channel/);
});

async function report(what: string): Promise<string> {
  let card = cardOf(await driver.send(personalMessage(rita, 'report a post')));
  const press = async (title: string, inputs: Record<string, unknown> = {}) => {
    const a = action(card, title);
    card = cardOf(await driver.send(cardAction(rita, a.verb, { ...a.data, ...inputs })));
  };
  await press('Next', { platform: 'facebook', postUrl: 'https://www.facebook.com/p/1', seenDate: '2026-11-24', seenTime: '09:05', authorRelationship: 'patient' });
  await press('Next', { postText: what, categories: 'personal-attack', namedParties: 'practice' });
  await press('No', { riskDetails: '' });
  await press('Next', { noScreenshot: 'true', noScreenshotReason: 'Deleted' });
  await press('Submit');
  const reference = /PW-\d{4}-\d{4}/.exec(textOfCard(card))![0];
  await services.triage.route('digest', reference);
  return reference;
}

/** An Action.Execute pressed on a card in the practice's review channel. */
function channelPress(who: Person, verb: string, data: Record<string, unknown>, teamId = TEAM) {
  const mention = channelMention(who, '', teamId);
  return driver.send({ ...mention, type: 'invoke', name: 'adaptiveCard/action', text: undefined, entities: [], value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' } });
}

describe('the review channel under a burst', () => {
  it('gets one valid "N new incidents" card for a burst, while each decider still gets every card in 1:1', async () => {
    const references: string[] = [];
    for (let i = 0; i < DIGEST_AFTER + 2; i++) references.push(await report(`Post ${i}: the receptionist is rude`));
    sender.sent = [];
    await services.outbox.deliverDue();

    const toChannel = sender.sent.filter((s) => s.to === 'channel');
    expect(toChannel).toHaveLength(1);
    const digest = toChannel[0]!.message.card as Json;
    expect(problems(digest)).toEqual([]);
    const text = textOfCard(digest);
    expect(text).toContain(`${references.length} new incidents`);
    // A line per incident, each opening its own incident, and none of the post's text in the channel.
    for (const reference of references) expect(action(digest, `Open ${reference} privately`)).toMatchObject({ verb: DIGEST_VERBS.open, data: { practiceId: 'digest', reference } });
    expect(text).not.toMatch(/receptionist is rude/);
    expect(sender.sent.filter((s) => s.to === mary.id)).toHaveLength(references.length);

    // Nothing is sent twice on the next pass.
    sender.sent = [];
    await services.outbox.deliverDue();
    expect(sender.sent).toEqual([]);

    // "Open privately" sends the incident's card to the presser's 1:1 chat, drawn for them.
    const opened = await channelPress(mary, DIGEST_VERBS.open, { practiceId: 'digest', reference: references[2] });
    expect(String(opened.invoke?.body.value)).toMatch(/private chat/);
    await services.outbox.deliverDue();
    const privately = sender.sent.filter((s) => s.to === mary.id);
    expect(privately).toHaveLength(1);
    expect(textOfCard(privately[0]!.message.card)).toContain(references[2]);
    // The manager sees the decider view there (the decision buttons).
    expect(JSON.stringify(privately[0]!.message.card)).toContain('incident.noResponse');
  });

  it('sends a few new incidents one card each (no digest below the threshold)', async () => {
    const references = [await report('One post'), await report('Another post')];
    sender.sent = [];
    await services.outbox.deliverDue();
    const toChannel = sender.sent.filter((s) => s.to === 'channel');
    expect(toChannel).toHaveLength(2);
    expect(toChannel.map((s) => textOfCard(s.message.card))).toEqual([expect.stringContaining(references[0]!), expect.stringContaining(references[1]!)]);
  });

  it('opens each line as the one rule gives it to the presser: the reporter their view, other staff in the channel the channel card', async () => {
    const references: string[] = [];
    for (let i = 0; i < DIGEST_AFTER + 1; i++) references.push(await report(`Burst post ${i}: the doctor is useless`));
    await services.outbox.deliverDue();
    const reference = references[1]!;

    // The reporter: their own view (status and what they were told), none of the decider's card.
    sender.sent = [];
    expect(String((await channelPress(rita, DIGEST_VERBS.open, { practiceId: 'digest', reference })).invoke?.body.value)).toMatch(/private chat/);
    await services.outbox.deliverDue();
    const toRita = sender.sent.filter((s) => s.to === rita.id);
    expect(toRita).toHaveLength(1);
    expect(textOfCard(toRita[0]!.message.card)).toContain(reference);
    expect(textOfCard(toRita[0]!.message.card)).toMatch(/Thank you for reporting this/);
    expect(JSON.stringify(toRita[0]!.message.card)).not.toContain('incident.noResponse');

    // Other staff pressing in the review channel: exactly the channel's read-only card, nothing more.
    sender.sent = [];
    expect(String((await channelPress(sam, DIGEST_VERBS.open, { practiceId: 'digest', reference })).invoke?.body.value)).toMatch(/private chat/);
    await services.outbox.deliverDue();
    const toSam = sender.sent.filter((s) => s.to === sam.id);
    expect(toSam).toHaveLength(1);
    const cards = new IncidentCards(stores, services.deciding, (id) => directory.practices.find((p) => p.id === id), () => new Date());
    const channelCard = await cards.card(await services.deciding.viewOf((await stores.incidents.get('digest', reference))!, 'channel'));
    expect(textOfCard(toSam[0]!.message.card)).toBe(textOfCard(channelCard));
    expect(JSON.stringify(toSam[0]!.message.card)).not.toContain('incident.noResponse');
    expect(textOfCard(toSam[0]!.message.card)).not.toMatch(/Thank you for reporting this/);
  });

  it('refuses a digest press for another practice, from outside the channel, or with a forged reference: the one notice, nothing sent', async () => {
    const reference = await report('A post for the refusals');
    await services.outbox.deliverDue();
    sender.sent = [];
    const trailBefore = await stores.incidents.auditTrail('digest', reference);
    const refusals = [
      // Another practice's manager, in their own Team's channel.
      await channelPress(carl, DIGEST_VERBS.open, { practiceId: 'digest', reference }, OTHER_TEAM),
      // A member of staff who is neither decider nor reporter, outside the review channel, for a real and a made-up incident.
      await driver.send(cardAction(sam, DIGEST_VERBS.open, { practiceId: 'digest', reference })),
      await driver.send(cardAction(sam, DIGEST_VERBS.open, { practiceId: 'digest', reference: 'PW-2026-9999' })),
      await channelPress(sam, DIGEST_VERBS.open, { practiceId: 'digest', reference: `${reference}${'x'.repeat(5000)}` }),
      await channelPress(sam, DIGEST_VERBS.open, { practiceId: 'digest', reference: { $gt: '' } }),
    ];
    // What they could read: the same words every time, nothing of the incident.
    for (const refused of refusals) expect(String(refused.invoke?.body.value)).toBe(NOT_YOURS);
    await services.outbox.deliverDue();
    expect(sender.sent).toEqual([]);
    // The practice's own staff refused on a real incident is audited; the other practice's manager is not.
    const added = (await stores.incidents.auditTrail('digest', reference)).slice(trailBefore.length);
    expect(added.map((e) => [e.action, e.actor.aadObjectId])).toEqual([['decision.refused', sam.aadObjectId]]);
    expect(added[0]!.summary).toContain('review channel digest');

    // A decider is given her own card wherever she presses (the rule, not the conversation, decides).
    expect(String((await driver.send(cardAction(mary, DIGEST_VERBS.open, { practiceId: 'digest', reference }))).invoke?.body.value)).toMatch(/private chat/);
    await services.outbox.deliverDue();
    expect(JSON.stringify(sender.sent.find((s) => s.to === mary.id)?.message.card)).toContain('incident.noResponse');
  });
});
