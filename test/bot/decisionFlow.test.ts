import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { SendFailure, type OutgoingMessage, type Sender } from '../../src/app/outbox.ts';
import type { PrivateChats } from '../../src/bot/privateChat.ts';
import { createServices, type Services } from '../../src/compose.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { ConversationAddress, Stores } from '../../src/store/ports.ts';
import { ATTESTATION_STATEMENT, attestationKey } from '../../src/domain/policy/reply-guard/attestation.ts';
import { INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { useAzurite } from '../support/azurite.ts';
import { contrastFailures } from '../support/contrast.ts';
import { action, actionsOf, cardAction, cardOf, channelMention, findById, type Person, person, personalMessage, TeamsDriver, textOfCard, textsOf } from '../support/teams.ts';

const storage = useAzurite();
const rita = person('rita');
const mary = person('mary');
const mike = person('mike');
const dave = person('dave');
const dan = person('dan');
const carl = person('carl');
const sally = person('sally');
const TEAM = '19:team-millbrook@thread.tacv2';
const directory: PracticeDirectory = {
  practices: [
    {
      id: 'millbrook',
      name: 'Millbrook Medical Centre',
      teamIds: [TEAM],
      staff: ['aad-rita'],
      staffNames: ['Rita Reception'],
      phone: '01234 567890',
      email: 'reception.millbrook@nhs.net',
      managers: ['aad-mary', 'aad-mike'],
      deputies: ['aad-dan'],
      dataProtectionOfficers: ['aad-dave'],
      safeguardingLeads: ['aad-sally'],
    },
    { id: 'cockhedge', name: 'Cockhedge Medical Centre', teamIds: [], staff: ['aad-carl'], staffNames: [], managers: ['aad-carl'], deputies: [], dataProtectionOfficers: [] },
  ],
};
const policies = new Map(directory.practices.map((p) => [p.id, loadPolicy()]));

let stores: Stores;
let clock = new Date('2026-11-24T10:30:00Z');
const now = () => clock;

/** A connector that records what was sent and fails on demand, like the real one does under load. */
class FakeSender implements Sender {
  sent: Array<{ to: string; message: OutgoingMessage }> = [];
  updated: Array<{ to: string; activityId: string; message: OutgoingMessage }> = [];
  /** Failures to answer, per recipient, in order. */
  failures = new Map<string, SendFailure[]>();
  down = false;

  private who(address: ConversationAddress): string {
    const r = address.reference as { user?: { id?: string }; conversation?: { conversationType?: string } };
    return r.conversation?.conversationType === 'channel' ? 'channel' : String(r.user?.id);
  }

  private maybeFail(to: string): void {
    if (this.down) throw new SendFailure('connector 503', 503, undefined);
    const next = this.failures.get(to)?.shift();
    if (next) throw next;
  }

  async send(address: ConversationAddress, message: OutgoingMessage) {
    this.maybeFail(this.who(address));
    this.sent.push({ to: this.who(address), message });
    return { id: `act-${randomUUID()}` };
  }

  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage) {
    this.maybeFail(this.who(address));
    this.updated.push({ to: this.who(address), activityId, message });
  }
}

interface Harness {
  services: Services;
  driver: TeamsDriver;
  sender: FakeSender;
}

function startBot(over: Partial<Stores> = {}): Harness {
  const sender = new FakeSender();
  const privateChats: PrivateChats = { send: async () => `private-${randomUUID()}` };
  const services = createServices({
    config: { practices: directory, policies, bot: { authEnabled: false } },
    stores: { ...stores, ...over },
    log: pino({ level: 'silent' }),
    now,
    sender,
    privateChats,
    random: () => 0.5,
    deliverAtOnce: false,
  });
  return { services, sender, driver: new TeamsDriver((context) => services.bot.run(context)) };
}

const where = { platform: 'facebook', postUrl: 'https://www.facebook.com/millbrook/posts/9', seenDate: '2026-11-24', seenTime: '09:05', authorName: '@angry_dad', authorRelationship: 'patient' };

