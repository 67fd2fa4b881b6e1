import { TurnContext } from 'botbuilder';
import type { Screen } from '../../app/reporting.ts';
import type { Practice } from '../../domain/practice.ts';
import type { Reporter } from '../../domain/report.ts';
import { ukDate } from '../../domain/ukTime.ts';
import { describeError } from '../../log.ts';
import { summaryCard } from '../../views/index.ts';
import { plainText } from '../../views/plainText.ts';
import { helpFor, type Audience, type Command, type CommandTitle, type Scope } from '../commands.ts';
import { registerPage } from '../conversations.ts';
import type { BotDeps } from '../deps.ts';
import { SAY } from '../messages.ts';
import { cardFor } from '../../presenters/reportScreens.ts';
import { cardMessage } from '../cardMessage.ts';
import { changeRole, useChannel } from '../teamSetup.ts';

/**
 * Every command, one route each: where it runs, whom it is for, and its handler. ONE dispatcher
 * (runCommand) serves the 1:1 chat, the team channel and group chats; COMMANDS (the menu and
 * **help**) must agree with each route's `where` (test/bot/routes.test.ts), so the menu, help and
 * what the bot does cannot disagree.
 *
 * `who` is the audience help offers the command to. It is not the authorisation: each use case
 * checks the person again on every call from the roles in storage (Register, Summary, Records,
 * SubjectAccess, AuditCheck, PracticeSetup refuse anyone else; "incident PW-…" answers by sightOf).
 */

/** Where a command runs: here; run, with its card sent to the person's 1:1 chat; or not, saying where instead. */
export type Place = 'here' | 'privately' | { elsewhere: string };

/** What a handler answers: words said where they asked, or a card (with what to do once it is sent). */
export type Reply = string | { card: object; sent?: (activityId: string | undefined) => Promise<void> };

/** Answered even where no practice is known (a Team not linked to one): help, and "I didn't understand". */
const OUTSIDE_A_PRACTICE = ['help', 'unknown'] as const satisfies ReadonlyArray<Command['kind']>;
type OutsideAPractice = (typeof OUTSIDE_A_PRACTICE)[number];

interface Turn<K extends Command['kind'] = Command['kind']> {
  deps: BotDeps;
  context: TurnContext;
  person: Reporter;
  /** From the person's membership in 1:1 chat, from the Team in a channel. */
  practice: K extends OutsideAPractice ? Practice | undefined : Practice;
  conversation: Scope;
  command: Extract<Command, { kind: K }>;
}

interface CommandRoute<K extends Command['kind']> {
  /** The COMMANDS entries (menu and help) this kind answers; none for what nobody asked. */
  menu: readonly CommandTitle[];
  where: Readonly<Record<Scope, Place>>;
  who: Audience;
  run: (turn: Turn<K>) => Promise<Reply>;
}

/** Records duties are never discussed in front of a channel. */
const privateOnly = (words: string): Record<Scope, Place> => ({ personal: 'here', team: { elsewhere: SAY.askInPrivate(words) }, groupChat: { elsewhere: SAY.askInPrivate(words) } });
const SETUP: Record<Scope, Place> = { personal: { elsewhere: SAY.setupInChannel }, team: 'here', groupChat: { elsewhere: SAY.setupInChannel } };
const EVERYWHERE: Record<Scope, Place> = { personal: 'here', team: 'here', groupChat: 'here' };
const INCIDENT_WORDS = 'incident PW-… …';
const REQUEST_WORDS = 'subject access …';

