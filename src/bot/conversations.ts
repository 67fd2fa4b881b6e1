import { TurnContext } from 'botbuilder';
import type { Practice } from '../domain/practice.ts';
import type { Reporter } from '../domain/report.ts';
import { registerCard } from '../views/index.ts';
import type { BotDeps } from './deps.ts';
import { SAY } from './messages.ts';

/**
 * Chats this process has already checked in storage, so a conversation costs one read per process
 * rather than one per turn. Bounded: cleared when it grows past a practice-sized number of people.
 */
const checkedPerStore = new WeakMap<object, Set<string>>();
const CHECKED_LIMIT = 10_000;

/** The conversation reference of a 1:1 chat, kept so the bot can write to the person later. */
export async function rememberChat(deps: BotDeps, context: TurnContext, practice: Practice, aadObjectId: string): Promise<void> {
  const reference = TurnContext.getConversationReference(context.activity) as Record<string, unknown> & { conversation?: { id?: string }; serviceUrl?: string };
  const key = `${practice.id}|${aadObjectId.toLowerCase()}|${reference.conversation?.id ?? ''}|${reference.serviceUrl ?? ''}`;
  const checked = checkedPerStore.get(deps.chats) ?? new Set<string>();
  checkedPerStore.set(deps.chats, checked);
  if (checked.has(key)) return;
  const known = await deps.chats.userChat(practice.id, aadObjectId);
  const knownRef = known?.reference as { conversation?: { id?: string }; serviceUrl?: string } | undefined;
  if (knownRef?.conversation?.id !== reference.conversation?.id || knownRef?.serviceUrl !== reference.serviceUrl) {
    await deps.chats.rememberUserChat(practice.id, aadObjectId, { reference, teamsUserId: context.activity.from.id });
  }
  if (checked.size >= CHECKED_LIMIT) checked.clear();
  checked.add(key);
}

/** The register page as a card, or why the person cannot see it. */
export async function registerPage(deps: BotDeps, practice: Practice, viewer: Reporter, page: number): Promise<object | string> {
  const result = await deps.register.open(practice, viewer.aadObjectId, page);
  if (result.kind === 'denied') return SAY.registerOnlyForDeciders;
  return registerCard(result.rows, { practiceName: practice.name, page: result.page, pageCount: result.pageCount, total: result.total, now: deps.now() });
}