async function report(h: Harness, who: Person, what: Record<string, string>, answer: 'yes' | 'no' = 'no'): Promise<Incident> {
  let card = cardOf(await h.driver.send(personalMessage(who, 'report a post')));
  const press = async (title: string, inputs: Record<string, unknown> = {}) => {
    const a = action(card, title);
    card = cardOf(await h.driver.send(cardAction(who, a.verb, { ...a.data, ...inputs })));
  };
  await press('Next', where);
  await press('Next', what);
  await press(answer === 'yes' ? 'Yes' : 'No', { riskDetails: answer === 'yes' ? 'Threatens to wait outside' : '' });
  if (answer === 'yes') await press('Next', { riskDetails: 'Threatens to wait outside' });
  await press('Next', { noScreenshot: 'true', noScreenshotReason: 'On my own phone' });
  await press('Submit');
  const reference = /PW-2026-\d{4}/.exec(textOfCard(card))![0];
  // Routing runs after the reporter's confirmation; wait for it deterministically.
  const routed = await h.services.triage.route('millbrook', reference);
  return routed!;
}


function decide(h: Harness, who: Person, incident: Incident, verb: string, inputs: Record<string, unknown> = {}) {
  return h.driver.send(cardAction(who, verb, { practiceId: incident.practiceId, reference: incident.reference, version: incident.handling?.version ?? 0, ...inputs }));
}

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
  const h = startBot();
  // Everyone who decides has opened a 1:1 chat with the bot; a manager picks the review channel.
  for (const p of [mary, mike, dave, dan, rita, sally]) await h.driver.send(personalMessage(p, 'help'));
  const setUp = await h.driver.send({ ...channelMention(mary, 'use this channel for incident review', TEAM) });
  expect(textsOf(setUp).join(' ')).toMatch(/will be posted in this channel/);
});

describe('routing to the people who decide', () => {
  it('sends the card to the review channel, the managers and (for personal data) the DPO, graded by the policy', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'Rita on reception is a liar', categories: 'names-staff,false-or-misleading', namedParties: 'colleagues', namedColleagues: 'Rita' });
    expect(incident.status).toBe('awaiting-decision');
    expect(incident.handling?.grading?.deciders).toContain('data-protection-officer');
    await h.services.outbox.deliverDue();
    const cards = h.sender.sent.filter((s) => JSON.stringify(s.message.card ?? {}).includes(incident.reference));
    expect(cards.map((c) => c.to).sort()).toEqual(['29:dave', '29:mary', '29:mike', 'channel']);
    const channel = cards.find((c) => c.to === 'channel')!.message.card as Record<string, any>;
    // Managers, the deputy and (here) the DPO decide: their clients refresh to the decider view.
    expect(channel.refresh.userIds.sort()).toEqual(['29:dan', '29:dave', '29:mary', '29:mike']);
    expect(actionsOf({ body: channel.body, actions: channel.actions }).filter((a) => a.verb !== INCIDENT_VERBS.refresh)).toEqual([]);
    const forMary = cards.find((c) => c.to === '29:mary')!.message.card;
    expect(actionsOf(forMary).map((a) => a.verb)).toContain(INCIDENT_VERBS.approveReply);
    // The policy's first recommendation and its warning, as the card words them (not the "Reported … by" line).
    const maryText = textOfCard(forMary);
    expect(maryText).toMatch(/Recommended first \(3 of 6\)[\s\S]*?1\\\. Report the post to the platform\nPlatforms usually remove posts that name individuals\./);
    expect(maryText).toContain('Any public reply must not name or identify the colleague, nor confirm anything the post says about them.');
    const trail = await stores.incidents.auditTrail('millbrook', incident.reference);
    expect(trail.map((e) => e.action)).toEqual(['incident.reported', 'incident.routed']);
  });

  it('marks a report where someone is at risk urgent, and alerts the managers before it is even sent', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'I know where the doctor parks', categories: 'threat', namedParties: 'colleagues' }, 'yes');
    expect(incident.handling?.grading?.severity).toBe('critical');
    await h.services.outbox.deliverDue();
    const toMary = h.sender.sent.filter((s) => s.to === '29:mary');
    expect(toMary.some((s) => /URGENT/.test(s.message.text ?? '') && !s.message.card)).toBe(true); // the early alert
    expect(toMary.some((s) => /URGENT/.test(s.message.text ?? '') && JSON.stringify(s.message.card ?? {}).includes(incident.reference))).toBe(true);
  });
});

