import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { SendFailure, type OutgoingMessage, type Sender } from '../../src/app/outbox.ts';
import { asQueued, asWritten, channelCardTarget, personKey, personOf, personTarget, REVIEW_CHANNEL } from '../../src/app/outboxTargets.ts';
import { Reminders } from '../../src/app/reminders.ts';
import type { Services } from '../../src/compose.ts';
import { INCIDENT_VERBS } from '../../src/contract/cards.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { ConversationAddress, OutboxItem, Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';
import { startServices } from '../support/services.ts';
import { storedReport } from '../support/reports.ts';
import { actionsOf, cardAction, person, personalMessage, TeamsDriver } from '../support/teams.ts';

describe('the outbox target of a person', () => {
  it('is one target however the Entra object id is written', () => {
    for (const written of ['aad-mary', 'AAD-MARY', 'Aad-Mary', '  aad-mary ', '\tAAD-mary\n']) {
      expect(personTarget(written)).toBe('user:aad-mary');
      expect(personKey(written)).toBe('aad-mary');
      expect(personOf(personTarget(written))).toBe('aad-mary');
    }
    expect(personTarget('aad-mary')).not.toBe(personTarget('aad-mark'));
  });

  it('names nobody for the review channel, or for its card opened in a person\'s chat (drawn as the channel sees it)', () => {
    expect(personOf(REVIEW_CHANNEL)).toBeUndefined();
    expect(personOf(channelCardTarget(' AAD-Mary'))).toBeUndefined();
    expect(channelCardTarget(' AAD-Mary')).toBe('channel|user:aad-mary');
    expect(personOf('user:')).toBeUndefined();
    expect(personOf('user:  ')).toBeUndefined();
  });

  it('reads a target queued before the rule back in the rule\'s spelling', () => {
    expect(asWritten('user:AAD-Mary')).toBe('user:aad-mary');
    expect(asWritten('channel|user:AAD-Mary')).toBe('channel|user:aad-mary');
    expect(asWritten('channel')).toBe('channel');
    expect(asWritten('user:aad-mary')).toBe('user:aad-mary');
  });

  it('an item derived again takes the spelling of the same item queued before, and only that one', () => {
    const items = [
      { id: 'PW-2026-0001|user:aad-mary|card', text: 'mary' },
      { id: 'PW-2026-0001|user:aad-dan|card', text: 'dan' },
      { id: 'PW-2026-0001|channel|card', text: 'channel' },
    ];
    const queued = [{ id: 'PW-2026-0001|user:AAD-Mary|card' }, { id: 'PW-2026-0001|channel|card' }, { id: 'PW-2026-0002|user:aad-dan|card' }];
    expect(asQueued(items, queued)).toEqual([
      { id: 'PW-2026-0001|user:AAD-Mary|card', text: 'mary' },
      { id: 'PW-2026-0001|user:aad-dan|card', text: 'dan' },
      { id: 'PW-2026-0001|channel|card', text: 'channel' },
    ]);
    expect(asQueued(items, [])).toEqual(items);
  });
});

/**
 * Against Azurite, through the real use cases: the practice's configuration writes Mary's Entra id
 * in capitals, Teams writes it in lower case. Whatever queues a message for her, she is one target,
 * so her messages keep their order, and a card queued under the old spelling is not sent twice.
 */
const storage = useAzurite();
const rita = person('rita');
const mary = person('mary');
const directory: PracticeDirectory = {
  practices: [{ id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [], staff: ['aad-rita'], staffNames: [], managers: ['AAD-MARY'], deputies: [], dataProtectionOfficers: [] }],
};
const practices = (id: string) => directory.practices.find((p) => p.id === id);
let stores: Stores;
let clock = new Date('2026-11-24T09:00:00Z');
const now = () => clock;
const later = (ms: number) => {
  clock = new Date(clock.getTime() + ms);
};

/** A connector that records whom it sent what, and fails on demand as the real one does under load. */
class Connector implements Sender {
  readonly sent: Array<{ to: string; message: OutgoingMessage }> = [];
  readonly failures = new Map<string, SendFailure[]>();
  private who(address: ConversationAddress): string {
    return String((address.reference.user as { id?: string } | undefined)?.id);
  }
  async send(address: ConversationAddress, message: OutgoingMessage) {
    const failure = this.failures.get(this.who(address))?.shift();
    if (failure) throw failure;
    this.sent.push({ to: this.who(address), message });
    return { id: `act-${randomUUID()}` };
  }
  async update() {}
}

function startBot(): { services: Services; driver: TeamsDriver; connector: Connector } {
  const connector = new Connector();
  return { ...startServices({ directory, stores, now, sender: connector, deliverAtOnce: false }), connector };
}

/** A report stored as the submit stores it, not routed yet. */
const stored = (): Promise<Incident> => storedReport(stores, rita, clock);

const forMary = (items: OutboxItem[]) => items.filter((i) => (i.address.reference.user as { id?: string } | undefined)?.id === mary.id);

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now });
  const { driver } = startBot();
  for (const p of [rita, mary]) await driver.send(personalMessage(p, 'help'));
});

