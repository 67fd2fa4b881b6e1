import { TableClient } from '@azure/data-tables';
import pino from 'pino';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { OutboxWorker, PASS_KEYS, SendFailure, type OutgoingMessage, type PassReads, type Sender } from '../../src/app/outbox.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { key } from '../../src/store/azure/entities.ts';
import type { ConversationAddress, NewOutboxItem, OutboxItem, Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

/**
 * Direct delivery (outbox.ts DirectDelivery): a new incident's cards are queued already claimed by
 * this process and sent at once, drawn from what routing handed over. Nothing may be lost or
 * overtaken for it: another instance leaves them alone while the claim holds, a conversation with
 * an earlier message waiting for a retry keeps its order, and if the process dies before sending
 * them another instance sends them once the claim runs out.
 */

const storage = useAzurite();
let stores: Stores;
const t0 = new Date('2026-11-30T10:00:00Z');

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now: () => t0 });
});

class RecordingSender implements Sender {
  sent: Array<{ conversation: string; text: string }> = [];
  failNext: SendFailure[] = [];
  /** While set, a send waits for it (a slow connector). */
  gate?: Promise<void>;
  async send(address: ConversationAddress, message: OutgoingMessage) {
    await this.gate;
    const failure = this.failNext.shift();
    if (failure) throw failure;
    this.sent.push({ conversation: String((address.reference.conversation as { id?: string } | undefined)?.id), text: message.text ?? '' });
    return { id: `act-${this.sent.length}` };
  }
  async update() {}
}

interface Instance {
  worker: OutboxWorker;
  sender: RecordingSender;
  /** Outbox store calls this instance's worker made, by method. */
  calls: (method: 'pending' | 'claim' | 'markSent') => number;
  /** Reads the render had to make itself (nothing was handed over for them). */
  reads: string[];
  clock: { now: Date };
  /** This instance's own outbox store (to slow its writes down). */
  outbox: Stores['outbox'];
}

/** A server process: its own store clients on the same tables, and its own outbox worker. */
async function instance(): Promise<Instance> {
  const own = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now: () => t0 });
  const spies = { pending: vi.spyOn(own.outbox, 'pending'), claim: vi.spyOn(own.outbox, 'claim'), markSent: vi.spyOn(own.outbox, 'markSent') };
  const reads: string[] = [];
  const clock = { now: t0 };
  const sender = new RecordingSender();
  // Draws a message from the incident as the pass (or the hand-over) gives it.
  const render = async (item: OutboxItem, pass: PassReads): Promise<OutgoingMessage> => {
    const incident = await pass(PASS_KEYS.incident(item.practiceId, item.reference ?? ''), async () => {
      reads.push(item.id);
      return { reference: item.reference, status: 'read back' };
    });
    return { text: `${item.id}: ${(incident as { status: string }).status}` };
  };
  const digest = async (items: OutboxItem[]): Promise<OutgoingMessage> => ({ text: `digest: ${items.map((i) => i.reference).join(', ')}` });
  const worker = new OutboxWorker({ outbox: own.outbox, sender, render, digest, now: () => clock.now, log: pino({ level: 'silent' }), random: () => 0 });
  return { worker, sender, calls: (method) => spies[method].mock.calls.length, reads, clock, outbox: own.outbox };
}

const chat = (id: string): ConversationAddress => ({ reference: { conversation: { id }, serviceUrl: 'http://127.0.0.1:9' } });
const card = (practiceId: string, reference: string, target: string): NewOutboxItem => ({
  practiceId,
  id: `${reference}|${target}|card`,
  kind: 'incident-card',
  target,
  address: chat(`${practiceId}-${target}`),
  reference,
});
const known = (practiceId: string, reference: string) => new Map<string, unknown>([[PASS_KEYS.incident(practiceId, reference), { reference, status: 'as routed' }]]);

async function passDone(worker: OutboxWorker): Promise<void> {
  // The pass a deferred hand-over nudged (the worker's own, not a timer).
  for (let i = 0; i < 200 && (worker as unknown as { running?: Promise<unknown> }).running; i++) await (worker as unknown as { running: Promise<unknown> }).running;
}

async function until(what: () => boolean): Promise<void> {
  for (let i = 0; i < 200 && !what(); i++) await new Promise((r) => setTimeout(r, 10));
  expect(what()).toBe(true);
}