describe('safeguarding', () => {
  it('sends a post with a safeguarding signal to the safeguarding lead as well, graded critical', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'I can\'t go on any more, nobody at that surgery listens', categories: 'safeguarding' });
    expect(incident.handling?.grading?.severity).toBe('critical');
    expect(incident.handling?.grading?.actions[0]?.id).toBe('safeguarding-referral');
    await h.services.outbox.deliverDue();
    const cards = h.sender.sent.filter((s) => JSON.stringify(s.message.card ?? {}).includes(incident.reference));
    expect(cards.map((c) => c.to).sort()).toEqual(['29:mary', '29:mike', '29:sally', 'channel']);
    // The safeguarding lead may decide on this one, but not on an incident without the signal.
    const forSally = cardOf(await decide(h, sally, incident, INCIDENT_VERBS.refresh));
    expect(actionsOf(forSally).map((a) => a.verb)).toContain(INCIDENT_VERBS.noResponse);
  });
});

describe('deciding', () => {
  it('shows the decider view only to deciders on refresh', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'Worst surgery ever', categories: 'other-criticism' });
    // The reporter gets her own view: no buttons on the incident, none of the post or its grading.
    const forRita = cardOf(await decide(h, rita, incident, INCIDENT_VERBS.refresh));
    expect(actionsOf(forRita).map((a) => a.verb).filter((v) => v.startsWith('incident.'))).toEqual([]);
    expect(textOfCard(forRita)).toContain(`Your report ${incident.reference}`);
    expect(textOfCard(forRita)).not.toMatch(/Worst surgery ever|severity|angry_dad/i);
    const forMike = cardOf(await decide(h, mike, incident, INCIDENT_VERBS.refresh));
    expect(actionsOf(forMike).map((a) => a.verb)).toContain(INCIDENT_VERBS.noResponse);
  });

  it('refuses a forged decision from a non-decider or another practice\'s manager, changing nothing; audits only the practice\'s own', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'They never answer the phone', categories: 'complaint' });
    const forged = cardOf(await decide(h, rita, incident, INCIDENT_VERBS.noResponse, { reason: 'ignore it' }));
    expect(textOfCard(forged)).toMatch(/Only the practice manager, deputy or Data Protection Officer/);
    expect(textOfCard(forged)).not.toContain('They never answer the phone');
    // Another practice's manager: the notice, nothing of the incident, nothing in its trail.
    const fromCarl = await decide(h, carl, incident, INCIDENT_VERBS.noResponse, { reason: 'ignore it' });
    expect(fromCarl.invoke?.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(fromCarl.invoke?.body.value)).toMatch(/nothing to show you/);
    expect(JSON.stringify(fromCarl.invoke)).not.toContain('They never answer the phone');
    const after = await stores.incidents.get('millbrook', incident.reference);
    expect(after?.handling?.decision).toBeUndefined();
    expect(after?.status).toBe('awaiting-decision');
    const refused = (await stores.incidents.auditTrail('millbrook', incident.reference)).filter((e) => e.action === 'decision.refused');
    expect(refused.map((e) => e.actor.aadObjectId).sort()).toEqual(['aad-rita']);
  });

  it('blocks approval of a reply that breaks confidentiality, showing the finding next to the text', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'My appointment was cancelled again', categories: 'complaint' });
    const bad = 'Thank you. Your GP will call you about your appointment. Rita Reception is on leave.';
    const refused = cardOf(await decide(h, mary, incident, INCIDENT_VERBS.approveReply, { replyText: bad, reporterPostsReply: 'false' }));
    const text = textOfCard(refused);
    expect(text).toMatch(/cannot be approved/);
    // Each finding as the card states it, next to the words it is about: none of this is in the typed reply.
    expect(text).toContain('Must change: "Your GP"\n"Your GP" confirms that someone is a patient here.');
    expect(text).toContain('Must change: "your appointment"\n"your appointment" confirms that someone is a patient here.');
    expect(text).toContain('Must change: "Rita"\n"Rita" names a member of staff.');
    expect((await stores.incidents.get('millbrook', incident.reference))?.handling?.decision).toBeUndefined();
    // The refused approval is on the audit trail with what the check found (issue 13).
    const blocked = (await stores.incidents.auditTrail('millbrook', incident.reference)).filter((e) => e.action === 'decision.reply-blocked');
    expect(blocked).toHaveLength(1);
    expect(blocked[0]!.actor.aadObjectId).toBe('aad-mary');
    expect(blocked[0]!.summary).toMatch(/^Approval refused: the reply check found \d+ problems?/);
    expect(blocked[0]!.summary).toMatch(/names-staff|confirms-patient|clinical/);
  });

  it('a reply with free text needs the attestation for exactly the sentences listed, recorded with them in the audit trail', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'Waited ages on the phone', categories: 'complaint' });
    const reply = 'Thank you for your feedback. Our phone lines open at 8am and we are adding staff at busy times. We look forward to hearing from you.';
    const free = 'Our phone lines open at 8am and we are adding staff at busy times.';

    // Without the tick: refused, the sentence listed, the tick offered, nothing decided.
    const refused = cardOf(await decide(h, mary, incident, INCIDENT_VERBS.approveReply, { replyText: reply, reporterPostsReply: 'false' }));
    const refusedText = textOfCard(refused);
    expect(refusedText).toContain('1 sentence not from the approved list');
    expect(refusedText).toContain(free);
    expect(refusedText).toMatch(/tick the statement/);
    const toggle = findById(refused, 'attestFreeText');
    expect(toggle?.title).toBe(ATTESTATION_STATEMENT);
    expect(toggle?.valueOn).toBe(attestationKey([free]));
    expect((await stores.incidents.get('millbrook', incident.reference))?.handling?.decision).toBeUndefined();

    // A tick given for another version of the reply (the card is never trusted) is refused too.
    const stale = cardOf(await decide(h, mary, incident, INCIDENT_VERBS.approveReply, { replyText: reply, attestFreeText: attestationKey(['Our phone lines open at 8am.']) }));
    expect(textOfCard(stale)).toMatch(/tick the statement/);
    expect((await stores.incidents.get('millbrook', incident.reference))?.handling?.decision).toBeUndefined();

    // With the tick the card gave: approved, the attestation kept with the decision and in the audit trail.
    const approved = cardOf(await decide(h, mary, incident, INCIDENT_VERBS.approveReply, { replyText: reply, reporterPostsReply: 'false', attestFreeText: toggle!.valueOn }));
    expect(textOfCard(approved)).toMatch(/Decision recorded/);
    const stored = await stores.incidents.get('millbrook', incident.reference);
    expect(stored?.handling?.decision?.attestation).toEqual({ statement: ATTESTATION_STATEMENT, sentences: [free] });
    const audit = (await stores.incidents.auditTrail('millbrook', incident.reference)).filter((e) => e.action === 'incident.approveReply');
    expect(audit).toHaveLength(1);
    expect(audit[0]!.summary).toContain(ATTESTATION_STATEMENT);
    expect(audit[0]!.summary).toContain(`1. "${free}"`);
    expect(audit[0]!.actor.aadObjectId).toBe('aad-mary');
  });

  it('a reply of approved sentences only needs no attestation', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'Terrible service', categories: 'other-criticism' });
    const reply = 'Thank you for your feedback. We are sorry to read this. Please contact Millbrook Medical Centre directly on 01234 567890.';
    const card = cardOf(await decide(h, mary, incident, INCIDENT_VERBS.approveReply, { replyText: reply }));
    expect(textOfCard(card)).toMatch(/Decision recorded/);
    const stored = await stores.incidents.get('millbrook', incident.reference);
    expect(stored?.handling?.decision?.attestation).toBeUndefined();
    const audit = (await stores.incidents.auditTrail('millbrook', incident.reference)).filter((e) => e.action === 'incident.approveReply');
    expect(audit[0]!.summary).toContain('approved sentences only');
  });

  it('records exactly one of two concurrent approvals; the other sees who decided', async () => {
    const h = startBot();
    // Earlier tests' cards still waiting for the channel go first (as one digest card), so this
    // incident's channel card is its own card, which a decision then updates.
    await h.services.outbox.deliverDue();
    const incident = await report(h, rita, { postText: 'Rude receptionist', categories: 'personal-attack' });
    await h.services.outbox.deliverDue(); // the cards reach the channel and the managers first
    const clean = 'Thank you for your feedback. We are sorry to hear you are unhappy. Please contact the practice manager on 01234 567890 so we can look into this.';
    // The last sentence is not an approved sentence: both managers tick the attestation for it.
    const attestFreeText = attestationKey(['Please contact the practice manager on 01234 567890 so we can look into this.']);
    const [a, b] = await Promise.all([
      decide(h, mary, incident, INCIDENT_VERBS.approveReply, { replyText: clean, reporterPostsReply: 'true', attestFreeText }),
      decide(h, mike, incident, INCIDENT_VERBS.approveReply, { replyText: clean, reporterPostsReply: 'true', attestFreeText }),
    ]);
    const texts = [textOfCard(cardOf(a)), textOfCard(cardOf(b))];
    expect(texts.filter((t) => /Decision recorded/.test(t))).toHaveLength(1);
    expect(texts.filter((t) => /Already decided by (Mary|Mike)/.test(t))).toHaveLength(1);
    const stored = await stores.incidents.get('millbrook', incident.reference);
    expect(stored?.handling?.decision?.kind).toBe('public-reply');
    const decisions = (await stores.incidents.auditTrail('millbrook', incident.reference)).filter((e) => e.action === 'incident.approveReply');
    expect(decisions).toHaveLength(1);
    // A retried invoke does not decide twice.
    const retry = cardOf(await decide(h, stored!.handling!.decision!.by.aadObjectId === 'aad-mary' ? mary : mike, incident, INCIDENT_VERBS.approveReply, { replyText: clean }));
    expect(textOfCard(retry)).toMatch(/You decided this/);

    // The reporter is told, with the reply to post; every delivered copy of the card is updated.
    await h.services.outbox.deliverDue();
    await h.services.outbox.deliverDue();
    const toRita = h.sender.sent.filter((s) => s.to === '29:rita' && JSON.stringify(s.message.card ?? {}).includes(incident.reference));
    expect(toRita).toHaveLength(1);
    expect(textOfCard(toRita[0]!.message.card)).toContain('Please contact the practice manager on 01234 567890');
    expect(new Set(h.sender.updated.map((u) => u.to))).toEqual(new Set(['channel', '29:mary', '29:mike']));
  });

  it('asks the reporter for more information and adds their answer to the incident', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'Photo of the waiting room', categories: 'photo-or-recording' });
    const asked = cardOf(await decide(h, mary, incident, INCIDENT_VERBS.ask, { question: 'Were any patients identifiable in the photo?' }));
    expect(textOfCard(asked)).toMatch(/Question sent/);
    await h.services.outbox.deliverDue();
    const question = h.sender.sent.find((s) => s.to === '29:rita' && textOfCard(s.message.card).includes('Were any patients identifiable'));
    expect(question).toBeDefined();
    const send = action(question!.message.card, 'Send answer');
    const answered = await h.driver.send(cardAction(rita, send.verb, { ...send.data, answer: 'Yes, two people in the queue.' }));
    expect(String(answered.invoke?.body.value)).toMatch(/added to PW-2026/);
    const stored = await stores.incidents.get('millbrook', incident.reference);
    expect(stored?.handling?.questions?.[0]?.answer).toBe('Yes, two people in the queue.');
  });
});

