import { beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { PrivateDelivery } from '../../src/app/privateDelivery.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { OutboxItem, Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

/** The evidence pack link and "open privately" queue for one person's 1:1 chat only, against Azurite. */
const storage = useAzurite();
let stores: Stores;
let queuedCalls = 0;
let delivery: PrivateDelivery;
const clock = new Date('2026-07-01T12:55:00.000Z');
const MO = 'AAD-Mo-Manager';
const moChat = { reference: { conversation: { id: 'a:mo-chat' } }, teamsUserId: '29:mo' };

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now: () => clock });
});

beforeEach(() => {
  queuedCalls = 0;
  delivery = new PrivateDelivery({ stores, now: () => clock, queued: () => void queuedCalls++ });
});

async function queuedFor(practiceId: string): Promise<OutboxItem[]> {
  return (await stores.outbox.pending()).filter((i) => i.practiceId === practiceId);
}

describe('PrivateDelivery: the evidence pack link', () => {
  it('queues the link for the person\'s own chat, with when it stops working in UK summer time', async () => {
    await stores.practices.rememberUserChat('p-link', MO, moChat);
    const expiresAt = new Date('2026-07-01T13:05:00.000Z');
    expect(await delivery.evidencePackLink('p-link', MO, 'PW-2026-0007', 'https://bot.example/evidence?t=abc', expiresAt)).toBe(true);

    const items = await queuedFor('p-link');
    expect(items).toHaveLength(1);
    expect(items[0]).toMatchObject({
      kind: 'message',
      target: 'user:aad-mo-manager',
      reference: 'PW-2026-0007',
      address: moChat,
      id: `pack|PW-2026-0007|aad-mo-manager|2026-07-01T13:05:00.000Z`,
    });
    expect(items[0]!.text).toBe(
      'Evidence pack for PW-2026-0007: https://bot.example/evidence?t=abc\n\nThe link is for you only, works once and stops working at 14:05. Do not forward it: the pack contains personal data.',
    );
    expect(queuedCalls).toBe(1);
  });

  it('sends nothing to anyone when the person has no 1:1 chat with the bot', async () => {
    expect(await delivery.evidencePackLink('p-nochat', 'aad-stranger', 'PW-2026-0008', 'https://bot.example/evidence?t=x', new Date('2026-12-01T10:00:00.000Z'))).toBe(false);
    expect(await queuedFor('p-nochat')).toEqual([]);
    expect(queuedCalls).toBe(0);
  });
});

describe('PrivateDelivery: an incident card opened from the channel digest', () => {
  it('queues the presser\'s own view once however often they press, and the channel view as a separate target', async () => {
    await stores.practices.rememberUserChat('p-open', MO, moChat);
    expect(await delivery.incidentCard('p-open', MO, 'PW-2026-0009', 'own')).toBe(true);
    expect(await delivery.incidentCard('p-open', MO, 'PW-2026-0009', 'own')).toBe(true);
    expect(await delivery.incidentCard('p-open', MO, 'PW-2026-0009', 'channel')).toBe(true);

    const items = (await queuedFor('p-open')).map((i) => ({ id: i.id, kind: i.kind, target: i.target, text: i.text }));
    expect(items.sort((a, b) => a.id.localeCompare(b.id))).toEqual([
      { id: 'PW-2026-0009|channel|user:aad-mo-manager|card|opened', kind: 'incident-card', target: 'channel|user:aad-mo-manager', text: undefined },
      { id: 'PW-2026-0009|user:aad-mo-manager|card|opened', kind: 'incident-card', target: 'user:aad-mo-manager', text: undefined },
    ]);
    expect(queuedCalls).toBe(3);
  });

  it('queues no card, not even the channel\'s read-only one, for someone with no chat', async () => {
    expect(await delivery.incidentCard('p-open-none', 'aad-stranger', 'PW-2026-0010', 'channel')).toBe(false);
    expect(await delivery.incidentCard('p-open-none', 'aad-stranger', 'PW-2026-0010', 'own')).toBe(false);
    expect(await queuedFor('p-open-none')).toEqual([]);
    expect(queuedCalls).toBe(0);
  });
});
