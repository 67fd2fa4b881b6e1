import { randomUUID } from 'node:crypto';
import type { Activity } from 'botbuilder';
import pino from 'pino';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import type { OutgoingMessage, Sender } from '../../src/app/outbox.ts';
import { NOT_YOURS, REFUSAL_LIMIT } from '../../src/app/refusals.ts';
import { COMMANDS, parseCommand, type Command } from '../../src/bot/commands.ts';
import { SAY } from '../../src/bot/messages.ts';
import { CARD_ROUTES } from '../../src/bot/routes/cardRoutes.ts';
import { COMMAND_ROUTES } from '../../src/bot/routes/commandRoutes.ts';
import { createServices, type Services } from '../../src/compose.ts';
import { CARD_VERBS, DIGEST_VERBS, INCIDENT_VERBS, incidentPressSchema, INPUT_MAX, REGISTER_VERBS, reportStepSchema, VERBS } from '../../src/contract/cards.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import type { ConversationAddress, Stores } from '../../src/store/ports.ts';
import { countingStores } from '../support/authenticatedBot.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';
import { startStorage } from '../support/realServer.ts';
import { action, cardAction, cardOf, channelMention, person, personalMessage, TeamsDriver, textOfCard, textsOf, type TurnResult } from '../support/teams.ts';

/**
 * The route tables (src/bot/routes): one route per card verb and per command, agreeing with the
 * card contract and the COMMANDS list; and the one dispatcher in front of them, which refuses an
 * unknown verb or data its schema does not accept before any storage call, telling the person
 * nothing about any incident.
 */

describe('the card route table', () => {
  it('has exactly one route for every verb of the card contract, and none for anything else', () => {
    expect(Object.keys(CARD_ROUTES).sort()).toEqual([...CARD_VERBS].sort());
    expect(new Set(CARD_VERBS).size).toBe(CARD_VERBS.length);
  });

  it('states who may press each verb: incident and digest verbs by sightOf, report steps their own reporter, the register deciders', () => {
    for (const verb of [...Object.values(INCIDENT_VERBS), DIGEST_VERBS.open]) expect(CARD_ROUTES[verb].who, verb).toBe('incident-sight');
    for (const verb of [VERBS.next, VERBS.back, VERBS.cancel, VERBS.edit, VERBS.risk, VERBS.submit]) expect(CARD_ROUTES[verb].who, verb).toBe('reporter-of-draft');
    for (const verb of [VERBS.start, VERBS.another, VERBS.myReports]) expect(CARD_ROUTES[verb].who, verb).toBe('member');
    expect(CARD_ROUTES[REGISTER_VERBS.page].who).toBe('decider');
    for (const verb of Object.values(INCIDENT_VERBS)) expect(CARD_ROUTES[verb].schema, verb).toBe(incidentPressSchema);
    expect(CARD_ROUTES[VERBS.submit].schema).toBe(reportStepSchema);
    // A refused incident press reads the one notice, whatever was wrong with it (no oracle).
    for (const verb of Object.values(INCIDENT_VERBS)) expect(CARD_ROUTES[verb].refusal).toBe(NOT_YOURS);
  });
});

/** One text per kind of Command: parsing them must reach every kind the table routes. */
const ONE_OF_EACH = [
  'report a post', 'my reports', 'open incidents', 'incident PW-2026-0042', 'incident PW-2026-0042 hold: police investigation',
  'incident PW-2026-0042 release hold', 'incident PW-2026-0042 delete early: erasure agreed', 'retention report', 'export register 2026',
  'subject access @angry_dad', 'erasure request @angry_dad', 'subject access answered SAR-20261124-ab12: sent', 'verify audit', 'summary',
  'use this channel for incident review', 'add deputy', 'help', 'what is this',
];