describe('installation', () => {
  it('keeps the 1:1 chat of a manager who only had the app installed, so incidents can reach them', async () => {
    const h = startBot();
    const newManager = person('nora');
    directory.practices[0]!.managers.push('aad-nora');
    try {
      const installed = await h.driver.send({ ...personalMessage(newManager, ''), type: 'installationUpdate', action: 'add', text: undefined });
      expect(textsOf(installed).join(' ')).toMatch(/I'm Postwatch/);
      expect((await stores.practices.userChat('millbrook', 'aad-nora'))?.teamsUserId).toBe('29:nora');
    } finally {
      directory.practices[0]!.managers.pop();
    }
  });
});

describe('slow storage', () => {
  it('answers the invoke within Teams\' limit and finishes the decision afterwards', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'Slow day', categories: 'other-criticism' });
    const real = stores.incidents;
    const slowIncidents = Object.create(real) as Stores['incidents'];
    slowIncidents.update = async (i, change) => {
      await new Promise((resolve) => setTimeout(resolve, 4_500));
      return real.update(i, change);
    };
    const slow = startBot({ incidents: slowIncidents });
    const answer = await decide(slow, mary, incident, INCIDENT_VERBS.noResponse, { reason: 'Fair comment' });
    expect(answer.invoke?.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(answer.invoke?.body.value)).toMatch(/taking longer than usual/);
    for (let i = 0; i < 50 && !(await real.get('millbrook', incident.reference))?.handling?.decision; i++) {
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    expect((await real.get('millbrook', incident.reference))?.handling?.decision?.kind).toBe('no-response');
  });
});