/** The table: one route per kind of Command (the type has no room for a kind without one). */
export const COMMAND_ROUTES: { readonly [K in Command['kind']]: CommandRoute<K> } = {
  // In a channel or group chat nothing about a report is posted: it carries on in 1:1 chat.
  report: {
    menu: ['report a post'],
    where: { personal: 'here', team: 'privately', groupChat: 'privately' },
    who: 'staff',
    run: async ({ deps, practice, person }) => screenReply(deps, practice, person, await deps.reporting.start(practice.id, person)),
  },
  myReports: {
    menu: ['my reports'],
    where: { personal: 'here', team: 'privately', groupChat: { elsewhere: SAY.askInPrivate('my reports') } },
    who: 'staff',
    run: async ({ deps, practice, person }) => screenReply(deps, practice, person, await deps.reporting.myReports(practice.id, person)),
  },
  // The register is never shown to the whole channel: it goes to the 1:1 chat.
  openIncidents: {
    menu: ['open incidents'],
    where: { personal: 'here', team: 'privately', groupChat: { elsewhere: SAY.askInPrivate('open incidents') } },
    who: 'deciders',
    run: async ({ deps, practice, person }) => cardOrWords(await registerPage(deps, practice, person, 0)),
  },
  incident: {
    menu: ['incident'],
    where: { personal: 'here', team: { elsewhere: SAY.incidentInPrivate }, groupChat: { elsewhere: SAY.incidentInPrivate } },
    who: 'deciders',
    run: showIncident,
  },
  hold: { menu: ['incident'], where: privateOnly(INCIDENT_WORDS), who: 'deciders', run: ({ deps, practice, person, command }) => deps.records.hold(practice, person, command.reference, command.reason) },
  releaseHold: { menu: ['incident'], where: privateOnly(INCIDENT_WORDS), who: 'deciders', run: ({ deps, practice, person, command }) => deps.records.release(practice, person, command.reference) },
  deleteEarly: { menu: ['subject access'], where: privateOnly(INCIDENT_WORDS), who: 'records', run: ({ deps, practice, person, command }) => deps.records.deleteEarly(practice, person, command.reference, command.reason) },
  retentionReport: { menu: ['retention report'], where: privateOnly('retention report'), who: 'deciders', run: ({ deps, practice, person }) => deps.records.report(practice, person.aadObjectId) },
  exportRegister: { menu: ['export register'], where: privateOnly('export register'), who: 'deciders', run: exportRegister },
  subjectAccess: { menu: ['subject access'], where: privateOnly(REQUEST_WORDS), who: 'records', run: (turn) => recordsRequest(turn, 'subject-access') },
  erasureRequest: { menu: ['subject access'], where: privateOnly(REQUEST_WORDS), who: 'records', run: (turn) => recordsRequest(turn, 'erasure') },
  requestAnswered: {
    menu: ['subject access'],
    where: privateOnly(REQUEST_WORDS),
    who: 'records',
    run: ({ deps, practice, person, command }) => deps.subjectAccess.answered(practice, person, command.requestId, command.decision),
  },
  verifyAudit: {
    menu: ['verify audit'],
    where: privateOnly('verify audit'),
    who: 'deciders',
    run: ({ deps, context, practice, person }) =>
      deps.auditCheck.start(practice, person, { reference: TurnContext.getConversationReference(context.activity) as Record<string, unknown>, teamsUserId: context.activity.from.id }),
  },
  summary: {
    menu: ['summary'],
    where: privateOnly('summary'),
    who: 'deciders',
    run: async ({ deps, practice, person }) => {
      const result = await deps.summary.forPractice(practice, person.aadObjectId);
      return result.kind === 'denied' ? SAY.summaryOnlyForDeciders : { card: summaryCard(result.summary, { practiceName: practice.name, now: deps.now() }) };
    },
  },
  useChannelForReview: { menu: ['use this channel for incident review'], where: SETUP, who: 'setup', run: ({ deps, context, practice, person }) => useChannel(deps, context, practice, person) },
  role: {
    menu: ['add deputy', 'remove deputy'],
    where: SETUP,
    who: 'deciders',
    run: ({ deps, context, practice, person, command }) => changeRole(deps, context, practice, person, command.add, command.role),
  },
  // Help for the person asking; in a team not linked to a practice, what any member of staff can do.
  help: {
    menu: ['help'],
    where: EVERYWHERE,
    who: 'staff',
    run: async ({ deps, practice, person, conversation }) =>
      helpFor({ ...(practice ? await deps.setup.standing(practice, person.aadObjectId) : { decider: false, manager: false }), inChannel: conversation !== 'personal' }),
  },
  unknown: { menu: [], where: EVERYWHERE, who: 'staff', run: async () => SAY.didNotUnderstand },
};

/**
 * The one dispatcher. The edge has found who is asking, where, and (where it can) for which
 * practice; the route decides the rest: whether a practice is needed, whether the command runs
 * here, and how its answer is delivered.
 */