describe('the command route table', () => {
  it('has a route for every kind of command, each reachable by what people type', () => {
    const kinds = new Set(ONE_OF_EACH.map((t) => parseCommand(t).kind));
    expect([...kinds].sort()).toEqual(Object.keys(COMMAND_ROUTES).sort());
  });

  it('names every COMMANDS entry (menu and help) in at least one route, and only those', () => {
    const named = new Set(Object.values(COMMAND_ROUTES).flatMap((r) => [...r.menu]));
    expect([...named].sort()).toEqual(COMMANDS.map((c) => c.title).sort());
  });

  it("agrees with COMMANDS: a command runs exactly where its menu entry is offered, for the entry's audience", () => {
    for (const [kind, route] of Object.entries(COMMAND_ROUTES)) {
      for (const title of route.menu) {
        const entry = COMMANDS.find((c) => c.title === title)!;
        expect(route.who, `${kind} / ${title}`).toBe(entry.audience);
        for (const scope of ['personal', 'team', 'groupChat'] as const) {
          const runs = typeof route.where[scope] === 'string';
          expect(runs, `${kind} in ${scope} (menu "${title}" scopes ${entry.scopes.join(', ')})`).toBe((entry.scopes as readonly string[]).includes(scope));
        }
      }
    }
  });

  it('says where instead, in the same words help uses, wherever a command does not run', () => {
    expect(COMMAND_ROUTES.summary.where.team).toEqual({ elsewhere: SAY.askInPrivate('summary') });
    expect(COMMAND_ROUTES.incident.where.team).toEqual({ elsewhere: SAY.incidentInPrivate });
    expect(COMMAND_ROUTES.role.where.personal).toEqual({ elsewhere: SAY.setupInChannel });
    const unrouted: Command['kind'][] = [];
    for (const [kind, route] of Object.entries(COMMAND_ROUTES)) {
      for (const place of Object.values(route.where)) if (typeof place === 'object' && !place.elsewhere) unrouted.push(kind as Command['kind']);
    }
    expect(unrouted).toEqual([]);
  });
});

// ---- the dispatcher, through the bot ------------------------------------------------------------

const rita = person('rita');
const mary = person('mary');
const sam = person('sam');
const TEAM = '19:team-routes@thread.tacv2';
const directory: PracticeDirectory = {
  practices: [{ id: 'routes', name: 'Routes Surgery', teamIds: [TEAM], staff: ['aad-rita', 'aad-sam'], staffNames: [], managers: ['aad-mary'], deputies: [], dataProtectionOfficers: [] }],
};
const POST = 'The receptionist at Routes Surgery is a disgrace';

class QuietSender implements Sender {
  async send(_address: ConversationAddress, _message: OutgoingMessage) {
    return { id: `act-${randomUUID()}` };
  }
  async update() {}
}

const calls: string[] = [];
const sentPrivately: Array<Partial<Activity>> = [];
// Azurite in its own process: the counting stores' module loads the server, whose HTTP library
// patches Node's http objects, which an in-process Azurite would then serve with.
let azurite: EmbeddedAzurite;
let stores: Stores;
let services: Services;
let driver: TeamsDriver;
let reference: string;
let draftData: Record<string, unknown>;

beforeAll(async () => {
  azurite = await startStorage();
  stores = await createAzureStores(azurite.connectionString, { tablePrefix: uniqueTablePrefix() });
  services = createServices({
    config: { practices: directory, policies: new Map([['routes', loadPolicy()]]), bot: { authEnabled: false } },
    stores: countingStores(calls)(stores),
    log: pino({ level: 'silent' }),
    sender: new QuietSender(),
    privateChats: {
      send: async (_context, activity) => {
        sentPrivately.push(activity);
        return `private-${randomUUID()}`;
      },
    },
    deliverAtOnce: false,
  });
  driver = new TeamsDriver((context) => services.bot.run(context));
  for (const p of [mary, rita]) await driver.send(personalMessage(p, 'help'));
  let card = cardOf(await driver.send(personalMessage(rita, 'report a post')));
  const press = async (title: string, inputs: Record<string, unknown> = {}) => {
    const a = action(card, title);
    card = cardOf(await driver.send(cardAction(rita, a.verb, { ...a.data, ...inputs })));
  };
  await press('Next', { platform: 'facebook', postUrl: 'https://www.facebook.com/p/1', seenDate: '2026-11-24', seenTime: '09:05', authorRelationship: 'patient' });
  await press('Next', { postText: POST, categories: 'personal-attack', namedParties: 'practice' });
  await press('No', { riskDetails: '' });
  await press('Next', { noScreenshot: 'true', noScreenshotReason: 'Deleted' });
  await press('Submit');
  reference = /PW-\d{4}-\d{4}/.exec(textOfCard(card))![0];
  await services.triage.route('routes', reference);
  // A second, open report of Rita's: its step card's own data, for the report presses below.
  draftData = action(cardOf(await driver.send(personalMessage(rita, 'report a post'))), 'Next').data;
}, 60_000);