describe('delivery', () => {
  it('retries a send that fails twice with 429, honouring Retry-After, and delivers it once, in order', async () => {
    const h = startBot();
    const before = h.sender.sent.length;
    await stores.outbox.enqueue(
      [
        { practiceId: 'millbrook', id: `t1-${randomUUID()}`, kind: 'message', target: 'user:test-order', address: { reference: { user: { id: '29:order' } } }, text: 'first' },
        { practiceId: 'millbrook', id: `t2-${randomUUID()}`, kind: 'message', target: 'user:test-order', address: { reference: { user: { id: '29:order' } } }, text: 'second' },
      ],
      clock,
    );
    h.sender.failures.set('29:order', [new SendFailure('429', 429, 30_000), new SendFailure('429', 429, 30_000)]);
    await h.services.outbox.deliverDue(); // 429
    clock = new Date(clock.getTime() + 10_000);
    await h.services.outbox.deliverDue(); // not due yet: Retry-After was 30 s
    expect(h.sender.failures.get('29:order')).toHaveLength(1);
    clock = new Date(clock.getTime() + 25_000);
    await h.services.outbox.deliverDue(); // 429 again
    clock = new Date(clock.getTime() + 60_000);
    await h.services.outbox.deliverDue(); // first delivered
    await h.services.outbox.deliverDue(); // then second
    const mine = h.sender.sent.slice(before).filter((s) => s.to === '29:order').map((s) => s.message.text);
    expect(mine).toEqual(['first', 'second']);
  });

  it('keeps a notification queued while the connector is down and delivers it when it recovers', async () => {
    const h = startBot();
    h.sender.down = true;
    const id = `down-${randomUUID()}`;
    await stores.outbox.enqueue([{ practiceId: 'millbrook', id, kind: 'message', target: 'user:down', address: { reference: { user: { id: '29:down' } } }, text: 'still here' }], clock);
    for (let i = 0; i < 8; i++) {
      await h.services.outbox.deliverDue();
      clock = new Date(clock.getTime() + 20 * 60_000);
    }
    expect((await stores.outbox.pending()).some((item) => item.id === id && item.attempts >= 5)).toBe(true);
    h.sender.down = false;
    await h.services.outbox.deliverDue();
    expect(h.sender.sent.filter((s) => s.message.text === 'still here')).toHaveLength(1);
    expect((await stores.outbox.pending()).some((item) => item.id === id)).toBe(false);
  });
});

