import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { SendFailure, type OutgoingMessage, type Sender } from '../../src/app/outbox.ts';
import type { Services } from '../../src/compose.ts';
import { INCIDENT_VERBS } from '../../src/contract/cards.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { StorageUnavailableError, type ConversationAddress, type Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';
import { startServices } from '../support/services.ts';
import { storedReport } from '../support/reports.ts';
import { actionsOf, cardAction, person, personalMessage, TeamsDriver } from '../support/teams.ts';

/**
 * Routing queues a new incident's cards already claimed by its process, for direct delivery
 * (src/app/outbox.ts DirectDelivery); a decision queues the reporter's news and the card updates
 * the same way. When routing does not get as far as handing them over (its
 * write of the incident lost a race with another instance's sweep, or storage failed), the cards
 * must still go at once, not a minute later when the claim runs out, and once.
 */
const storage = useAzurite();
const rita = person('rita');
const mary = person('mary');
const directory: PracticeDirectory = {
  practices: [{ id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [], staff: ['aad-rita'], staffNames: [], managers: ['aad-mary'], deputies: [], dataProtectionOfficers: [] }],
};
// The clock stands still unless a test moves it: a claim never runs out by itself here.
let clock = new Date('2026-11-24T09:00:00Z');
const now = () => clock;

class Connector implements Sender {
  readonly sent: Array<{ to: string; message: OutgoingMessage }> = [];
  readonly updated: Array<{ to: string; activityId: string; message: OutgoingMessage }> = [];
  /** Refusals to come, by the id of the person the chat is with. */
  readonly failures = new Map<string, SendFailure[]>();
  async send(address: ConversationAddress, message: OutgoingMessage) {
    const to = String((address.reference.user as { id?: string } | undefined)?.id);
    const failure = this.failures.get(to)?.shift();
    if (failure) throw failure;
    this.sent.push({ to, message });
    return { id: `act-${randomUUID()}` };
  }
  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage) {
    this.updated.push({ to: String((address.reference.user as { id?: string } | undefined)?.id), activityId, message });
  }
}

/** A server process: its own store clients on the same tables, its own outbox worker (direct delivery on). */
async function instance(): Promise<{ services: Services; stores: Stores; connector: Connector }> {
  const stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now });
  const connector = new Connector();
  return { services: startServices({ directory, stores, now, sender: connector }).services, stores, connector };
}

/** A report stored as the submit stores it, not routed yet. */
const stored = (stores: Stores, atRisk: boolean): Promise<Incident> => storedReport(stores, rita, clock, { atRisk });

const cardsFor = (connector: Connector, reference: string) => connector.sent.filter((s) => s.to === mary.id && JSON.stringify(s.message.card ?? {}).includes(reference));

async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 300 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(what()).toBe(true);
}

beforeAll(async () => {
  const { services } = await instance();
  const driver = new TeamsDriver((c) => services.bot.run(c));
  for (const p of [rita, mary]) await driver.send(personalMessage(p, 'help'));
});

describe('a decision\'s news and card updates', () => {
  it('go from the deciding process at once, with no outbox scan or claim and one read of the incident for both; another instance sends none of them', async () => {
    const a = await instance();
    const b = await instance();
    const incident = await stored(a.stores, false);
    const routed = (await a.services.triage.route('millbrook', incident.reference, incident))!;
    await until(() => cardsFor(a.connector, incident.reference).length === 1);
    const calls = { pending: vi.spyOn(a.stores.outbox, 'pending'), claim: vi.spyOn(a.stores.outbox, 'claim'), incident: vi.spyOn(a.stores.incidents, 'get') };
    const toRita = () => a.connector.sent.filter((s) => s.to === rita.id && JSON.stringify(s.message.card ?? {}).includes(incident.reference));
    expect(toRita()).toEqual([]);
    const driver = new TeamsDriver((c) => a.services.bot.run(c));
    const decided = await driver.send(cardAction(mary, INCIDENT_VERBS.noResponse, { practiceId: 'millbrook', reference: incident.reference, version: routed.handling!.version, reason: 'A reply would only draw attention' }));
    expect(JSON.stringify(decided)).toContain('No response');

    // Rita hears the decision; Mary's card shows it (an update of the card she was sent).
    await until(() => toRita().length === 1);
    await until(() => a.connector.updated.some((u) => u.to === mary.id && JSON.stringify(u.message.card ?? {}).includes(incident.reference)));
    expect(await b.services.outbox.deliverDue()).toEqual({ sent: 0, failed: 0 });
    await Promise.all([a.services.outbox.stop(), b.services.outbox.stop()]);
    // No scan, no claim; the incident is read by the press, and once more when the news and the
    // update are drawn (as it is then, whatever another instance did meanwhile).
    expect([calls.pending.mock.calls.length, calls.claim.mock.calls.length, calls.incident.mock.calls.length]).toEqual([0, 0, 2]);
    expect([b.connector.sent, b.connector.updated]).toEqual([[], []]);
    // Each went once, and nothing is left in the outbox for a pass.
    expect(toRita()).toHaveLength(1);
    expect(JSON.stringify(toRita()[0]!.message.card)).toContain('decided not to respond publicly');
    expect(a.connector.updated.filter((u) => u.to === mary.id)).toHaveLength(1);
    expect((await a.stores.outbox.forIncident('millbrook', incident.reference)).filter((i) => i.status === 'pending')).toEqual([]);
  });
});