export async function runCommand(turn: Turn): Promise<void> {
  const { deps, context, person, practice, conversation, command } = turn;
  // The mapped table pairs each kind with its own route; an index by a union loses that pairing.
  const route = COMMAND_ROUTES[command.kind] as CommandRoute<Command['kind']>;
  if (!(OUTSIDE_A_PRACTICE as readonly string[]).includes(command.kind)) {
    // In 1:1 chat the practice is known by now (the edge asked for it first); a Team may not be linked.
    if (!practice) {
      await context.sendActivity(SAY.teamNotLinked);
      return;
    }
    // Whoever writes in the practice's Team is one of its staff from now on.
    if (conversation !== 'personal') await deps.membership.remember(person.aadObjectId, practice);
  }
  const place = route.where[conversation];
  if (typeof place === 'object') {
    await context.sendActivity(place.elsewhere);
    return;
  }
  const reply = await route.run(turn);
  if (typeof reply === 'string') {
    await context.sendActivity(reply);
    return;
  }
  const sentId = place === 'privately' ? await sendPrivately(deps, context, reply.card) : (await context.sendActivity(cardMessage(reply.card)))?.id;
  await reply.sent?.(sentId);
}

/** A report Screen as a card; a resumed report's new card is remembered (a new report's first press stores its own). */
function screenReply(deps: BotDeps, practice: Practice, person: Reporter, screen: Screen): Reply {
  return {
    card: cardFor(screen, practice),
    sent: async (id) => {
      if (id && screen.kind === 'step' && screen.resumed) await deps.reporting.rememberCard(practice.id, person, screen.draft.id, id);
    },
  };
}

function cardOrWords(answer: object | string): Reply {
  return typeof answer === 'string' ? answer : { card: answer };
}

/** Sends a card to the person's 1:1 chat and says so, and only so, where they asked. */
async function sendPrivately(deps: BotDeps, context: TurnContext, card: object): Promise<string | undefined> {
  let id: string | undefined;
  try {
    id = await deps.privateChats.send(context, cardMessage(card));
  } catch (error) {
    deps.log.warn({ ...describeError(error) }, 'could not open a private chat');
    await context.sendActivity(SAY.couldNotMessagePrivately);
    return undefined;
  }
  await context.sendActivity(SAY.sentPrivately);
  return id;
}

/**
 * "incident PW-2026-0042", by the one rule (src/domain/sight.ts): deciders see the card, the
 * reporter their own view, anyone else the same notice whether the incident exists or not.
 */
async function showIncident({ deps, context, practice, person, command }: Turn<'incident'>): Promise<Reply> {
  if (!command.reference) return SAY.incidentUsage;
  const asking = { practice, inChannel: false, ...(context.activity.conversation?.id ? { conversationId: context.activity.conversation.id } : {}) };
  const screen = await deps.deciding.view(asking, command.reference, person);
  if (screen.kind === 'message') return screen.text;
  return { card: await deps.incidentCards.card(screen) };
}

/** A signed, short-lived link to the register as CSV, in the person's own 1:1 chat. */
async function exportRegister({ deps, practice, person, command }: Turn<'exportRegister'>): Promise<string> {
  const request = await deps.registerExport.request(practice, person, command.period);
  if (request.kind === 'denied') return SAY.exportOnlyForDeciders;
  if (request.kind === 'invalid') return request.message;
  const link = deps.links.issue(
    { practiceId: practice.id, reference: '', issuedTo: person.aadObjectId, issuedToName: person.name, kind: 'register', from: request.period.from, to: request.period.to },
    deps.now(),
  );
  return SAY.registerExportLink(practice.name, request.period.label, link.url, link.expiresAt);
}

/** A subject access request: recorded with its deadline, and a single-use link to the pack. Erasure: the Code's basis. */
async function recordsRequest({ deps, practice, person, command }: Omit<Turn<'subjectAccess'>, 'command'> & { command: { subject: string } }, kind: 'subject-access' | 'erasure'): Promise<string> {
  const outcome = await deps.subjectAccess.request(practice, person, command.subject, kind);
  if (outcome.kind === 'denied') return SAY.requestsOnlyForManagersAndDpo;
  if (outcome.kind === 'invalid') return outcome.message;
  const { request } = outcome;
  if (kind === 'erasure') {
    const references = (await deps.subjectAccess.extracts(practice.id, request.subject)).map((e) => e.reference);
    return SAY.erasureRecorded(request.id, plainText(request.subject), ukDate(request.dueAt), references);
  }
  const link = deps.links.issue(
    { practiceId: practice.id, reference: '', issuedTo: person.aadObjectId, issuedToName: person.name, kind: 'subject-access', requestId: request.id, nonce: outcome.nonce },
    deps.now(),
  );
  return SAY.subjectAccessLink(request.id, plainText(request.subject), ukDate(request.dueAt), link.url, link.expiresAt);
}
