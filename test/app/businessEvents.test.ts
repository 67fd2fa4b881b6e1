import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
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
import { INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { useAzurite } from '../support/azurite.ts';
import { eventually } from '../support/botProcess.ts';
import { action, cardAction, cardOf, channelMention, personalMessage, TeamsDriver, textOfCard, type Person } from '../support/teams.ts';

/**
 * The business events an operator counts: one structured `info` line each (pino), with the
 * practice, the reference and what happened, and never what anyone wrote or who they are.
 */

const storage = useAzurite();
const rita: Person = { id: '29:rita', aadObjectId: 'aad-rita-7f3e', name: 'Rita Reception' };
const mary: Person = { id: '29:mary', aadObjectId: 'aad-mary-51c2', name: 'Mary Manager' };
const TEAM = '19:team-riverside@thread.tacv2';
const directory: PracticeDirectory = {
  practices: [{ id: 'riverside', name: 'Riverside Surgery', teamIds: [TEAM], staff: [rita.aadObjectId], staffNames: [], managers: [mary.aadObjectId], deputies: [], dataProtectionOfficers: [] }],
};
const policies = new Map([['riverside', loadPolicy()]]);
// Distinctive words that must never reach a log line.
const POST_TEXT = 'Zanzibar-quartz says the surgery lost my letters';
const AUTHOR = '@Quillfeather_Unique';
const SECRET_WORDS = [POST_TEXT, 'Zanzibar', AUTHOR, 'Quillfeather', rita.name, mary.name, rita.aadObjectId, mary.aadObjectId, 'Never reply to this one'];

let stores: Stores;
let clock = new Date('2026-11-24T10:30:00Z');

class ScriptedSender implements Sender {
  failures: SendFailure[] = [];
  async send(_address: ConversationAddress, _message: OutgoingMessage) {
    const failure = this.failures.shift();
    if (failure) throw failure;
    return { id: `act-${randomUUID()}` };
  }
  async update() {
    const failure = this.failures.shift();
    if (failure) throw failure;
  }
}

interface Harness {
  services: Services;
  driver: TeamsDriver;
  sender: ScriptedSender;
  lines: Array<Record<string, unknown>>;
  raw: () => string;
}

function startBot(): Harness {
  let raw = '';
  const sink = new Writable({
    write(chunk, _encoding, done) {
      raw += chunk.toString();
      done();
    },
  });
  const sender = new ScriptedSender();
  const privateChats: PrivateChats = { send: async () => `private-${randomUUID()}` };
  const services = createServices({
    config: { practices: directory, policies, bot: { authEnabled: false } },
    stores,
    log: pino({ level: 'info' }, sink),
    now: () => clock,
    sender,
    privateChats,
    random: () => 0.5,
    deliverAtOnce: false,
  });
  const h: Harness = {
    services,
    sender,
    driver: new TeamsDriver((context) => services.bot.run(context)),
    get lines() {
      return raw.split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>);
    },
    raw: () => raw,
  };
  return h;
}

const events = (h: Harness, name: string) => h.lines.filter((l) => l.event === name);

async function report(h: Harness): Promise<Incident> {
  let card = cardOf(await h.driver.send(personalMessage(rita, 'report a post')));
  const press = async (title: string, inputs: Record<string, unknown> = {}) => {
    const a = action(card, title);
    card = cardOf(await h.driver.send(cardAction(rita, a.verb, { ...a.data, ...inputs })));
  };
  await press('Next', { platform: 'facebook', postUrl: 'https://www.facebook.com/riverside/posts/1', seenDate: '2026-11-24', seenTime: '09:05', authorName: AUTHOR, authorRelationship: 'patient' });
  await press('Next', { postText: POST_TEXT, categories: 'complaint' });
  await press('No', { riskDetails: '' });
  await press('Next', { noScreenshot: 'true', noScreenshotReason: 'On my own phone' });
  await press('Submit');
  const reference = /PW-\d{4}-\d{4}/.exec(textOfCard(card))![0];
  return (await h.services.triage.route('riverside', reference))!;
}

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
  const h = startBot();
  for (const p of [mary, rita]) await h.driver.send(personalMessage(p, 'help'));
  await h.driver.send(channelMention(mary, 'use this channel for incident review', TEAM));
});

