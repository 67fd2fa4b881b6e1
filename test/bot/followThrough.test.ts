import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { beforeAll, describe, expect, it } from 'vitest';
import { Reminders } from '../../src/app/reminders.ts';
import type { OutgoingMessage, Sender } from '../../src/app/outbox.ts';
import type { Services } from '../../src/compose.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { INCIDENT_VERBS, REGISTER_VERBS } from '../../src/contract/cards.ts';
import { useAzurite } from '../support/azurite.ts';
import { startServices } from '../support/services.ts';
import { action, actionsOf, cardAction, cardOf, type Person, person, personalMessage, TeamsDriver, textOfCard, textsOf } from '../support/teams.ts';

const storage = useAzurite();
const rita = person('rita');
const mary = person('mary');
const dan = person('dan');
const carl = person('carl');
const directory: PracticeDirectory = {
  practices: [
    { id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [], staff: ['aad-rita'], staffNames: [], managers: ['aad-mary'], deputies: ['aad-dan'], dataProtectionOfficers: [] },
    { id: 'cockhedge', name: 'Cockhedge Medical Centre', teamIds: [], staff: [], staffNames: [], managers: ['aad-carl'], deputies: [], dataProtectionOfficers: [] },
  ],
};
let stores: Stores;
let clock = new Date('2026-11-24T09:00:00Z');
const now = () => clock;
const later = (hours: number) => {
  clock = new Date(clock.getTime() + hours * 3_600_000);
};

function startBot(): { services: Services; driver: TeamsDriver; sent: OutgoingMessage[] } {
  const sent: OutgoingMessage[] = [];
  const sender: Sender = { send: async (_a, m) => (sent.push(m), { id: `act-${randomUUID()}` }), update: async () => undefined };
  return { ...startServices({ directory, stores, now, sender, deliverAtOnce: false }), sent };
}

async function reportOne(h: ReturnType<typeof startBot>, categories: string): Promise<Incident> {
  let card = cardOf(await h.driver.send(personalMessage(rita, 'report a post')));
  const press = async (title: string, inputs: Record<string, unknown> = {}) => {
    const a = action(card, title);
    card = cardOf(await h.driver.send(cardAction(rita, a.verb, { ...a.data, ...inputs })));
  };
  const seen = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/London', year: 'numeric', month: '2-digit', day: '2-digit' }).format(clock);
  await press('Next', { platform: 'x', seenDate: seen, seenTime: '00:01', authorRelationship: 'unknown' });
  await press('Next', { postText: 'You lot are useless', categories });
  await press('No');
  await press('Next', { noScreenshot: 'true' });
  await press('Submit');
  const reference = /PW-2026-\d{4}/.exec(textOfCard(card))![0];
  return (await h.services.triage.route('millbrook', reference))!;
}

const act = (h: ReturnType<typeof startBot>, who: Person, incident: Incident, verb: string, inputs: Record<string, unknown> = {}) =>
  h.driver.send(cardAction(who, verb, { practiceId: incident.practiceId, reference: incident.reference, version: incident.handling?.version ?? 0, ...inputs }));

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
  const h = startBot();
  for (const p of [rita, mary, dan, carl]) await h.driver.send(personalMessage(p, 'help'));
});

describe('reminders', () => {
  it('two instances competing: each overdue step is reminded exactly once, the deputy joins past twice the target, nothing is skipped after a restart', async () => {
    const h = startBot();
    const incident = await reportOne(h, 'personal-attack'); // medium: decision within 8 hours
    const reminders = () => [0, 1].map((i) => new Reminders({ stores, practices: (id) => directory.practices.find((p) => p.id === id), practiceIds: () => directory.practices.map((p) => p.id), now, log: pino({ level: 'silent' }), instanceId: `instance-${i}-${randomUUID()}` }));
    const mine = async () => (await stores.outbox.pending()).filter((i) => i.id.startsWith(`${incident.reference}|reminder|`)).map((i) => i.id).sort();

    later(7);
    let [a, b] = reminders();
    await Promise.all([a!.run(), b!.run()]);
    expect(await mine()).toEqual([]);

    later(2); // 9 hours: past the target
    await Promise.all([a!.run(), b!.run()]);
    await Promise.all([a!.run(), b!.run()]);
    expect(await mine()).toEqual([`${incident.reference}|reminder|decision|L1|user:aad-mary`]);

    // Both instances restart (new holders) after the lease ran out; 17 hours is past twice the target.
    later(8);
    [a, b] = reminders();
    await Promise.all([a!.run(), b!.run()]);
    expect(await mine()).toEqual([
      `${incident.reference}|reminder|decision|L1|user:aad-mary`,
      `${incident.reference}|reminder|decision|L2|user:aad-dan`,
      `${incident.reference}|reminder|decision|L2|user:aad-mary`,
    ]);
  });
});

