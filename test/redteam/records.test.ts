import { TableClient } from '@azure/data-tables';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../../src/contract/cards.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { startAuthenticatedBot, type AuthenticatedBot } from '../support/authenticatedBot.ts';
import { eventually } from '../support/botProcess.ts';
import type { FakeConnector } from '../support/connector.ts';
import type { RealServer } from '../support/realServer.ts';
import { personalChat, reportThroughCards, type TeamsWire } from '../support/teamsWire.ts';

/**
 * Red team, records duties (issue 14 on top of issue 11), over real HTTP: who may hold, export and
 * ask for subject access, what a refused person reads, what they leave in the practice's trail, and
 * whether the signed links of each kind work once, for their own kind only.
 */

const TEAM_A = '19:team-millbrook@thread.tacv2';
const TEAM_B = '19:team-cockhedge@thread.tacv2';
const person = (name: string, full: string) => ({ id: `29:${name}`, aadObjectId: `aad-${name}`, name: full });
const mary = person('mary', 'Mary Manager'); // manager of Millbrook (A)
const dora = person('dora', 'Dora Dpo'); // DPO of Millbrook
const rita = person('rita', 'Rita Reception'); // staff of A, the reporter
const sam = person('sam', 'Sam Secretary'); // staff of A, not the reporter
const bob = person('bob', 'Bob Boss'); // manager of Cockhedge (B)
const gina = person('gina', 'Gina Guardian'); // safeguarding lead of Millbrook: decides safeguarding incidents only
const CLOSURE = 'Outcome-kept-private: the author apologised to Jo by phone';
const POST = 'The receptionist Jo at Millbrook shouted at my mum, disgraceful service';

let bot: AuthenticatedBot;
let connector: FakeConnector;
let azurite: EmbeddedAzurite;
let server: RealServer;
let wire: TeamsWire;
let reference = '';

beforeAll(async () => {
  bot = await startAuthenticatedBot({
    practices: {
      practices: [
        { id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [TEAM_A], staff: [rita.aadObjectId, sam.aadObjectId], staffNames: ['Rita Reception'], phone: '01234 567890', managers: [mary.aadObjectId], deputies: [], dataProtectionOfficers: [dora.aadObjectId], safeguardingLeads: [gina.aadObjectId] },
        { id: 'cockhedge', name: 'Cockhedge Medical Centre', teamIds: [TEAM_B], staff: [], staffNames: [], managers: [bob.aadObjectId], deputies: [], dataProtectionOfficers: [] },
      ],
    },
    env: { POSTWATCH_LINK_SECRET: 'a-shared-link-secret-for-every-instance' },
  });
  ({ connector, azurite, server, wire } = bot);
  for (const p of [mary, dora, rita, sam, bob, gina]) expect((await wire.say(p, 'hello')).status).toBe(200);
  reference = (await reportThroughCards(wire, connector, rita, { what: { postText: POST, categories: 'personal-attack', namedParties: '', namedColleagues: '' } })).reference;
  await eventually('the incident is routed', async () => (await server.stores.incidents.get('millbrook', reference))?.handling?.grading, 20_000);
}, 60_000);

afterAll(() => bot?.close());

const trail = () => server.stores.incidents.auditTrail('millbrook', reference);

/** What the bot answered in the person's 1:1 chat to one message. */
async function answerTo(who: typeof mary, text: string): Promise<string> {
  const since = connector.calls.length;
  expect((await wire.say(who, text)).status).toBe(200);
  const texts = wire.textsDelivered(personalChat(who), since);
  expect(texts).toHaveLength(1);
  return texts[0]!;
}

function linkIn(text: string, path: string): string {
  const url = new RegExp(`https?://[^\\s"]+${path}\\?t=[\\w.-]+`).exec(text)?.[0];
  if (!url) throw new Error(`no ${path} link in: ${text.slice(0, 300)}`);
  return `${new URL(url).pathname}${new URL(url).search}`;
}

const get = (path: string) => fetch(`${server.url}${path}`);