describe('one person, one target, against the outbox', () => {
  it('the card routing queued (configuration\'s spelling) and the reminder after it (lower case) are one target, delivered in order', async () => {
    const { services, connector } = startBot();
    const incident = await stored();
    expect((await services.triage.route('millbrook', incident.reference, incident))?.handling?.routedAt).toBeDefined();
    later(9 * 3_600_000); // past the 8 hours a personal attack is to be decided in
    const reminders = new Reminders({ stores, practices, practiceIds: () => directory.practices.map((p) => p.id), now, log: pino({ level: 'silent' }), instanceId: `test-${randomUUID()}` });
    expect(await reminders.run()).toBe(1);

    const queued = forMary((await stores.outbox.pending()).filter((i) => i.reference === incident.reference));
    expect(queued.map((i) => [i.kind, i.id])).toEqual([
      ['incident-card', `${incident.reference}|user:aad-mary|card`],
      ['message', `${incident.reference}|reminder|decision|L1|user:aad-mary`],
    ]);
    expect(new Set(queued.map((i) => i.target))).toEqual(new Set(['user:aad-mary']));

    // The card is refused for now (429): the reminder queued after it waits for it, it does not overtake.
    connector.failures.set(mary.id, [new SendFailure('connector 429', 429, 30_000)]);
    await services.outbox.deliverDue();
    expect(connector.sent.filter((s) => s.to === mary.id)).toEqual([]);
    later(60_000);
    await services.outbox.deliverDue();
    const delivered = connector.sent.filter((s) => s.to === mary.id);
    expect(delivered.map((s) => (s.message.card ? 'card' : s.message.text?.slice(0, 9)))).toEqual(['card', 'Reminder:']);
    expect(JSON.stringify(delivered[0]!.message.card)).toContain(incident.reference);
    expect(delivered[1]!.message.text).toContain(incident.reference);
  });

  it('a card queued under the old spelling before an upgrade is sent once: not again by the sweep, not again on assigning her', async () => {
    const { services, connector, driver } = startBot();
    const incident = await stored();
    // The version before queued Mary's card under configuration's spelling, then stopped before
    // marking the incident routed (a deploy restarting it, say).
    const chat = (await stores.practices.userChat('millbrook', 'AAD-MARY'))!;
    const old = `${incident.reference}|user:AAD-MARY|card`;
    await stores.outbox.enqueue([{ practiceId: 'millbrook', id: old, kind: 'incident-card', target: 'user:AAD-MARY', address: chat, reference: incident.reference }], clock);

    await services.triage.sweep();
    const routed = (await stores.incidents.get('millbrook', incident.reference))!;
    expect(routed.handling?.routedAt).toBeDefined();
    const cards = async () => forMary(await stores.outbox.forIncident('millbrook', incident.reference)).filter((i) => i.kind === 'incident-card');
    expect((await cards()).map((i) => i.id)).toEqual([old]);

    // Delivered as hers: the target read back names her, so she gets the decider's card.
    await services.outbox.deliverDue();
    const delivered = connector.sent.filter((s) => s.to === mary.id && JSON.stringify(s.message.card ?? {}).includes(incident.reference));
    expect(delivered).toHaveLength(1);
    expect(actionsOf(delivered[0]!.message.card).map((a) => a.verb)).toContain(INCIDENT_VERBS.assign);

    // Assigned to herself (Teams' spelling): the card she has is updated, no second card is queued.
    await driver.send(cardAction(mary, INCIDENT_VERBS.assign, { practiceId: 'millbrook', reference: incident.reference, version: routed.handling!.version, assignee: mary.aadObjectId }));
    const assigned = (await stores.incidents.get('millbrook', incident.reference))!;
    expect(assigned.handling?.assignedTo?.aadObjectId).toBe(mary.aadObjectId);
    expect((await cards()).map((i) => i.id)).toEqual([old]);
    const updates = forMary(await stores.outbox.forIncident('millbrook', incident.reference)).filter((i) => i.kind === 'card-update');
    expect(updates.map((i) => [i.id, i.target])).toEqual([[`${old}|update|v${assigned.handling!.version}`, 'user:aad-mary']]);
  });
});

describe('a reminder is sent once', () => {
  it('delivered, it is not queued and sent again by the next runs of the job (every minute), nor by another instance', async () => {
    const { services, connector } = startBot();
    const incident = await stored();
    await services.triage.route('millbrook', incident.reference, incident);
    await services.outbox.deliverDue();
    later(9 * 3_600_000); // past the 8 hours a personal attack is to be decided in
    const reminder = () => connector.sent.filter((s) => s.to === mary.id && s.message.text?.includes(incident.reference) && /^Reminder:/.test(s.message.text));
    const job = () => new Reminders({ stores, practices, practiceIds: () => directory.practices.map((p) => p.id), now, log: pino({ level: 'silent' }), instanceId: `test-${randomUUID()}` });
    expect(await job().run()).toBeGreaterThan(0);
    await services.outbox.deliverDue();
    expect(reminder()).toHaveLength(1);

    for (let minute = 0; minute < 3; minute++) {
      later(6 * 60_000); // past the job's lease, so a new holder runs it
      await job().run();
      await services.outbox.deliverDue();
    }
    expect(reminder()).toHaveLength(1);
  });
});