afterAll(() => azurite?.close());

beforeEach(() => {
  calls.length = 0;
  sentPrivately.length = 0;
});

/** All a person could read from the answer: the invoke's message or card, and anything sent in the turn. */
function readable(result: TurnResult): string {
  const body = result.invoke?.body;
  const answer = body ? (typeof body.value === 'string' ? body.value : textOfCard(body.value)) : '';
  return [answer, ...textsOf(result), ...result.sent.map((a) => JSON.stringify(a.attachments ?? []))].join('\n');
}

function expectNothingOfTheIncident(text: string): void {
  expect(text).not.toContain(reference);
  expect(text).not.toContain('receptionist');
  expect(text).not.toMatch(/facebook/i);
}

describe('a press the route table refuses is answered before any storage call', () => {
  it.each([
    ['a verb no card sends', 'incident.delete', () => ({ practiceId: 'routes', reference })],
    ['a verb naming a property of every object', 'constructor', () => ({ practiceId: 'routes', reference })],
    ['__proto__ as a verb', '__proto__', () => ({ practiceId: 'routes', reference })],
    ['a report verb no card sends', 'report.explode', () => draftData],
  ])('%s: "card not understood", nothing read, nothing of the incident', async (_, verb, data) => {
    const result = await driver.send(cardAction(mary, verb, data()));
    expect(result.invoke?.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: SAY.cardNotUnderstood });
    expect(calls).toEqual([]);
    expectNothingOfTheIncident(readable(result));
  });

  it.each([
    ['a reference longer than any reference', () => ({ practiceId: 'routes', reference: `${reference}${'x'.repeat(100)}` })],
    ['a reference that is a query object', () => ({ practiceId: 'routes', reference: { $gt: '' } })],
    ['a reply longer than anyone types', () => ({ practiceId: 'routes', reference, replyText: 'x'.repeat(INPUT_MAX + 1) })],
    ['a reply that is not text', () => ({ practiceId: 'routes', reference, replyText: { text: 'hi' } })],
  ])('incident data with %s, even from the practice manager: the one notice, nothing read or written', async (_, data) => {
    const trail = (await stores.incidents.auditTrail('routes', reference)).length;
    for (const verb of [INCIDENT_VERBS.refresh, INCIDENT_VERBS.approveReply, INCIDENT_VERBS.pack]) {
      const result = await driver.send(cardAction(mary, verb, data()));
      expect(result.invoke?.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: NOT_YOURS });
      expectNothingOfTheIncident(readable(result));
    }
    expect(calls).toEqual([]);
    expect(await stores.incidents.auditTrail('routes', reference)).toHaveLength(trail);
  });

  it('malformed presses on an incident count towards the presser\'s refusal limit: past it, even a well-formed press reads nothing', async () => {
    // Sam works at the practice but neither reported nor decides this incident.
    await driver.send(personalMessage(sam, 'help'));
    for (let i = 0; i < REFUSAL_LIMIT; i++) {
      const result = await driver.send(cardAction(sam, INCIDENT_VERBS.refresh, { practiceId: 'routes', reference: { $gt: '' } }));
      expect(result.invoke?.body).toMatchObject({ value: NOT_YOURS });
    }
    calls.length = 0;
    const result = await driver.send(cardAction(sam, INCIDENT_VERBS.refresh, { practiceId: 'routes', reference }));
    expect(result.invoke?.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: NOT_YOURS });
    expect(calls.filter((c) => c.startsWith('incidents.'))).toEqual([]);
    expectNothingOfTheIncident(readable(result));
  });

  it('a digest line with a forged reference: the one notice, nothing read', async () => {
    const result = await driver.send(cardAction(mary, DIGEST_VERBS.open, { practiceId: 'routes', reference: ['PW-2026-0001'] }));
    expect(result.invoke?.body.value).toBe(NOT_YOURS);
    expect(calls).toEqual([]);
    expect(sentPrivately).toEqual([]);
    expectNothingOfTheIncident(readable(result));
  });

  it('a report step with an answer longer than anyone types: "card not understood", the draft neither read nor changed', async () => {
    const before = (await stores.drafts.get('routes', rita.aadObjectId))!;
    calls.length = 0;
    const result = await driver.send(cardAction(rita, VERBS.next, { ...draftData, postUrl: 'x'.repeat(INPUT_MAX + 1) }));
    expect(result.invoke?.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: SAY.cardNotUnderstood });
    expect(calls).toEqual([]);
    expect((await stores.drafts.get('routes', rita.aadObjectId))!.etag).toBe(before.etag);
    expectNothingOfTheIncident(readable(result));
  });

  it('a register page past the cap: "card not understood", nothing read', async () => {
    const result = await driver.send(cardAction(mary, REGISTER_VERBS.page, { page: 1e308 }));
    expect(result.invoke?.body.value).toBe(SAY.cardNotUnderstood);
    expect(calls).toEqual([]);
    expectNothingOfTheIncident(readable(result));
  });

  it('data the schema accepts goes on to its handler: the manager sees the card, a colleague the notice', async () => {
    const decider = await driver.send(cardAction(mary, INCIDENT_VERBS.refresh, { practiceId: 'routes', reference }));
    expect(textOfCard(cardOf(decider))).toContain(reference);
    expect(calls.some((c) => c.startsWith('incidents.get'))).toBe(true);
    const page = await driver.send(cardAction(mary, REGISTER_VERBS.page, { page: '0' }));
    expect(textOfCard(cardOf(page))).toContain(reference);
  });
});