describe('red team: legal hold refusals', () => {
  it('a colleague who is refused a legal hold cannot fill the incident trail (one collapsed entry per hour, like card refusals)', async () => {
    const before = (await trail()).length;
    const answers = new Set<string>();
    for (let i = 0; i < 6; i++) answers.add(await answerTo(sam, `incident ${reference} hold: attempt ${i}`));
    for (let i = 0; i < 6; i++) answers.add(await answerTo(sam, `incident ${reference} release hold`));
    expect(answers.size).toBe(1);
    expect((await server.stores.incidents.get('millbrook', reference))?.handling?.legalHold).toBeUndefined();
    const added = (await trail()).slice(before);
    // Issue 11: "Refusals by the practice's own staff stay audited, collapsed (one entry per person per incident per hour)".
    expect(added.length).toBeLessThanOrEqual(1);
  });

  it('held: the refusal reads the same for an incident that does not exist, and another practice\'s manager changes nothing here', async () => {
    const real = await answerTo(sam, `incident ${reference} hold: police`);
    const missing = await answerTo(sam, 'incident PW-2026-0999 hold: police');
    expect(missing).toBe(real);
    expect(real).not.toContain(reference);
    const before = (await trail()).length;
    const fromB = await answerTo(bob, `incident ${reference} hold: police`);
    const fromBMissing = await answerTo(bob, 'incident PW-2026-0999 hold: police');
    expect(fromB.replace(reference, 'REF')).toBe(fromBMissing.replace('PW-2026-0999', 'REF'));
    expect((await trail()).length).toBe(before);
    expect((await server.stores.incidents.get('millbrook', reference))?.handling?.legalHold).toBeUndefined();
  });
});

