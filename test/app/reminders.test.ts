import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import type { OutgoingMessage, Sender } from '../../src/app/outbox.ts';
import { Reminders } from '../../src/app/reminders.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { ConversationAddress, Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';
import { storedReport } from '../support/reports.ts';
import { startServices } from '../support/services.ts';
import { type Person, person, personalMessage } from '../support/teams.ts';

/**
 * The reminders job runs every minute over every active incident of every practice (a federation
 * has hundreds). What it reads and writes must follow what is overdue, not how many incidents
 * there are: nothing for an incident with nothing overdue, a practice's roles once a run, and a
 * reminder written once, not again every minute.
 */
const storage = useAzurite();
const rita = person('rita');
const mary = person('mary');
const sam = person('sam');
const sue = person('sue');
const practice = (id: string, staff: Person, manager: Person) => ({ id, name: `${id} surgery`, teamIds: [], staff: [staff.aadObjectId], staffNames: [], managers: [manager.aadObjectId], deputies: [], dataProtectionOfficers: [] });
const directory: PracticeDirectory = { practices: [practice('north', rita, mary), practice('south', sam, sue)] };
const practices = (id: string) => directory.practices.find((p) => p.id === id);
let stores: Stores;
let clock = new Date('2026-11-24T09:00:00Z');
const now = () => clock;

class Connector implements Sender {
  readonly sent: Array<{ to: string; text: string }> = [];
  async send(address: ConversationAddress, message: OutgoingMessage) {
    this.sent.push({ to: String((address.reference.user as { id?: string } | undefined)?.id), text: message.text ?? '' });
    return { id: `act-${randomUUID()}` };
  }
  async update() {}
}

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now });
  const { driver } = startServices({ directory, stores, now, sender: new Connector(), deliverAtOnce: false });
  // Everyone has a 1:1 chat with the bot: North's Rita and Mary, South's Sam and Sue.
  for (const p of [rita, mary, sam, sue]) await driver.send(personalMessage(p, 'help'));
});

describe('the reminders job at the scale of a federation', () => {
  it('reads a practice\'s roles once a run and only for overdue work, and does not write a reminder again every minute', async () => {
    const { services } = startServices({ directory, stores, now, sender: new Connector(), deliverAtOnce: false });
    const routedReport = async (practiceId: string) => {
      const incident = await storedReport(stores, practiceId === 'north' ? rita : sam, clock, { practiceId });
      return (await services.triage.route(practiceId, incident.reference, incident))!;
    };
    const overdue = [await routedReport('north'), await routedReport('north'), await routedReport('north')];
    clock = new Date(clock.getTime() + 9 * 3_600_000); // past the 8 hours a personal attack is to be decided in
    // Reported now: nothing overdue on these, in both practices.
    await routedReport('north');
    await routedReport('south');
    await routedReport('south');

    const roles = vi.spyOn(stores.practices, 'roles');
    const enqueue = vi.spyOn(stores.outbox, 'enqueue');
    const job = new Reminders({ stores, practices, practiceIds: () => directory.practices.map((p) => p.id), now, log: pino({ level: 'silent' }), instanceId: `test-${randomUUID()}` });
    expect(await job.run()).toBe(3);
    // North's roles once for its three overdue incidents; South (nothing overdue) not at all.
    expect(roles.mock.calls.map(([id]) => id)).toEqual(['north']);
    expect(enqueue).toHaveBeenCalledTimes(3);
    const queued = (await stores.outbox.pending()).filter((i) => i.id.includes('|reminder|'));
    expect(queued.map((i) => i.reference).sort()).toEqual(overdue.map((i) => i.reference).sort());

    // The next minutes: the same reminders are derived again, and not written again.
    for (let minute = 1; minute <= 3; minute++) {
      clock = new Date(clock.getTime() + 60_000);
      expect(await job.run()).toBe(0);
    }
    expect(enqueue).toHaveBeenCalledTimes(3);
    expect((await stores.outbox.pending()).filter((i) => i.id.includes('|reminder|'))).toHaveLength(3);

    // Another instance that takes the job over (the lease ran out) finds them queued: none twice.
    clock = new Date(clock.getTime() + 3 * 60_000);
    const other = new Reminders({ stores, practices, practiceIds: () => directory.practices.map((p) => p.id), now, log: pino({ level: 'silent' }), instanceId: `test-${randomUUID()}` });
    expect(await other.run()).toBe(0);
    expect((await stores.outbox.pending()).filter((i) => i.id.includes('|reminder|'))).toHaveLength(3);
  });
});

describe('one practice\'s storage failing', () => {
  it('holds up neither the routing sweep nor the reminders of another practice, and is tried again next time', async () => {
    const { services } = startServices({ directory, stores, now, sender: new Connector(), deliverAtOnce: false });
    // Stored, not routed (a crash before routing), in both practices.
    const north = await storedReport(stores, rita, clock, { practiceId: 'north' });
    const south = await storedReport(stores, sam, clock, { practiceId: 'south' });
    const read = stores.incidents.listUnrouted.bind(stores.incidents);
    const unrouted = vi.spyOn(stores.incidents, 'listUnrouted').mockImplementation(async (practiceId, limit) => {
      if (practiceId === 'north') throw new Error('north partition throttled');
      return read(practiceId, limit);
    });
    await services.triage.sweep();
    const routedAt = async (i: { practiceId: string; reference: string }) => (await stores.incidents.get(i.practiceId, i.reference))?.handling?.routedAt;
    expect([await routedAt(north), await routedAt(south)]).toEqual([undefined, expect.any(String)]);
    unrouted.mockRestore();
    await services.triage.sweep();
    expect(await routedAt(north)).toEqual(expect.any(String));

    clock = new Date(clock.getTime() + 9 * 3_600_000);
    const active = stores.incidents.listActive.bind(stores.incidents);
    const listed = vi.spyOn(stores.incidents, 'listActive').mockImplementation(async (practiceId) => {
      if (practiceId === 'north') throw new Error('north partition throttled');
      return active(practiceId);
    });
    const job = new Reminders({ stores, practices, practiceIds: () => directory.practices.map((p) => p.id), now, log: pino({ level: 'silent' }), instanceId: `test-${randomUUID()}` });
    await job.run();
    const reminded = async () => (await stores.outbox.pending()).filter((i) => i.id.includes('|reminder|')).map((i) => `${i.practiceId} ${i.reference}`);
    expect(await reminded()).toContain(`south ${south.reference}`);
    expect(await reminded()).not.toContain(`north ${north.reference}`);
    listed.mockRestore();
    clock = new Date(clock.getTime() + 60_000);
    await job.run();
    expect(await reminded()).toContain(`north ${north.reference}`);
  });
});