describe('the incident card a manager is sent, on a phone (issue 13)', () => {
  it('puts the decision right after the headline, holds 4.5:1 contrast, offers Assign by name, and Check reply keeps the reply open', async () => {
    const h = startBot();
    const incident = await report(h, rita, { postText: 'The receptionist is useless and rude', categories: 'personal-attack,names-staff', namedParties: 'colleagues', namedColleagues: 'Rita' });
    await h.services.outbox.deliverDue();
    const card = h.sender.sent.find((s) => s.to === '29:mary' && JSON.stringify(s.message.card ?? {}).includes(incident.reference))!.message.card as Record<string, any>;
    const body = card.body as Array<Record<string, any>>;
    const at = (pred: (e: Record<string, any>) => boolean) => body.findIndex(pred);
    const decisions = body[at((e) => e.id === 'decisions')]!;
    expect(at((e) => e.id === 'headline')).toBeLessThan(at((e) => e.id === 'decisions'));
    expect(at((e) => e.id === 'decisions')).toBeLessThan(at((e) => /^(Recommended first|What the policy recommends)/.test(textOfCard(e))));
    // A section the guard already blocks (here the drafted reply: "reception" is in the practice's
    // e-mail address and in a staff name) is shown open, straight under the decision buttons.
    const opened = body.slice(at((e) => e.id === 'decisions') + 1).filter((e) => String(e.id).startsWith('decide-'));
    const options = [...decisions.actions.map((a: { title: string }) => a.title), ...opened.map((e) => e.items[0].text)].map((t: string) => t.replace(/ \(not advised\)$/, ''));
    expect(options.sort()).toEqual(['Ask the reporter', 'Assign', 'Choose actions', 'No response', 'Public reply']);
    for (const e of opened) expect(body.indexOf(e)).toBe(at((x) => x.id === 'decisions') + 1 + opened.indexOf(e));
    expect(card.actions ?? []).toEqual([]);
    expect(contrastFailures(card)).toEqual([]);
    // Deputies and managers by the names Teams gave them; nobody "Unnamed".
    const assign = decisions.actions.find((a: { title: string }) => a.title === 'Assign').card;
    const choices = assign.body.find((e: { id?: string }) => e.id === 'assignee').choices.map((c: { title: string }) => c.title);
    expect(choices.sort()).toEqual(['Dan', 'Mary', 'Mike']);
    // "Check reply" answers with the reply section still open, its result under the box.
    const checked = cardOf(await decide(h, mary, incident, INCIDENT_VERBS.checkReply, { replyText: 'Thank you for your feedback. Please contact the practice directly.' }));
    const open = (checked.body as Array<Record<string, any>>).find((e) => e.id === 'decide-reply');
    expect(open).toBeDefined();
    expect(textOfCard(open)).toMatch(/The reply check found/);
    expect(textOfCard(checked)).toMatch(/Reply checked/);
  });
});

