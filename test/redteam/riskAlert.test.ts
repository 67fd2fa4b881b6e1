import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startAuthenticatedBot, type AuthenticatedBot } from '../support/authenticatedBot.ts';
import { eventually } from '../support/botProcess.ts';
import type { FakeConnector } from '../support/connector.ts';
import type { RealServer } from '../support/realServer.ts';
import { textOfCard } from '../support/teams.ts';
import { personalChat, reportThroughCards, type TeamsWire } from '../support/teamsWire.ts';

/**
 * Red team, issue 11 part 6 ("someone is really told"), over real HTTP. The only manager's 1:1 chat
 * is known, but it is stale: she removed the app, so the connector answers 404 for it. The reporter
 * said someone is at risk. Is she told the truth?
 */

const TEAM_A = '19:team-millbrook@thread.tacv2';
const person = (name: string, full: string) => ({ id: `29:${name}`, aadObjectId: `aad-${name}`, name: full });
const mary = person('mary', 'Mary Manager');
const rita = person('rita', 'Rita Reception');

let bot: AuthenticatedBot;
let connector: FakeConnector;
let server: RealServer;
let wire: TeamsWire;

beforeAll(async () => {
  bot = await startAuthenticatedBot({
    practices: { practices: [{ id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: [TEAM_A], staff: [rita.aadObjectId], staffNames: [], managers: [mary.aadObjectId], deputies: [], dataProtectionOfficers: [] }] },
  });
  ({ connector, server, wire } = bot);
  for (const p of [mary, rita]) expect((await wire.say(p, 'hello')).status).toBe(200);
}, 60_000);

afterAll(() => bot?.close());

describe('red team: a risk alert to a manager whose chat is known but gone', () => {
  it('the reporter who was told "Mary has been alerted" is told the truth once the alert cannot be delivered', async () => {
    // Mary removed the app: every send to her chat now answers 404 (permanent).
    connector.refuse(personalChat(mary), { status: 404 });
    // From before the report: the alert is sent (and refused) while she is still answering the cards,
    // and the truth should reach her as soon as that happens, not only after she has sent the report.
    const since = connector.calls.length;
    let riskCard = '';
    await reportThroughCards(wire, connector, rita, { what: { postText: 'I know where the receptionist lives and I will be waiting', categories: 'threat', namedParties: '', namedColleagues: '' }, risk: 'yes', riskDetails: 'Threat to a receptionist' }, async (step, card) => {
      if (step === 'risk-details') riskCard = textOfCard(card);
    });
    // What she was told at the time: that Mary was alerted.
    expect(riskCard).toContain('Mary Manager');
    await eventually('the alert to Mary was tried and refused', () => connector.calls.some((c) => c.conversationId === personalChat(mary) && c.status === 404), 20_000);

    // Nobody was alerted: the reporter must hear so (999 / 101, phone the manager), not believe Mary knows.
    await eventually(
      'the reporter is told the alert did not reach anyone',
      () => wire.textsDelivered(personalChat(rita), since).concat(wire.cardsDelivered(personalChat(rita), since).map((c) => textOfCard(c.card))).some((t) => /could not|not reach|nobody|no one/i.test(t) && /phone|call/i.test(t) && /Mary Manager/.test(t) && /999/.test(t) && /101/.test(t)),
      15_000,
    );
  }, 60_000);

  it('/healthz does not count a manager whose chat the connector refuses as reachable', async () => {
    await eventually('the alert to Mary was tried and refused', () => connector.calls.some((c) => c.conversationId === personalChat(mary) && c.status === 404), 20_000);
    const health = (await (await fetch(`${server.url}/healthz`)).json()) as { practices: Array<{ id: string; reachableDeciders: number; warnings: string[] }> };
    const millbrook = health.practices.find((p) => p.id === 'millbrook')!;
    expect(millbrook.reachableDeciders).toBe(0);
  });
});