describe('the roles a submit reads', () => {
  it('routing and the reporter\'s "who reviews" answer, asked at once, share one read; a finished read is never reused', async () => {
    const a = await instance();
    const incident = await stored(a.stores, false);
    const reads = vi.spyOn(a.stores.practices, 'roles');
    const [routed, reviewers] = await Promise.all([a.services.triage.route('millbrook', incident.reference, incident), a.services.triage.reviewers('millbrook')]);
    expect(reads).toHaveBeenCalledTimes(1);
    expect(routed?.handling?.routedAt).toBeDefined();
    expect(reviewers.people).toEqual(['Mary']);
    // The next question reads again: a change of roles after that read is seen at once.
    await a.services.triage.reviewers('millbrook');
    expect(reads).toHaveBeenCalledTimes(2);
    await a.services.outbox.stop();
  });
});

describe('cards routing claimed but did not hand over', () => {
  it('routing lost the race to another instance\'s sweep after queueing them: they still go at once, once, as the decider\'s card', async () => {
    const a = await instance();
    const b = await instance();
    const incident = await stored(a.stores, true);
    // Between A queueing the cards (claimed by A) and A marking the incident routed, B's sweep
    // routes it: B finds the cards queued already (A's claim) and leaves them; A's write conflicts.
    const enqueue = a.stores.outbox.enqueue.bind(a.stores.outbox);
    vi.spyOn(a.stores.outbox, 'enqueue').mockImplementationOnce(async (...args) => {
      const queued = await enqueue(...args);
      expect(await b.services.triage.sweep()).toBe(1);
      return queued;
    });
    const routed = await a.services.triage.route('millbrook', incident.reference, incident);
    expect(routed?.handling?.routedAt).toBeDefined();

    await until(() => cardsFor(a.connector, incident.reference).length + cardsFor(b.connector, incident.reference).length > 0);
    await Promise.all([a.services.outbox.stop(), b.services.outbox.stop()]);
    const delivered = [...cardsFor(a.connector, incident.reference), ...cardsFor(b.connector, incident.reference)];
    expect(delivered).toHaveLength(1);
    expect(delivered[0]!.message.text).toContain('URGENT');
    expect(actionsOf(delivered[0]!.message.card).map((x) => x.verb)).toContain(INCIDENT_VERBS.assign);
    expect((await a.stores.outbox.forIncident('millbrook', incident.reference)).map((i) => i.status)).toEqual(['sent']);
  });

  it('storage failed writing the incident after the cards were queued: they go at once (as before direct delivery), and the sweep does not send them again', async () => {
    const a = await instance();
    const incident = await stored(a.stores, true);
    vi.spyOn(a.stores.incidents, 'update').mockRejectedValueOnce(new StorageUnavailableError('Update incident: storage unavailable'));
    await expect(a.services.triage.route('millbrook', incident.reference, incident)).rejects.toThrow(StorageUnavailableError);

    await until(() => cardsFor(a.connector, incident.reference).length > 0);
    expect(await a.services.triage.sweep()).toBe(1);
    await a.services.outbox.stop();
    expect(cardsFor(a.connector, incident.reference)).toHaveLength(1);
    expect((await a.stores.outbox.forIncident('millbrook', incident.reference)).map((i) => i.status)).toEqual(['sent']);
  });

  it('a card sent directly and throttled (429, Retry-After 30 s) is not sent again before then, and once after it', async () => {
    const a = await instance();
    const incident = await stored(a.stores, false);
    a.connector.failures.set(mary.id, [new SendFailure('throttled', 429, 30_000)]);
    await a.services.triage.route('millbrook', incident.reference, incident);
    const row = async () => (await a.stores.outbox.forIncident('millbrook', incident.reference)).find((i) => i.kind === 'incident-card')!;
    for (let i = 0; i < 300 && (await row()).attempts === 0; i++) await new Promise((r) => setTimeout(r, 10));
    expect(await row()).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 429' });
    expect(Date.parse((await row()).nextAttemptAt) - clock.getTime()).toBe(30_000);
    expect(await a.services.outbox.deliverDue()).toEqual({ sent: 0, failed: 0 });
    clock = new Date(clock.getTime() + 31_000);
    expect(await a.services.outbox.deliverDue()).toEqual({ sent: 1, failed: 0 });
    await a.services.outbox.stop();
    expect(cardsFor(a.connector, incident.reference)).toHaveLength(1);
    expect((await row()).status).toBe('sent');
  });

  // Last: the refusal marks Mary's chat as not working.
  it('a card sent directly and refused for good (403): the reporter who was told the manager will review it hears it did not reach her, as from a pass', async () => {
    const a = await instance();
    const incident = await stored(a.stores, false);
    a.connector.failures.set(mary.id, [new SendFailure('app not installed', 403, undefined)]);
    await a.services.triage.route('millbrook', incident.reference, incident);
    const told = () => a.connector.sent.filter((s) => s.to === rita.id && s.message.text?.includes(`${incident.reference} could not be delivered`));
    await until(() => told().length === 1);
    await a.services.outbox.stop();
    expect(cardsFor(a.connector, incident.reference)).toEqual([]);
    const [card] = (await a.stores.outbox.forIncident('millbrook', incident.reference)).filter((i) => i.kind === 'incident-card');
    expect(card).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 403' });
    expect(Date.parse(card!.nextAttemptAt) - clock.getTime()).toBe(60 * 60_000);
  });
});
