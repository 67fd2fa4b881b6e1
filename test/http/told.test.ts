import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../../src/config.ts';
import { createApp, type App } from '../../src/server.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';
import { eventually } from '../support/botProcess.ts';
import { FakeConnector } from '../support/connector.ts';
import { outboxRows, startStorage } from '../support/realServer.ts';
import { textOfCard } from '../support/teams.ts';
import { personalChat, reportThroughCards, TeamsWire, type WirePerson } from '../support/teamsWire.ts';

/**
 * Someone is really told, over HTTP against the real server: a reporter who says someone is at
 * risk is told who was alerted only when an alert was queued for a manager's 1:1 chat, and
 * otherwise to phone the practice manager / 999 / 101; managers from configuration are managers
 * even when an earlier run stored roles without them; /healthz says how ready each practice is.
 */

const mary: WirePerson = { id: '29:mary', aadObjectId: 'aad-mary', name: 'Mary Manager' };
const rita: WirePerson = { id: '29:rita', aadObjectId: 'aad-rita', name: 'Rita Reception' };
const what = { postText: 'I know where the receptionist parks. She should watch herself.', categories: 'threat' };

let storage: EmbeddedAzurite;
const connector = new FakeConnector();
const running: App[] = [];

beforeAll(async () => {
  await connector.start();
  storage = await startStorage();
});

afterAll(async () => {
  for (const app of running) await app.close().catch(() => undefined);
  await storage?.close();
  await connector.stop();
});

/** The real server on a given table prefix (so a second run finds what the first one stored). */
async function serve(prefix: string, env: Record<string, string> = {}): Promise<{ app: App; wire: TeamsWire; stores: Stores; url: string }> {
  const config = loadConfig({ PORT: '0', ...env });
  if (!config.ok) throw new Error(config.error.join('; '));
  const stores = await createAzureStores(storage.connectionString, { tablePrefix: prefix });
  const app = createApp({ config: config.value, stores, log: pino({ level: 'silent' }) });
  running.push(app);
  const { url } = await app.listen(0, '127.0.0.1');
  return { app, wire: new TeamsWire(url, connector), stores, url };
}

/** Reports with "yes, someone is at risk", keeping the card the reporter saw right after pressing Yes. */
async function reportAtRisk(wire: TeamsWire, person: WirePerson) {
  let afterYes = '';
  const done = await reportThroughCards(wire, connector, person, { what, risk: 'yes', riskDetails: 'He says he will wait in the car park.' }, async (step, card) => {
    if (step === 'risk-details') afterYes = textOfCard(card);
  });
  return { afterYes, confirmation: textOfCard(done.card), reference: done.reference };
}

async function health(url: string): Promise<{ status: number; body: any }> {
  const response = await fetch(`${url}/healthz`);
  return { status: response.status, body: await response.json() };
}

describe('a yes to "is anyone at risk?" when no manager can be reached', () => {
  it('tells the reporter plainly that nobody could be alerted, and what to do now (999 / 101, phone the practice manager)', async () => {
    const prefix = uniqueTablePrefix();
    // Mary is the configured manager but has never talked to the bot: no 1:1 chat is known.
    const { wire, url } = await serve(prefix, { POSTWATCH_MANAGERS: mary.aadObjectId });
    const { afterYes, confirmation } = await reportAtRisk(wire, rita);

    expect(afterYes).toMatch(/Nobody could be alerted automatically/);
    expect(afterYes).toMatch(/Phone the practice manager/);
    expect(afterYes).toMatch(/999/);
    expect(afterYes).toMatch(/101/);
    expect(afterYes).not.toMatch(/being alerted|We are alerting/);
    expect(confirmation).toMatch(/Nobody could be alerted automatically/);
    expect(confirmation).toMatch(/Nobody could be given your report automatically/);
    expect(confirmation).not.toMatch(/has been alerted|will review your report/);
    // And indeed nothing was queued for anyone.
    const queued = await outboxRows(storage.connectionString, prefix);
    expect(queued.filter((row) => row.target.startsWith('user:'))).toEqual([]);

    const { status, body } = await health(url);
    expect(status).toBe(200);
    expect(body.practices).toHaveLength(1);
    expect(body.practices[0]).toMatchObject({ id: 'practice', managers: 1, reachableDeciders: 0, reviewChannel: false });
    expect(body.practices[0].warnings.join(' ')).toMatch(/No manager or deputy can be reached/);
  });
});

describe('configured managers after a first run that stored roles without them', () => {
  it('are managers: the alert reaches Mary, the reporter is told so by name, /healthz counts her', async () => {
    const prefix = uniqueTablePrefix();
    // First run: no managers configured. Mary talks to the bot; Rita's report is routed (to nobody).
    const first = await serve(prefix);
    expect((await first.wire.say(mary, 'help')).status).toBe(200);
    const earlier = await reportThroughCards(first.wire, connector, rita, { what: { postText: 'The receptionist was rude to me and everyone should know it.', categories: 'personal-attack' } });
    await eventually('the first report to be routed', async () =>
      (await first.stores.incidents.auditTrail('practice', earlier.reference)).some((e) => e.action === 'incident.routed'),
    );
    // What an earlier version stored on its first run: roles with no manager in them.
    const stored = await first.stores.practices.roles('practice', { managers: [], deputies: [], dataProtectionOfficers: [] });
    await first.stores.practices.saveRoles('practice', { managers: [], deputies: [], dataProtectionOfficers: [], safeguardingLeads: [] }, stored.etag, {
      actor: { aadObjectId: 'postwatch', name: 'Postwatch' },
      action: 'role.seeded',
      summary: 'Roles as a first run without managers stored them.',
    });
    await first.app.close();

    // Second run: Mary is now a manager in the configuration.
    const second = await serve(prefix, { POSTWATCH_MANAGERS: mary.aadObjectId });
    const { afterYes, confirmation, reference } = await reportAtRisk(second.wire, rita);
    expect(afterYes).toMatch(/We are alerting Mary Manager straight away/);
    expect(afterYes).toMatch(/999/);
    expect(afterYes).not.toMatch(/Nobody could be alerted/);
    expect(confirmation).toMatch(/We alerted Mary Manager straight away/);
    expect(confirmation).toMatch(/Mary Manager will review your report/);

    // The alert really went out to Mary's 1:1 chat.
    await eventually('the URGENT alert delivered to Mary', () => second.wire.textsDelivered(personalChat(mary)).some((t) => /URGENT/.test(t)));
    await eventually('the incident card queued for Mary', async () =>
      (await outboxRows(storage.connectionString, prefix)).some((r) => r.target === 'user:aad-mary' && r.reference === reference && r.kind === 'incident-card'),
    );

    const { status, body } = await health(second.url);
    expect(status).toBe(200);
    const [practice] = body.practices;
    expect(practice).toEqual({
      id: 'practice',
      managers: 1,
      deputies: 0,
      dpos: 0,
      safeguardingLeads: 0,
      reachableDeciders: 1,
      reviewChannel: false,
      warnings: expect.any(Array),
    });
    const warnings = practice.warnings.join('\n');
    expect(warnings).toMatch(/No deputy/);
    expect(warnings).toMatch(/No Data Protection Officer/);
    expect(warnings).toMatch(/No safeguarding lead/);
    expect(warnings).toMatch(/No incident-review channel/);
    expect(warnings).not.toMatch(/No practice manager|cannot be reached|No manager or deputy can be reached/);
    // Counts only: no names or ids of people anywhere in the health answer.
    expect(JSON.stringify(body)).not.toMatch(/aad-|Mary|Rita|29:/);
  });
});
