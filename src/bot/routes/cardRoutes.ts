import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import type { z } from 'zod';
import { VIA, type Asking } from '../../app/incidentScreens.ts';
import { NOT_YOURS } from '../../app/refusals.ts';
import type { Screen } from '../../app/reporting.ts';
import {
  DIGEST_VERBS,
  digestOpenSchema,
  INCIDENT_VERBS,
  incidentPressSchema,
  openingSchema,
  REGISTER_VERBS,
  registerPageSchema,
  reportStepSchema,
  VERBS,
  type CardVerb,
  type DigestPress,
  type DraftVerb,
  type IncidentPress,
  type IncidentVerb,
} from '../../contract/cards.ts';
import type { Practice } from '../../domain/practice.ts';
import type { Reporter } from '../../domain/report.ts';
import { describeError } from '../../log.ts';
import { evidencePackCard } from '../../views/index.ts';
import { rememberChat, registerPage } from '../conversations.ts';
import type { BotDeps } from '../deps.ts';
import { SAY } from '../messages.ts';
import { cardFor } from '../../presenters/reportScreens.ts';
import { cardMessage } from '../cardMessage.ts';
import { cardResponse, messageResponse, withinInvokeBudget } from './answers.ts';

/**
 * Every card verb, one route each: the zod schema its `data` must pass, who may press it, and the
 * handler. The bot (cardActions.ts) looks the verb up, parses the data, authorises, then calls:
 * nothing is read or written for a verb it does not know or data its schema refuses.
 *
 * Who may press (checked on the server for every press, never by hiding buttons):
 * - 'incident-sight': anyone with a work account; what they see and may do is decided by sightOf
 *   (src/domain/sight.ts) in Deciding, from who is asking — the practice is theirs (or the Team's),
 *   never the card's. Refused presses, malformed ones included, all read the one notice (NOT_YOURS).
 * - 'member': a member of a practice (Membership); anyone else is told the bot does not know their practice.
 * - 'decider': a member, then Register admits the practice's deciders only (from the roles in storage).
 * - 'reporter-of-draft': a member, on their own open report only: Reporting reads the draft by the
 *   presser's own id, so a card naming someone else's draft finds nothing of theirs.
 */
export type CardWho = 'incident-sight' | 'member' | 'decider' | 'reporter-of-draft';

/** Who pressed, as the edge found out (never from the card). */
interface Presser {
  deps: BotDeps;
  context: TurnContext;
  person: Reporter;
}

/** What a route's handler is given: the presser, their practice unless sightOf decides, and the parsed data. */
type Press<W extends CardWho, D> = Presser & { data: D } & (W extends 'incident-sight' ? object : { practice: Practice });

export interface CardRoute {
  /** What the press's data must be (src/contract/cards.ts); nothing is read for data it refuses. */
  schema: z.ZodType;
  who: CardWho;
  /** What a refused press reads: never anything about an incident. */
  refusal: string;
  /** The data checked against the route's schema: the handler, ready for an authorised presser; undefined when refused. */
  accept(data: unknown): ((presser: Presser, practice: Practice | undefined) => Promise<AdaptiveCardInvokeResponse>) | undefined;
}

function route<W extends CardWho, S extends z.ZodType>(who: W, schema: S, handle: (press: Press<W, z.output<S>>) => Promise<AdaptiveCardInvokeResponse>): CardRoute {
  return {
    schema,
    who,
    refusal: who === 'incident-sight' ? NOT_YOURS : SAY.cardNotUnderstood,
    accept(raw) {
      const parsed = schema.safeParse(raw);
      if (!parsed.success) return undefined;
      // authorise() in cardActions.ts gives a practice to every route but 'incident-sight'.
      return (presser, practice) => handle({ ...presser, data: parsed.data, ...(practice ? { practice } : {}) } as Press<W, z.output<S>>);
    },
  };
}

const incident = (verb: IncidentVerb) => route('incident-sight', incidentPressSchema, (press) => pressIncident(press, verb));
const draft = (verb: DraftVerb) => route('reporter-of-draft', reportStepSchema, (press) => reportScreen(press, (practice) => press.deps.reporting.act({ practiceId: practice.id, reporter: press.person, verb, data: press.data, ...cardActivity(press.context) })));

