import type { AdaptiveCardInvokeResponse, TurnContext } from 'botbuilder';
import type { Practice } from '../domain/practice.ts';
import type { Reporter } from '../domain/report.ts';
import { describeError } from '../log.ts';
import { BusyError, StorageUnavailableError } from '../store/ports.ts';
import type { BotDeps } from './deps.ts';
import { parseCardAction } from './invoke.ts';
import { SAY } from './messages.ts';
import { messageResponse } from './routes/answers.ts';
import { CARD_ROUTES, type CardRoute, type CardWho } from './routes/cardRoutes.ts';

export { INVOKE_BUDGET_MS } from './routes/answers.ts';

/** The route table by verb; a Map, so a verb such as "constructor" or "__proto__" finds nothing. */
const ROUTES: ReadonlyMap<string, CardRoute> = new Map(Object.entries(CARD_ROUTES));

/**
 * Card buttons (Universal Actions): the envelope parsed, the verb looked up in the route table,
 * its data checked by the route's schema, the presser authorised by the route's rule, then its
 * handler. Anything malformed is refused plainly, never thrown, and costs no storage read.
 */
export async function answerCardAction(deps: BotDeps, context: TurnContext): Promise<AdaptiveCardInvokeResponse> {
  const parsed = parseCardAction(context.activity.value);
  if (!parsed.ok) return messageResponse(SAY.cardNotUnderstood);
  const route = ROUTES.get(parsed.value.verb);
  if (!route) return messageResponse(SAY.cardNotUnderstood);
  const handle = route.accept(parsed.value.data);
  const aadObjectId = context.activity.from?.aadObjectId;
  if (!handle) {
    // The verb is ours (so safe to log); the data is not, and is not logged. A malformed press on
    // an incident counts towards the presser's refusal limit like any press that finds nothing.
    if (route.who === 'incident-sight' && aadObjectId) deps.deciding.refusals.outsider(aadObjectId, { askerPracticeId: undefined, verb: parsed.value.verb });
    else deps.log.warn({ verb: parsed.value.verb }, 'card press refused: data not understood');
    return messageResponse(route.refusal);
  }
  if (!aadObjectId) return messageResponse(SAY.noWorkAccount);
  const person: Reporter = { aadObjectId, name: context.activity.from.name ?? '' };
  try {
    const practice = await authorise(deps, route.who, person);
    if (typeof practice === 'string') return messageResponse(practice);
    return await handle({ deps, context, person }, practice);
  } catch (error) {
    deps.log.error({ ...describeError(error), verb: parsed.value.verb }, 'card action failed');
    // Answering with a message leaves the card, and every answer on it, as it was.
    // Contention is not an outage: the person is told to press again, never that storage is down.
    return messageResponse(error instanceof BusyError ? SAY.busy : error instanceof StorageUnavailableError ? SAY.storageDown : SAY.somethingWentWrong);
  }
}

/**
 * The route's rule, at the edge: the practice the presser is a member of, or what they are told.
 * 'incident-sight' is decided by sightOf in Deciding (after its refusal limit, so a limited person
 * costs no read); the deciders and the draft's owner are checked again in their use cases.
 */
async function authorise(deps: BotDeps, who: CardWho, person: Reporter): Promise<Practice | undefined | string> {
  if (who === 'incident-sight') return undefined;
  return (await deps.membership.forPerson(person.aadObjectId)) ?? SAY.unknownPractice;
}