describe('one dispatcher for commands, wherever they are asked', () => {
  it('in the channel, a command that runs only in 1:1 chat says where to ask, and reads no incident', async () => {
    for (const [text, answer] of [
      [`incident ${'PW-2026-0001'}`, SAY.incidentInPrivate],
      ['summary', SAY.askInPrivate('summary')],
      ['verify audit', SAY.askInPrivate('verify audit')],
      ['retention report', SAY.askInPrivate('retention report')],
      [`incident ${'PW-2026-0001'} hold: police`, SAY.askInPrivate('incident PW-… …')],
      ['subject access @angry_dad', SAY.askInPrivate('subject access …')],
    ] as const) {
      calls.length = 0;
      const result = await driver.send(channelMention(mary, text, TEAM));
      expect(textsOf(result), text).toEqual([answer]);
      expect(calls.filter((c) => !c.startsWith('memberships.')), text).toEqual([]);
      expectNothingOfTheIncident(readable(result));
    }
  });

  it('in the channel, the register and my reports go to the 1:1 chat, and only "sent privately" is said there', async () => {
    const register = await driver.send(channelMention(mary, 'open incidents', TEAM));
    expect(textsOf(register)).toEqual([SAY.sentPrivately]);
    expectNothingOfTheIncident(readable(register));
    const mine = await driver.send(channelMention(rita, 'my reports', TEAM));
    expect(textsOf(mine)).toEqual([SAY.sentPrivately]);
    expectNothingOfTheIncident(readable(mine));
    expect(sentPrivately).toHaveLength(2);
    expect(JSON.stringify(sentPrivately[0])).toContain(reference);
  });

  it('set-up commands in a 1:1 chat say to use the channel; a group chat (no team) is not linked', async () => {
    expect(textsOf(await driver.send(personalMessage(mary, 'use this channel for incident review')))).toEqual([SAY.setupInChannel]);
    expect(textsOf(await driver.send(personalMessage(mary, 'add deputy')))).toEqual([SAY.setupInChannel]);
    const group = channelMention(mary, 'open incidents', TEAM);
    const inGroup = await driver.send({ ...group, conversation: { ...group.conversation!, id: '19:group@unq.gbl.spaces', conversationType: 'groupChat' }, channelData: { tenant: { id: 'nhsmail-tenant' } } });
    expect(textsOf(inGroup)).toEqual([SAY.teamNotLinked]);
    expectNothingOfTheIncident(readable(inGroup));
  });
});