describe('follow-through in Teams', () => {
  it('tasks marked done from the card, closing with lessons, reopening by a manager only, all audited', async () => {
    const h = startBot();
    const incident = await reportOne(h, 'harassment'); // high
    const first = incident.handling!.grading!.actions[0]!.id;
    let card = cardOf(await act(h, mary, incident, INCIDENT_VERBS.chooseActions, { actions: first }));
    expect(textOfCard(card)).toMatch(/Decision recorded/);
    let current = (await stores.incidents.get('millbrook', incident.reference))!;
    expect(current.status).toBe('in-progress');

    // A colleague who is not the owner cannot mark it done; the owner can.
    card = cardOf(await act(h, rita, current, INCIDENT_VERBS.taskDone, { taskId: 't1', outcome_t1: 'done it' }));
    expect(textOfCard(card)).toMatch(/Only the owner of that action/);
    card = cardOf(await act(h, mary, current, INCIDENT_VERBS.taskDone, { taskId: 't1', outcome_t1: 'Reported to X, ref 998877' }));
    current = (await stores.incidents.get('millbrook', incident.reference))!;
    expect(current.status).toBe('resolved');
    expect(current.handling?.tasks?.[0]?.outcome).toBe('Reported to X, ref 998877');

    // High severity: lessons learnt are required to close.
    card = cardOf(await act(h, mary, current, INCIDENT_VERBS.close, { closeOutcome: 'Post removed by X', lessonsLearnt: '' }));
    expect(textOfCard(card)).toMatch(/Lessons learnt are required/);
    card = cardOf(await act(h, mary, current, INCIDENT_VERBS.close, { closeOutcome: 'Post removed by X', lessonsLearnt: 'Report sooner' }));
    current = (await stores.incidents.get('millbrook', incident.reference))!;
    expect(current.status).toBe('closed');
    // The Records Management Code period starts at closing, and is on the record.
    expect(current.handling?.closure).toMatchObject({ retainUntil: `${Number(current.handling!.closure!.closedAt.slice(0, 4)) + 10}${current.handling!.closure!.closedAt.slice(4)}`, retentionBasis: '10 years from closure' });
    expect((await stores.incidents.auditTrail('millbrook', incident.reference)).at(-1)?.summary).toMatch(/Kept until \d{4}-\d{2}-\d{2} \(10 years from closure\)/);

    card = cardOf(await act(h, dan, current, INCIDENT_VERBS.reopen, { reopenReason: 'He posted again' }));
    expect(textOfCard(card)).toMatch(/Only a practice manager can reopen/);
    card = cardOf(await act(h, mary, current, INCIDENT_VERBS.reopen, { reopenReason: 'He posted again' }));
    current = (await stores.incidents.get('millbrook', incident.reference))!;
    expect(current.status).toBe('in-progress');
    const trail = (await stores.incidents.auditTrail('millbrook', incident.reference)).map((e) => e.action);
    expect(trail).toEqual(expect.arrayContaining(['incident.chooseActions', 'task.done', 'incident.close', 'incident.reopen', 'decision.refused']));
  });

  it('the register shows open incidents to deciders only, and only their own practice\'s', async () => {
    const h = startBot();
    const incident = await reportOne(h, 'threat');
    const forMary = cardOf(await h.driver.send(personalMessage(mary, 'open incidents')));
    expect(textOfCard(forMary)).toContain(incident.reference);
    const open = actionsOf(forMary).find((a) => a.verb === INCIDENT_VERBS.refresh && a.data.reference === incident.reference);
    expect(open).toBeDefined();
    const forRita = await h.driver.send(personalMessage(rita, 'open incidents'));
    expect(textsOf(forRita).join(' ')).toMatch(/for the practice manager, deputy and Data Protection Officer/);
    const forCarl = cardOf(await h.driver.send(personalMessage(carl, 'open incidents')));
    expect(textOfCard(forCarl)).not.toContain('PW-2026');
    // Paging beyond the end shows the last page rather than failing.
    const paged = cardOf(await h.driver.send(cardAction(mary, REGISTER_VERBS.page, { page: 99 })));
    expect(textOfCard(paged)).toContain(incident.reference);
    // The reporter sees only the status of their own report and what she was told: no grading.
    const status = textOfCard(cardOf(await h.driver.send(personalMessage(rita, `incident ${incident.reference}`))));
    expect(status).toContain(`Your report ${incident.reference}`);
    expect(status).toMatch(/Status: Awaiting decision/);
    expect(status).not.toMatch(/severity|Recommended|threat/i);
    // Another practice's manager gets the same notice as for a reference that does not exist.
    const notCarls = textsOf(await h.driver.send(personalMessage(carl, `incident ${incident.reference}`))).join(' ');
    expect(notCarls).toBe(textsOf(await h.driver.send(personalMessage(carl, 'incident PW-2026-9999'))).join(' '));
    expect(notCarls).toMatch(/nothing to show you/);
    expect(notCarls).not.toContain(incident.reference);
  });

  it('"verify audit" checks every chain for a manager, names a tampered one, and is refused to staff', async () => {
    const h = startBot();
    const incident = await reportOne(h, 'complaint');
    const checks = async () => (await stores.outbox.pending()).filter((i) => i.id.startsWith('audit-check|aad-mary|'));
    const waitFor = async (count: number) => {
      for (let i = 0; i < 100 && (await checks()).length < count; i++) await new Promise((r) => setTimeout(r, 50));
      return (await checks()).sort((a, b) => (a.createdAt < b.createdAt ? -1 : 1));
    };
    expect(textsOf(await h.driver.send(personalMessage(rita, 'verify audit'))).join(' ')).toMatch(/Only the practice manager/);
    expect(textsOf(await h.driver.send(personalMessage(mary, 'verify audit'))).join(' ')).toMatch(/Checking every audit trail/);
    const first = await waitFor(1);
    expect(first.at(-1)!.text).toMatch(/are intact/);

    // Someone edits the first audit entry directly in storage.
    const { TableClient } = await import('@azure/data-tables');
    const table = TableClient.fromConnectionString(storage.connectionString, `${storage.tablePrefix}incidents`, { allowInsecureConnection: true });
    const row = await table.getEntity<Record<string, unknown>>('millbrook', `audit|${incident.reference}|000001`);
    await table.updateEntity({ partitionKey: 'millbrook', rowKey: row.rowKey!, summary: 'Nothing to see here' }, 'Merge');
    later(0.01);
    await h.driver.send(personalMessage(mary, 'verify audit'));
    const second = await waitFor(2);
    expect(second.at(-1)!.text).toMatch(/NOT intact/);
    expect(second.at(-1)!.text).toContain(incident.reference);
  });

  it('"summary" gives deciders the practice\'s trends, and nothing to staff or another practice', async () => {
    const h = startBot();
    await reportOne(h, 'threat');
    // A card: counts, response figures, a bar chart of months and a donut of categories, each with a FactSet fallback.
    const card = cardOf(await h.driver.send(personalMessage(mary, 'summary')));
    const facts = (c: Record<string, any>) =>
      Object.fromEntries(JSON.stringify(c).match(/\{"title":"[^"]*","value":"[^"]*"\}/g)!.map((f) => JSON.parse(f)).map((f: { title: string; value: string }) => [f.title, f.value]));
    const total = Number(facts(card)['Last 12 months']);
    expect(total).toBe((await stores.incidents.listSummaryRows('millbrook', '2000-01-01T00:00:00Z')).length);
    expect(total).toBeGreaterThan(0);
    expect(Number(facts(card)['Threat of violence or harm'])).toBeGreaterThan(0);
    expect(facts(card)).toHaveProperty('Median time to decision');
    expect(facts(card)).toHaveProperty('Decided within the policy target');
    expect(facts(card)).toHaveProperty('Overdue now');
    const body = JSON.stringify(card);
    expect(body).toContain('"type":"Chart.VerticalBar"');
    expect(body).toContain('"type":"Chart.Donut"');
    expect(textsOf(await h.driver.send(personalMessage(rita, 'summary'))).join(' ')).toMatch(/is for the practice manager/);
    expect(facts(cardOf(await h.driver.send(personalMessage(carl, 'summary'))))['Last 12 months']).toBe('0');
  });

  it('gives a decider a short-lived evidence pack link, and refuses anyone else', async () => {
    const h = startBot();
    const incident = await reportOne(h, 'defamatory');
    const card = cardOf(await act(h, mary, incident, INCIDENT_VERBS.pack));
    const url = /https?:\/\/[^"\s]+\/evidence\?t=[\w.-]+/.exec(JSON.stringify(card))?.[0];
    expect(url).toBeDefined();
    const token = url!.split('?t=')[1]!;
    expect(h.services.links.verify(token, clock)?.reference).toBe(incident.reference);
    expect(h.services.links.verify(`${token}x`, clock)).toBeUndefined();
    expect(h.services.links.verify(token, new Date(clock.getTime() + 10 * 60_000 - 1_000))?.reference).toBe(incident.reference);
    expect(h.services.links.verify(token, new Date(clock.getTime() + 10 * 60_000))).toBeUndefined();
    const refused = cardOf(await act(h, rita, incident, INCIDENT_VERBS.pack));
    expect(JSON.stringify(refused)).not.toContain('/evidence?');
  });

  it('sends the evidence pack link pressed in a group chat to the person\'s 1:1 chat, never inline where others read', async () => {
    const h = startBot();
    const incident = await reportOne(h, 'defamatory');
    const press = cardAction(mary, INCIDENT_VERBS.pack, { practiceId: incident.practiceId, reference: incident.reference, version: incident.handling?.version ?? 0 });
    const inGroup = await h.driver.send({ ...press, conversation: { ...press.conversation!, id: '19:group-chat@thread.v2', conversationType: 'groupChat' } });
    expect(JSON.stringify(inGroup.invoke?.body)).not.toContain('/evidence?');
    expect(JSON.stringify(inGroup.invoke?.body)).toContain('private chat');
    const queued = (await stores.outbox.forIncident(incident.practiceId, incident.reference)).filter((i) => i.id.startsWith('pack|'));
    expect(queued).toHaveLength(1);
    expect(queued[0]!.target).toBe(`user:${mary.aadObjectId.toLowerCase()}`);
    expect(queued[0]!.text).toContain('/evidence?t=');
  });
});