describe('help, for the person asking (issue 13)', () => {
  const ask = async (h: Harness, who: Person, where: 'chat' | 'channel') =>
    textsOf(await h.driver.send(where === 'chat' ? personalMessage(who, 'help') : channelMention(who, 'help', TEAM))).join('\n');
  const REPORTING = ['report a post', 'my reports', 'help'];
  const DECIDING = ['open incidents', 'incident', 'summary', 'retention report', 'export register', 'verify audit', 'add deputy', 'remove deputy'];
  /** Subject access and erasure requests are answered by practice managers and the DPO only. */
  const RECORDS = ['subject access'];
  const SETUP = ['use this channel for incident review'];
  const listed = (text: string) => [...text.matchAll(/^- \*\*(.+?)\*\*/gm)].map((m) => m[1]!);

  it('staff see the reporting commands only, in a chat and in the channel', async () => {
    const h = startBot();
    for (const where of ['chat', 'channel'] as const) {
      const text = await ask(h, rita, where);
      expect(listed(text)).toEqual(REPORTING);
      expect(text).not.toMatch(/Evidence pack|verify audit|add deputy/);
    }
  });

  it('a deputy or DPO also sees the register, summary, retention report, register export, verify audit, evidence packs and role commands, the DPO also subject access; neither the set-up', async () => {
    const h = startBot();
    for (const [who, extra] of [[dan, []], [dave, RECORDS]] as const) {
      const text = await ask(h, who, 'chat');
      expect(listed(text).sort()).toEqual([...REPORTING, ...DECIDING, ...extra].sort());
      expect(text).toMatch(/Evidence pack/);
      expect(text).toMatch(/\*\*add deputy\*\*: .*\(in the practice channel, with @Postwatch\)/);
      expect(listed(await ask(h, who, 'channel'))).not.toContain(SETUP[0]);
    }
  });

  it('a practice manager in the channel also sees the set-up commands; in a 1:1 chat not', async () => {
    const h = startBot();
    expect(listed(await ask(h, mary, 'channel')).sort()).toEqual([...REPORTING, ...DECIDING, ...RECORDS, ...SETUP].sort());
    expect(listed(await ask(h, mary, 'chat'))).not.toContain(SETUP[0]);
  });
});