/** The table: one route per verb of the card contract (the type has no room for a verb without one). */
export const CARD_ROUTES: Readonly<Record<CardVerb, CardRoute>> = {
  [INCIDENT_VERBS.refresh]: incident(INCIDENT_VERBS.refresh),
  [INCIDENT_VERBS.noResponse]: incident(INCIDENT_VERBS.noResponse),
  [INCIDENT_VERBS.checkReply]: incident(INCIDENT_VERBS.checkReply),
  [INCIDENT_VERBS.approveReply]: incident(INCIDENT_VERBS.approveReply),
  [INCIDENT_VERBS.chooseActions]: incident(INCIDENT_VERBS.chooseActions),
  [INCIDENT_VERBS.assign]: incident(INCIDENT_VERBS.assign),
  [INCIDENT_VERBS.ask]: incident(INCIDENT_VERBS.ask),
  [INCIDENT_VERBS.answer]: incident(INCIDENT_VERBS.answer),
  [INCIDENT_VERBS.taskDone]: incident(INCIDENT_VERBS.taskDone),
  [INCIDENT_VERBS.close]: incident(INCIDENT_VERBS.close),
  [INCIDENT_VERBS.reopen]: incident(INCIDENT_VERBS.reopen),
  [INCIDENT_VERBS.pack]: incident(INCIDENT_VERBS.pack),
  [DIGEST_VERBS.open]: route('incident-sight', digestOpenSchema, openFromDigest),
  [REGISTER_VERBS.page]: route('decider', registerPageSchema, async ({ deps, person, practice, data }) => {
    const card = await registerPage(deps, practice, person, data.page);
    return typeof card === 'string' ? messageResponse(card) : cardResponse(card);
  }),
  [VERBS.start]: route('member', openingSchema, (press) => reportScreen(press, (practice) => press.deps.reporting.start(practice.id, press.person))),
  [VERBS.myReports]: route('member', openingSchema, (press) => reportScreen(press, (practice) => press.deps.reporting.myReports(practice.id, press.person))),
  [VERBS.another]: route('member', openingSchema, reportAnother),
  [VERBS.next]: draft(VERBS.next),
  [VERBS.back]: draft(VERBS.back),
  [VERBS.cancel]: draft(VERBS.cancel),
  [VERBS.edit]: draft(VERBS.edit),
  [VERBS.risk]: draft(VERBS.risk),
  [VERBS.submit]: draft(VERBS.submit),
};

/** The evidence pack's link card is made before the pack is built: the pack's manifest lists every file's hash. */
const PACK_HASHES = 'listed in the pack (manifest.json)';

/** A press on an incident card: Deciding decides, by sightOf, what the presser sees and may do. */
async function pressIncident({ deps, context, person, data }: Press<'incident-sight', IncidentPress>, verb: IncidentVerb): Promise<AdaptiveCardInvokeResponse> {
  const via = context.activity.conversation?.conversationType === 'channel' ? VIA.reviewChannelCard : VIA.chatCard;
  const decided = deps.deciding.act({ verb, data, actor: person, asking: () => askingOf(deps, context), via });
  // Teams gives up on an invoke after a few seconds: if storage is slow, answer now and let the
  // work finish; the outbox then updates every copy of the card.
  const screen = await withinInvokeBudget(decided, (error) => deps.log.error({ ...describeError(error) }, 'slow card action failed'));
  if (screen === 'slow') return messageResponse(SAY.stillWorking);
  if (screen.kind === 'message') return messageResponse(screen.text);
  if (screen.kind !== 'pack') return cardResponse(await deps.incidentCards.card(screen));
  const { practiceId, reference } = screen.incident;
  const link = deps.links.issue({ practiceId, reference, issuedTo: person.aadObjectId, issuedToName: person.name }, deps.now());
  // Anywhere but the person's own 1:1 chat (a channel, a group chat) others may see the card:
  // there the link goes to the person's 1:1 chat.
  if (context.activity.conversation?.conversationType !== 'personal') {
    const sent = await deps.privateLink(practiceId, person.aadObjectId, reference, link.url, link.expiresAt);
    return messageResponse(sent ? SAY.packSentPrivately : SAY.packNeedsPrivateChat);
  }
  return cardResponse(evidencePackCard({ reference, url: link.url, expiresAt: link.expiresAt, sha256: PACK_HASHES, fileName: `${reference}-evidence.zip` }));
}