describe('business events at info', () => {
  it('logs a report stored (practice, reference, severity) and each card delivered, without the post or the people', async () => {
    const h = startBot();
    const incident = await report(h);
    expect(events(h, 'report.stored')).toEqual([
      expect.objectContaining({ level: 30, practice: 'riverside', reference: incident.reference, severity: incident.handling!.grading!.severity }),
    ]);
    await h.services.outbox.deliverDue();
    const delivered = events(h, 'card.delivered').filter((l) => l.reference === incident.reference);
    // The review channel and the manager's 1:1 chat.
    expect(delivered).toHaveLength(2);
    expect(delivered.every((l) => l.level === 30 && l.practice === 'riverside' && l.kind === 'incident-card')).toBe(true);
    for (const word of SECRET_WORDS) expect(h.raw()).not.toContain(word);
  });

  it('logs a decision recorded with its verb and not the reason typed', async () => {
    const h = startBot();
    const incident = await report(h);
    await h.driver.send(cardAction(mary, INCIDENT_VERBS.noResponse, { practiceId: 'riverside', reference: incident.reference, version: incident.handling!.version, reason: 'Never reply to this one' }));
    expect(events(h, 'decision.recorded')).toEqual([expect.objectContaining({ level: 30, practice: 'riverside', reference: incident.reference, verb: INCIDENT_VERBS.noResponse })]);
    // A refused press is not a decision.
    await h.driver.send(cardAction(rita, INCIDENT_VERBS.close, { practiceId: 'riverside', reference: incident.reference, version: 99, closeOutcome: 'x' }));
    expect(events(h, 'decision.recorded')).toHaveLength(1);
    for (const word of SECRET_WORDS) expect(h.raw()).not.toContain(word);
  });

  it('logs an outbox retry, a give-up (app not installed) and, once delivered, the reminder sent', async () => {
    const h = startBot();
    await h.services.outbox.deliverDue(); // what earlier tests left waiting
    const incident = await report(h);
    h.sender.failures = [new SendFailure('busy', 503, 1_000)];
    await h.services.outbox.deliverDue();
    expect(events(h, 'outbox.retry')).toEqual([expect.objectContaining({ level: 30, practice: 'riverside', reference: incident.reference, reason: 'HTTP 503', attempts: 1 })]);

    h.sender.failures = [new SendFailure('not installed', 403, undefined)];
    clock = new Date(clock.getTime() + 60_000);
    await h.services.outbox.deliverDue();
    expect(events(h, 'outbox.give-up')).toEqual([expect.objectContaining({ level: 40, practice: 'riverside', reference: incident.reference, reason: 'HTTP 403' })]);

    // Past the decision target (and past every retry): the manager is reminded.
    clock = new Date(clock.getTime() + 3 * 24 * 60 * 60_000);
    const before = h.services.reminders.lastRun;
    expect(await h.services.reminders.run()).toBeGreaterThan(0);
    expect(h.services.reminders.lastRun).toMatchObject({ at: clock.toISOString(), leaseHeld: true });
    expect(h.services.reminders.lastRun).not.toEqual(before);
    await h.services.outbox.deliverDue();
    expect(events(h, 'reminder.sent').filter((l) => l.reference === incident.reference).length).toBeGreaterThan(0);
    for (const word of SECRET_WORDS) expect(h.raw()).not.toContain(word);
  });

  it('logs the audit verification result (incidents checked, broken)', async () => {
    const h = startBot();
    await h.driver.send(personalMessage(mary, 'verify audit'));
    const line = await eventually('the audit.verified line', () => events(h, 'audit.verified')[0]);
    expect(line).toMatchObject({ level: 30, practice: 'riverside', broken: 0 });
    expect(line.incidents).toBeGreaterThan(0);
    for (const word of SECRET_WORDS) expect(h.raw()).not.toContain(word);
  });
});