describe('direct delivery of a new incident\'s cards', () => {
  it('sends them at once from what was handed over (no scan, no claim, no read), while another instance leaves them alone', async () => {
    const a = await instance();
    const b = await instance();
    const p = 'direct-1';
    const queued = await stores.outbox.enqueue([card(p, 'PW-2026-0001', 'channel'), card(p, 'PW-2026-0001', 'user:aad-mary')], t0, a.worker.claim());
    expect(queued.map((i) => i.claimedBy)).toEqual([a.worker.instanceId, a.worker.instanceId]);

    // Another instance's pass finds them claimed and sends nothing; nor does this process's own
    // pass, run between queueing and the hand-over: they are on their way directly.
    expect(await b.worker.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(await a.worker.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect([a.sender.sent, b.sender.sent]).toEqual([[], []]);

    a.worker.deliver(queued, known(p, 'PW-2026-0001'));
    await until(() => a.sender.sent.length === 2);
    expect(a.sender.sent.map((s) => s.text).sort()).toEqual(['PW-2026-0001|channel|card: as routed', 'PW-2026-0001|user:aad-mary|card: as routed']);
    expect(a.reads).toEqual([]);
    await until(() => a.calls('markSent') === 2);
    // The one scan is the pass run above: the direct sends made none, and no claim.
    expect([a.calls('pending'), a.calls('claim')]).toEqual([1, 0]);
    const rows = (await stores.outbox.forIncident(p, 'PW-2026-0001')).map((i) => [i.id, i.status, i.claimedBy ?? '']);
    expect(rows.sort()).toEqual([
      ['PW-2026-0001|channel|card', 'sent', ''],
      ['PW-2026-0001|user:aad-mary|card', 'sent', ''],
    ]);
    // Sent once: neither instance has anything left to send.
    expect(await b.worker.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(await a.worker.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(a.sender.sent.length + b.sender.sent.length).toBe(2);
  });

  it('does not overtake a message waiting for a retry in the same chat: the pass sends both, in the order queued', async () => {
    const a = await instance();
    const p = 'direct-2';
    await stores.outbox.enqueue([card(p, 'PW-2026-0001', 'user:aad-mary')], t0);
    a.sender.failNext.push(new SendFailure('throttled', 429, 3_000));
    expect(await a.worker.deliverDue()).toEqual({ sent: 0, failed: 1 });

    const queued = await stores.outbox.enqueue([card(p, 'PW-2026-0002', 'user:aad-mary')], t0, a.worker.claim());
    a.worker.deliver(queued, known(p, 'PW-2026-0002'));
    await passDone(a.worker);
    expect(a.sender.sent).toEqual([]);
    expect((await stores.outbox.forIncident(p, 'PW-2026-0002'))[0]).toMatchObject({ status: 'pending' });

    // After the Retry-After: the first, then the second (which needs no claim: it is this process's).
    a.clock.now = new Date(t0.getTime() + 3_500);
    const claims = a.calls('claim');
    expect(await a.worker.deliverDue()).toEqual({ sent: 2, failed: 0 });
    expect(a.sender.sent.map((s) => s.text)).toEqual(['PW-2026-0001|user:aad-mary|card: read back', 'PW-2026-0002|user:aad-mary|card: read back']);
    expect(a.calls('claim') - claims).toBe(1);
  });

  it('a process that dies before sending them: another instance sends them once the claim has run out, once', async () => {
    const dead = await instance();
    const b = await instance();
    const p = 'direct-3';
    await stores.outbox.enqueue([card(p, 'PW-2026-0001', 'channel'), card(p, 'PW-2026-0001', 'user:aad-mary')], t0, dead.worker.claim());
    // (the process is killed here: deliver is never called)
    expect(await b.worker.deliverDue()).toEqual({ sent: 0, failed: 0 });
    b.clock.now = new Date(t0.getTime() + 61_000);
    expect(await b.worker.deliverDue()).toEqual({ sent: 2, failed: 0 });
    expect(b.calls('claim')).toBe(2);
    expect(b.sender.sent.map((s) => s.text).sort()).toEqual(['PW-2026-0001|channel|card: read back', 'PW-2026-0001|user:aad-mary|card: read back']);
    expect(await b.worker.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect((await stores.outbox.forIncident(p, 'PW-2026-0001')).every((i) => i.status === 'sent')).toBe(true);
  });

  it('a burst for the review channel while a card is on its way there goes as one digest card after it, by a pass', async () => {
    const a = await instance();
    const p = 'direct-4';
    let open!: () => void;
    a.sender.gate = new Promise((resolve) => (open = resolve));
    const first = await stores.outbox.enqueue([card(p, 'PW-2026-0001', 'channel')], t0, a.worker.claim());
    a.worker.deliver(first, known(p, 'PW-2026-0001'));
    for (const n of [2, 3, 4, 5]) {
      const reference = `PW-2026-000${n}`;
      a.worker.deliver(await stores.outbox.enqueue([card(p, reference, 'channel')], t0, a.worker.claim()), known(p, reference));
    }
    expect(a.sender.sent).toEqual([]);
    open();
    await until(() => a.sender.sent.length === 2);
    await passDone(a.worker);
    expect(a.sender.sent.map((s) => s.text)).toEqual(['PW-2026-0001|channel|card: as routed', 'digest: PW-2026-0002, PW-2026-0003, PW-2026-0004, PW-2026-0005']);
    expect((await stores.outbox.pending()).filter((i) => i.practiceId === p)).toEqual([]);
  });
});

describe('direct delivery keeps the order of one chat', () => {
  it('a card left to a pass (the chat was being served) is not overtaken by a later card sent directly there', async () => {
    const a = await instance();
    const p = 'direct-5';
    const running = () => (a.worker as unknown as { running?: Promise<unknown> }).running;
    // Something for Mary is being sent by a pass (a slow connector holds it).
    let open!: () => void;
    a.sender.gate = new Promise((resolve) => (open = resolve));
    await stores.outbox.enqueue([card(p, 'PW-2026-0001', 'user:aad-mary')], t0);
    a.worker.nudge();
    const first = running()!;
    await until(() => (a.worker as unknown as { inPass: Map<string, number> }).inPass.size > 0);
    // A new incident's card for her meanwhile: the pass holds her chat, so it is left to a pass.
    a.worker.deliver(await stores.outbox.enqueue([card(p, 'PW-2026-0002', 'user:aad-mary')], t0, a.worker.claim()), known(p, 'PW-2026-0002'));
    const third = await stores.outbox.enqueue([card(p, 'PW-2026-0003', 'user:aad-mary')], t0, a.worker.claim());
    open();
    await first;
    // The pass that served her chat is over; the one that sends the card left to it is reading the
    // outbox. The third card, queued after the second, is handed over now: it must not overtake it.
    a.worker.deliver(third, known(p, 'PW-2026-0003'));
    await until(() => a.sender.sent.length === 3);
    await a.worker.stop();
    expect(a.sender.sent.map((s) => s.text.split('|')[0])).toEqual(['PW-2026-0001', 'PW-2026-0002', 'PW-2026-0003']);
    expect((await stores.outbox.pending()).filter((i) => i.practiceId === p)).toEqual([]);
  });
});

describe('direct delivery at the edges of a process\'s life', () => {
  it('once stopping, no new pass starts: a direct send ending after stop() does not set one off', async () => {
    const a = await instance();
    const p = 'direct-6';
    // A send to Mary fails while stopping: before, the failure nudged a pass that stop() never waited for.
    let open!: () => void;
    a.sender.gate = new Promise((resolve) => (open = resolve));
    a.sender.failNext.push(new SendFailure('connector 503', 503, undefined));
    a.worker.deliver(await stores.outbox.enqueue([card(p, 'PW-2026-0001', 'user:aad-mary')], t0, a.worker.claim()), known(p, 'PW-2026-0001'));
    const scans = a.calls('pending');
    const stopping = a.worker.stop();
    open();
    await stopping;
    // Stopped means stopped: no pass left running behind stop(), none started by the failed send.
    expect((a.worker as unknown as { running?: Promise<unknown> }).running).toBeUndefined();
    expect(a.calls('pending')).toBe(scans);
    a.worker.nudge();
    await new Promise((r) => setTimeout(r, 50));
    expect(a.calls('pending')).toBe(scans);
    expect((a.worker as unknown as { running?: Promise<unknown> }).running).toBeUndefined();
    // Not lost: the card waits in the outbox for any instance.
    expect((await stores.outbox.pending()).filter((i) => i.practiceId === p).map((i) => i.reference)).toEqual(['PW-2026-0001']);
  });

  it('an item left to a pass that an instance of the older version then claimed (without naming itself) is not sent by this process too', async () => {
    const a = await instance();
    const p = 'direct-7';
    // Mary's chat is being served, so the new card is left to a pass under this process's claim.
    let open!: () => void;
    a.sender.gate = new Promise((resolve) => (open = resolve));
    await stores.outbox.enqueue([card(p, 'PW-2026-0001', 'user:aad-mary')], t0);
    a.worker.nudge();
    const first = (a.worker as unknown as { running?: Promise<unknown> }).running!;
    await until(() => (a.worker as unknown as { inPass: Map<string, number> }).inPass.size > 0);
    const [left] = await stores.outbox.enqueue([card(p, 'PW-2026-0002', 'user:aad-mary')], t0, a.worker.claim());
    a.worker.deliver([left!], known(p, 'PW-2026-0002'));
    // An instance of the older version claims it: a new claimedUntil, claimedBy left as it was.
    const table = TableClient.fromConnectionString(storage.connectionString, `${storage.tablePrefix}outbox`, { allowInsecureConnection: true });
    const row = await table.getEntity<Record<string, unknown>>(key(left!.practiceId), key(left!.id));
    await table.updateEntity({ partitionKey: row.partitionKey!, rowKey: row.rowKey!, claimedUntil: new Date(t0.getTime() + 50_000).toISOString() }, 'Merge', { etag: row.etag });
    open();
    await first;
    await a.worker.deliverDue();
    await a.worker.stop();
    // This process sent the first card only: the second is the older instance's to send now.
    expect(a.sender.sent.map((s) => s.text.split('|')[0])).toEqual(['PW-2026-0001']);
  });
});

describe('direct sends and their marks', () => {
  it('the next card in a chat does not wait for the previous one to be marked sent; stop() waits for the marks, and a pass then finds nothing to send', async () => {
    const a = await instance();
    const b = await instance();
    const p = 'direct-8';
    // Storage is slow to mark a card sent.
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    // (the instance's spy on markSent is a spy already: the store's own method is on its prototype)
    const markSent = (Object.getPrototypeOf(a.outbox) as Stores['outbox']).markSent;
    vi.spyOn(a.outbox, 'markSent').mockImplementation(async (...args) => {
      await gate;
      return markSent.apply(a.outbox, args);
    });
    for (const n of [1, 2, 3]) {
      const reference = `PW-2026-000${n}`;
      a.worker.deliver(await stores.outbox.enqueue([card(p, reference, 'user:aad-mary')], t0, a.worker.claim()), known(p, reference));
    }
    await until(() => a.sender.sent.length === 3);
    expect(a.sender.sent.map((s) => s.text.split('|')[0])).toEqual(['PW-2026-0001', 'PW-2026-0002', 'PW-2026-0003']);
    // Not marked yet, and still this process's: another instance's pass leaves them alone.
    expect((await stores.outbox.pending()).filter((i) => i.practiceId === p)).toHaveLength(3);
    expect(await b.worker.deliverDue()).toEqual({ sent: 0, failed: 0 });
    const stopping = a.worker.stop();
    let stopped = false;
    void stopping.then(() => (stopped = true));
    await new Promise((r) => setTimeout(r, 50));
    expect(stopped).toBe(false);
    open();
    await stopping;
    expect((await stores.outbox.forIncident(p, 'PW-2026-0003'))[0]).toMatchObject({ status: 'sent' });
    expect((await stores.outbox.pending()).filter((i) => i.practiceId === p)).toEqual([]);
    expect(await b.worker.deliverDue()).toEqual({ sent: 0, failed: 0 });
    expect(a.sender.sent.length + b.sender.sent.length).toBe(3);
  });
});

describe('a direct send whose mark fails', () => {
  it('is sent again by a pass, and the chat\'s later cards wait for that pass instead of going ahead of it', async () => {
    const a = await instance();
    const p = 'direct-9';
    const markSent = (Object.getPrototypeOf(a.outbox) as Stores['outbox']).markSent;
    let failMarks = 1;
    let open!: () => void;
    const gate = new Promise<void>((resolve) => (open = resolve));
    vi.spyOn(a.outbox, 'markSent').mockImplementation(async (...args) => {
      if (failMarks-- > 0) {
        await gate;
        throw new Error('storage blip');
      }
      return markSent.apply(a.outbox, args);
    });
    a.worker.deliver(await stores.outbox.enqueue([card(p, 'PW-2026-0001', 'user:aad-mary')], t0, a.worker.claim()), known(p, 'PW-2026-0001'));
    await until(() => a.sender.sent.length === 1);
    open(); // the first card's mark fails
    await until(() => (a.worker as unknown as { waiting: Map<string, number> }).waiting.size > 0);
    a.worker.deliver(await stores.outbox.enqueue([card(p, 'PW-2026-0002', 'user:aad-mary')], t0, a.worker.claim()), known(p, 'PW-2026-0002'));
    await passDone(a.worker);
    // The second is not sent ahead of the first's second sending: both wait for the retry, in order.
    expect(a.sender.sent.map((s) => s.text.split('|')[0])).toEqual(['PW-2026-0001']);
    a.clock.now = new Date(t0.getTime() + 5_000);
    await a.worker.deliverDue();
    await a.worker.stop();
    expect(a.sender.sent.map((s) => s.text.split('|')[0])).toEqual(['PW-2026-0001', 'PW-2026-0001', 'PW-2026-0002']);
    expect((await stores.outbox.pending()).filter((i) => i.practiceId === p)).toEqual([]);
  });
});