/**
 * A line of the review channel's digest: the incident's card goes to the presser's 1:1 chat, as
 * sightOf gives it to them (the rule of every press: the practice is the Team's, never the
 * card's). A decider or the reporter is sent their own view, a press from the practice's review
 * channel the channel's read-only card; anyone else the one notice, whether the incident exists or not.
 */
async function openFromDigest({ deps, context, person, data }: Press<'incident-sight', DigestPress>): Promise<AdaptiveCardInvokeResponse> {
  const opened = await deps.deciding.sightForOpening({ data, actor: person, asking: () => askingOf(deps, context), via: VIA.reviewChannelDigest });
  if (opened.sight === 'none' || !opened.practiceId || !opened.reference) return messageResponse(NOT_YOURS);
  const sent = await deps.openPrivately(opened.practiceId, person.aadObjectId, opened.reference, opened.sight === 'channel' ? 'channel' : 'own');
  return messageResponse(sent ? SAY.openedPrivately : SAY.openNeedsPrivateChat);
}

/**
 * A report card's press, answered with the report's next screen. The 1:1 chat is remembered first
 * (so the manager's answer can reach the reporter). A submit racing many others can outlast Teams'
 * patience; it finishes anyway, and pressing Submit again shows the same reference.
 */
async function reportScreen(press: Press<'member', unknown>, work: (practice: Practice) => Promise<Screen>): Promise<AdaptiveCardInvokeResponse> {
  const { deps, context, person, practice } = press;
  if (context.activity.conversation?.conversationType === 'personal') await rememberChat(deps, context, practice, person.aadObjectId);
  const screen = await withinInvokeBudget(work(practice), (error) => deps.log.error({ ...describeError(error) }, 'slow report step failed'));
  if (screen === 'slow') return messageResponse(SAY.reportStillSaving);
  return cardResponse(cardFor(screen, practice));
}

/**
 * "Report another post" starts in a new card: the confirmation holding the reference stays exactly
 * as it was (answering with a card would replace it).
 */
async function reportAnother({ deps, context, person, practice }: Press<'member', unknown>): Promise<AdaptiveCardInvokeResponse> {
  if (context.activity.conversation?.conversationType === 'personal') await rememberChat(deps, context, practice, person.aadObjectId);
  const screen = await deps.reporting.start(practice.id, person);
  const sent = await context.sendActivity(cardMessage(cardFor(screen, practice)));
  if (sent?.id && screen.kind === 'step') await deps.reporting.rememberCard(practice.id, person, screen.draft.id, sent.id);
  return messageResponse(SAY.newReportBelow);
}

/** The Teams message the pressed card lives in, so screenshots sent later can refresh it. */
function cardActivity(context: TurnContext): { cardActivityId?: string } {
  return context.activity.replyToId ? { cardActivityId: context.activity.replyToId } : {};
}

/**
 * Who is asking, from the activity Teams sent (never from the card): in a channel the practice is
 * the Team's, elsewhere the person's own; and the conversation the press came from.
 */
async function askingOf(deps: BotDeps, context: TurnContext): Promise<Asking> {
  const conversation = context.activity.conversation;
  const inChannel = conversation?.conversationType === 'channel';
  const teamId = (context.activity.channelData as { team?: { id?: unknown } } | undefined)?.team?.id;
  const practice = inChannel && typeof teamId === 'string' ? deps.membership.forTeam(teamId) : await deps.membership.forPerson(context.activity.from.aadObjectId ?? '');
  return { practice, inChannel, ...(typeof conversation?.id === 'string' ? { conversationId: conversation.id } : {}) };
}