describe('a post asking for medical help (issue 13)', () => {
  it('is graded critical when the words suggest urgency, reaches the managers at once, and the reply drafted is the approved secure-routes sentence', async () => {
    const h = startBot();
    const post = "I've had chest pains for three days and can't get an appointment";
    const incident = await report(h, rita, { postText: post, categories: 'medical-help', namedParties: 'practice' });
    expect(incident.handling?.grading?.severity).toBe('critical');
    expect(incident.handling?.grading?.actions[0]?.id).toBe('direct-to-secure-routes');
    await h.services.outbox.deliverDue();
    const card = h.sender.sent.find((s) => s.to === '29:mary' && JSON.stringify(s.message.card ?? {}).includes(incident.reference))!.message.card as Record<string, any>;
    const text = textOfCard(card);
    expect(text).toContain('Critical severity');
    expect(text).toContain('Asks for medical help or shares their own health details');
    expect(text).toMatch(/Direct them to the practice's secure routes, and to NHS 111 or 999 if urgent/);
    const reply = JSON.stringify(card).match(/"id":"replyText"[^}]*"value":"([^"]*)"/)?.[1] ?? '';
    expect(reply).toMatch(/by phone on 01234 567890 or through our online consultation service/);
    expect(reply).toMatch(/NHS 111, or 999 in an emergency/);
    expect(reply).not.toMatch(/chest|pain|appointment/i);
    // The practice's own approved sentence: nothing blocks it and there is nothing to attest.
    expect(JSON.stringify(card)).not.toContain('"id":"attestFreeText"');
    expect(text).toContain('The reply check found nothing to change.');
  });
});

describe('the same post reported twice (issue 13)', () => {
  it('links the re-report to the first incident ("also reported by"), and the repeat-poster flag counts distinct posts', async () => {
    const h = startBot();
    const author = `@same_${randomUUID().slice(0, 8)}`;
    const at = (url: string, words: string) => ({ postText: words, categories: 'personal-attack', namedParties: 'practice', postUrl: url, authorName: author });
    const reportPost = async (who: Person, url: string, words: string) => {
      let card = cardOf(await h.driver.send(personalMessage(who, 'report a post')));
      const press = async (title: string, inputs: Record<string, unknown> = {}) => {
        const a = action(card, title);
        card = cardOf(await h.driver.send(cardAction(who, a.verb, { ...a.data, ...inputs })));
      };
      const { postText, categories, namedParties, ...place } = at(url, words);
      await press('Next', { ...where, ...place });
      await press('Next', { postText, categories, namedParties });
      await press('No', { riskDetails: '' });
      await press('Next', { noScreenshot: 'true', noScreenshotReason: 'Deleted' });
      await press('Submit');
      const reference = /PW-2026-\d{4}/.exec(textOfCard(card))![0];
      return (await h.services.triage.route('millbrook', reference))!;
    };
    const url = `https://www.facebook.com/millbrook/posts/${randomUUID().slice(0, 8)}`;
    const first = await reportPost(rita, url, 'Useless surgery, rude staff');
    const again = await reportPost(mike, `${url}/#comments`, 'Useless surgery, rude staff');
    expect(again.handling?.sameAs).toBe(first.reference);
    expect(again.handling?.priorIncidentsByAuthor).toBe(0);
    const firstNow = (await stores.incidents.get('millbrook', first.reference))!;
    expect(firstNow.handling?.alsoReportedBy?.map((r) => r.reference)).toEqual([again.reference]);
    expect((await stores.incidents.auditTrail('millbrook', first.reference)).map((e) => e.action)).toContain('incident.re-reported');
    // On the cards: the first says who else reported it; the second which incident it belongs to.
    expect(textOfCard(cardOf(await decide(h, mary, firstNow, INCIDENT_VERBS.refresh)))).toContain(`Also reported by Mike (${again.reference}).`);
    expect(textOfCard(cardOf(await decide(h, mary, again, INCIDENT_VERBS.refresh)))).toContain(`The same post as ${first.reference}, reported earlier`);
    // A different post by the same author is their second post, not their third.
    const other = await reportPost(rita, `https://www.facebook.com/millbrook/posts/${randomUUID().slice(0, 8)}`, 'And another thing');
    expect(other.handling?.sameAs).toBeUndefined();
    expect(other.handling?.priorIncidentsByAuthor).toBe(1);
    expect(other.handling?.grading?.warnings.map((w) => w.id)).toContain('possible-harassment');
  });
});