describe('red team: register export links', () => {
  it('an export link works once, like the evidence pack and subject access links', async () => {
    const path = linkIn(await answerTo(mary, 'export register'), '/export');
    const first = await fetch(`${server.url}${path}`, { headers: { 'user-agent': 'Inspector-Browser/1.0 "x"' } });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain(reference);
    // Audited like the evidence pack: who downloaded, from which address, with which browser (printable, quotes defused).
    const entry = (await server.stores.practices.practiceAudit('millbrook')).filter((e) => e.action === 'register-export.downloaded').at(-1);
    expect(entry?.summary).toMatch(/client address \S*127\.0\.0\.1.*user agent "Inspector-Browser\/1\.0 'x'"/);
    // A forwarded or leaked link must not keep handing out the register for its whole life.
    const again = await get(path);
    expect(again.status).toBe(410);
  });

  it('held: a colleague is refused the export and the link of one kind opens no other kind', async () => {
    expect(await answerTo(sam, 'export register')).not.toMatch(/https?:\/\//);
    const exportPath = linkIn(await answerTo(mary, 'export register'), '/export');
    const token = exportPath.slice(exportPath.indexOf('?'));
    for (const other of ['/evidence', '/subject-access']) expect((await get(`${other}${token}`)).status).toBe(404);
  });
});

describe('red team: subject access', () => {
  it('held: only a manager or the DPO may ask; a colleague and another practice\'s manager read nothing and nothing is recorded', async () => {
    const refused = await answerTo(sam, 'subject access Rita Reception');
    expect(refused).not.toMatch(/https?:\/\/|SAR-/);
    expect(await server.stores.practices.recordsRequests('millbrook')).toEqual([]);
    const other = await answerTo(bob, 'subject access Rita Reception');
    const link = linkIn(other, '/subject-access');
    const pack = await (await get(link)).text();
    // Bob's pack is of his own practice: nothing of Millbrook's incident.
    expect(pack).not.toContain(reference);
    expect(pack).not.toContain(POST.slice(0, 30));
  });

  it('held: the DPO\'s link works once and the evidence or export route refuses it', async () => {
    const path = linkIn(await answerTo(dora, 'subject access Rita Reception'), '/subject-access');
    const token = path.slice(path.indexOf('?'));
    for (const other of ['/evidence', '/export']) expect((await get(`${other}${token}`)).status).toBe(404);
    const first = await fetch(`${server.url}${path}`, { headers: { 'user-agent': 'DPO-Laptop/2.0' } });
    expect(first.status).toBe(200);
    expect(await first.text()).toContain(reference);
    expect((await get(path)).status).toBe(410);
    const entry = (await server.stores.practices.practiceAudit('millbrook')).filter((e) => e.action === 'subject-access.downloaded').at(-1);
    expect(entry?.summary).toMatch(/client address \S*127\.0\.0\.1.*user agent "DPO-Laptop\/2\.0"/);
  });

  it('held: "delete early" is the DPO\'s alone; a manager and a colleague are refused and the incident stays', async () => {
    for (const who of [mary, sam]) expect(await answerTo(who, `incident ${reference} delete early: erasure agreed`)).toMatch(/Only the Data Protection Officer/);
    expect(await server.stores.incidents.get('millbrook', reference)).toBeDefined();
  });
});

/** Everything the bot delivered to the person's 1:1 chat in answer to one message, cards as JSON. */
async function allAnswersTo(who: typeof mary, text: string): Promise<string> {
  const since = connector.calls.length;
  expect((await wire.say(who, text)).status).toBe(200);
  return [...wire.textsDelivered(personalChat(who), since), ...wire.cardsDelivered(personalChat(who), since).map((c) => JSON.stringify(c.card))].join('\n');
}

describe('red team: the one rule of who sees what, applied to the register export', () => {
  it('"open incidents" lists an incident only to those who may open it as deciders; "verify audit" is not the safeguarding lead\'s', async () => {
    expect(await allAnswersTo(mary, 'open incidents')).toContain(reference);
    expect(await allAnswersTo(gina, 'open incidents')).not.toContain(reference);
    expect(await allAnswersTo(gina, 'verify audit')).not.toContain(reference);
  });

  it('a safeguarding lead, who may not open a non-safeguarding incident, cannot read its closure notes through "export register"', async () => {
    const data = { practiceId: 'millbrook', reference, version: 3 };
    // Held: the safeguarding lead gets the notice for this (non-safeguarding) incident.
    const refused = await wire.press(gina, INCIDENT_VERBS.refresh, data);
    expect(refused.type).toBe('application/vnd.microsoft.activity.message');
    // The manager decides and closes it with an outcome the reporter is never shown.
    await wire.press(mary, INCIDENT_VERBS.noResponse, { ...data, [INCIDENT_INPUTS.reason]: 'a reply would draw attention' });
    const closed = await wire.press(mary, INCIDENT_VERBS.close, { ...data, [INCIDENT_INPUTS.closeOutcome]: CLOSURE, [INCIDENT_INPUTS.lessonsLearnt]: 'none' });
    expect(JSON.stringify(closed.value)).toContain(CLOSURE);
    expect((await server.stores.incidents.get('millbrook', reference))?.status).toBe('closed');
    const answer = await answerTo(gina, 'export register');
    const csv = /\/export\?t=/.test(answer) ? await (await get(linkIn(answer, '/export'))).text() : '';
    expect(csv).not.toContain(CLOSURE.slice(0, 25));
    expect(csv).not.toContain(reference);
    // The retention report (hold reasons, closure dates) follows the same rule; the manager still sees it.
    expect(await allAnswersTo(mary, 'retention report')).toContain(reference);
    expect(await allAnswersTo(gina, 'retention report')).not.toContain(reference);
  });
});

describe('red team: what an early deletion leaves behind', () => {
  it('"delete early" by the DPO removes the refusal rows kept beside the incident (they name the incident and the staff refused)', async () => {
    // Sam is refused on the incident: a refusal row is counted beside it (issue 11, part 1).
    expect((await wire.press(sam, INCIDENT_VERBS.refresh, { practiceId: 'millbrook', reference })).type).toBe('application/vnd.microsoft.activity.message');
    const table = TableClient.fromConnectionString(azurite.connectionString, `${server.tablePrefix}incidents`, { allowInsecureConnection: true });
    const leftBeside = async () => {
      const rows: string[] = [];
      for await (const row of table.listEntities<{ reference?: string }>({ queryOptions: { filter: `PartitionKey eq 'millbrook'` } })) if (row.rowKey?.includes(reference) || row.reference === reference) rows.push(row.rowKey ?? '');
      return rows;
    };
    expect((await leftBeside()).some((k) => k.startsWith('refusal|'))).toBe(true);
    expect((await server.stores.incidents.get('millbrook', reference))?.status).toBe('closed');
    expect(await answerTo(dora, `incident ${reference} delete early: erasure agreed with the author`)).toMatch(/has been deleted/);
    expect(await server.stores.incidents.get('millbrook', reference)).toBeUndefined();
    // Only the audit chain's tombstone may remain (issue 14: "anything else tied to the incident" is deleted).
    expect((await leftBeside()).filter((k) => !k.startsWith('audit|'))).toEqual([]);
  });
});
