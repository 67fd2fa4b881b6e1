import { CardFactory, MessageFactory, type AdaptiveCardInvokeResponse, type TurnContext } from 'botbuilder';
import type { Asking } from '../app/deciding.ts';
import { NOT_YOURS } from '../app/refusals.ts';
import type { Reporter } from '../domain/report.ts';
import { describeError } from '../log.ts';
import { BusyError, StorageUnavailableError } from '../store/ports.ts';
import { evidencePackCard } from '../views/index.ts';
import { DIGEST_VERBS, REGISTER_VERBS, VERBS } from '../contract/cards.ts';
import { rememberChat, registerPage } from './conversations.ts';
import type { BotDeps } from './deps.ts';
import { parseCardAction } from './invoke.ts';
import { SAY } from './messages.ts';
import { cardFor } from './render.ts';

/** Card buttons (Universal Actions). Anything malformed is refused plainly, never thrown. */
export async function answerCardAction(deps: BotDeps, context: TurnContext): Promise<AdaptiveCardInvokeResponse> {
  const parsed = parseCardAction(context.activity.value);
  if (!parsed.ok) return messageResponse(SAY.cardNotUnderstood);
  const aadObjectId = context.activity.from?.aadObjectId;
  if (!aadObjectId) return messageResponse(SAY.noWorkAccount);
  const reporter: Reporter = { aadObjectId, name: context.activity.from.name ?? '' };
  try {
    if (parsed.value.verb === DIGEST_VERBS.open) return messageResponse(await openFromDigest(deps, context, parsed.value.data, reporter));
    if (parsed.value.verb.startsWith('incident.')) {
      const inChannel = context.activity.conversation?.conversationType === 'channel';
      const via = inChannel ? 'review channel card' : '1:1 card';
      const decided = deps.deciding.act({ verb: parsed.value.verb, data: parsed.value.data, actor: reporter, asking: () => askingOf(deps, context), via });
      // Teams gives up on an invoke after a few seconds: if storage is slow, answer now and let the
      // work finish; the outbox then updates every copy of the card.
      const screen = await withinInvokeBudget(decided, (error) => deps.log.error({ ...describeError(error) }, 'slow card action failed'));
      if (screen === 'slow') return messageResponse(SAY.stillWorking);
      if (screen.kind === 'message') return messageResponse(screen.text);
      if (screen.kind === 'pack') {
        const link = deps.links.issue({ practiceId: screen.incident.practiceId, reference: screen.incident.reference, issuedTo: aadObjectId, issuedToName: reporter.name }, deps.now());
        // Anywhere but the person's own 1:1 chat (a channel, a group chat) others may see the card:
        // there the link goes to the person's 1:1 chat.
        if (context.activity.conversation?.conversationType !== 'personal') {
          const sent = await deps.privateLink(screen.incident.practiceId, aadObjectId, screen.incident.reference, link.url, link.expiresAt);
          return messageResponse(sent ? SAY.packSentPrivately : SAY.packNeedsPrivateChat);
        }
        return cardResponse(evidencePackCard({ reference: screen.incident.reference, url: link.url, expiresAt: link.expiresAt, sha256: 'listed in the pack (manifest.json)', fileName: `${screen.incident.reference}-evidence.zip` }));
      }
      return cardResponse(await deps.incidentCards.card(screen));
    }
    const practice = await deps.membership.forPerson(aadObjectId);
    if (!practice) return messageResponse(SAY.unknownPractice);
    if (parsed.value.verb === REGISTER_VERBS.page) {
      const page = typeof parsed.value.data.page === 'number' ? parsed.value.data.page : Number(parsed.value.data.page ?? 0);
      const card = await registerPage(deps, practice, reporter, Number.isFinite(page) ? page : 0);
      return typeof card === 'string' ? messageResponse(card) : cardResponse(card);
    }
    if (context.activity.conversation?.conversationType === 'personal') await rememberChat(deps, context, practice, aadObjectId);
    // "Report another post" starts in a new card: the confirmation holding the reference stays
    // exactly as it was (answering with a card would replace it).
    if (parsed.value.verb === VERBS.another) {
      const screen = await deps.reporting.start(practice.id, reporter);
      const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(cardFor(screen, practice))));
      if (sent?.id && screen.kind === 'step') await deps.reporting.rememberCard(practice.id, reporter, screen.draft.id, sent.id);
      return messageResponse(SAY.newReportBelow);
    }
    const acted = deps.reporting.act({
      practiceId: practice.id,
      reporter,
      verb: parsed.value.verb,
      data: parsed.value.data,
      ...(context.activity.replyToId ? { cardActivityId: context.activity.replyToId } : {}),
    });
    // A submit racing many others can outlast Teams' patience; it finishes anyway, and pressing
    // Submit again shows the same reference (a report is never stored twice).
    const screen = await withinInvokeBudget(acted, (error) => deps.log.error({ ...describeError(error) }, 'slow report step failed'));
    if (screen === 'slow') return messageResponse(SAY.reportStillSaving);
    return cardResponse(cardFor(screen, practice));
  } catch (error) {
    deps.log.error({ ...describeError(error), verb: parsed.value.verb }, 'card action failed');
    // Answering with a message leaves the card, and every answer on it, as it was.
    // Contention is not an outage: the person is told to press again, never that storage is down.
    return messageResponse(error instanceof BusyError ? SAY.busy : error instanceof StorageUnavailableError ? SAY.storageDown : SAY.somethingWentWrong);
  }
}

/**
 * A line of the review channel's digest: the incident's card goes to the presser's 1:1 chat, as
 * sightOf gives it to them (the rule of every press: the practice is the Team's, never the
 * card's). A decider or the reporter is sent their own view, a press from the practice's review
 * channel the channel's read-only card; anyone else the one notice, whether the incident exists or not.
 */
async function openFromDigest(deps: BotDeps, context: TurnContext, data: Record<string, unknown>, person: Reporter): Promise<string> {
  const opened = await deps.deciding.sightForOpening({ verb: DIGEST_VERBS.open, data, actor: person, asking: () => askingOf(deps, context), via: 'review channel digest' });
  if (opened.sight === 'none' || !opened.practiceId || !opened.reference) return NOT_YOURS;
  const sent = await deps.openPrivately(opened.practiceId, person.aadObjectId, opened.reference, opened.sight === 'channel' ? 'channel' : 'own');
  return sent ? SAY.openedPrivately : SAY.openNeedsPrivateChat;
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

function cardResponse(card: object): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as Record<string, unknown> };
}

/** Teams shows the text and leaves the card as it was. */
function messageResponse(text: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as unknown as Record<string, unknown> };
}

export const INVOKE_BUDGET_MS = 4_000;

async function withinInvokeBudget<T>(work: Promise<T>, onLateFailure: (error: unknown) => void): Promise<T | 'slow'> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), INVOKE_BUDGET_MS);
  });
  try {
    const result = await Promise.race([work, slow]);
    if (result === 'slow') work.catch(onLateFailure);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
