import { TurnContext } from 'botbuilder';
import type { Practice } from '../domain/practice.ts';
import type { Reporter } from '../domain/report.ts';
import { registerCard } from '../views/index.ts';
import type { BotDeps } from './deps.ts';
import { SAY } from './messages.ts';

/**
 * Chats this process has already checked in storage (and when), so a conversation costs one read a
 * minute rather than one per turn. Checked again after a minute: a send may have marked the chat
 * not working since, and talking to the bot is what clears that mark. Bounded: cleared when it
 * grows past a practice-sized number of people.
 */
const checkedPerStore = new WeakMap<object, Map<string, number>>();
const CHECKED_LIMIT = 10_000;
const CHECKED_FOR_MS = 60_000;

/** The conversation reference of a 1:1 chat, kept so the bot can write to the person later. */
export async function rememberChat(deps: BotDeps, context: TurnContext, practice: Practice, aadObjectId: string): Promise<void> {
  const reference = TurnContext.getConversationReference(context.activity) as Record<string, unknown> & { conversation?: { id?: string }; serviceUrl?: string };
  const key = `${practice.id}|${aadObjectId.toLowerCase()}|${reference.conversation?.id ?? ''}|${reference.serviceUrl ?? ''}`;
  const checked = checkedPerStore.get(deps.chats) ?? new Map<string, number>();
  checkedPerStore.set(deps.chats, checked);
  const now = deps.now().getTime();
  if (now - (checked.get(key) ?? -Infinity) < CHECKED_FOR_MS) return;
  const known = await deps.chats.userChat(practice.id, aadObjectId);
  const knownRef = known?.reference as { conversation?: { id?: string }; serviceUrl?: string } | undefined;
  if (knownRef?.conversation?.id !== reference.conversation?.id || knownRef?.serviceUrl !== reference.serviceUrl) {
    await deps.chats.rememberUserChat(practice.id, aadObjectId, { reference, teamsUserId: context.activity.from.id });
  }
  if (checked.size >= CHECKED_LIMIT) checked.clear();
  checked.set(key, now);
}

/** The register page as a card, or why the person cannot see it. */
export async function registerPage(deps: BotDeps, practice: Practice, viewer: Reporter, page: number): Promise<object | string> {
  const result = await deps.register.open(practice, viewer.aadObjectId, page);
  if (result.kind === 'denied') return SAY.registerOnlyForDeciders;
  return registerCard(result.rows, { practiceName: practice.name, page: result.page, pageCount: result.pageCount, total: result.total, now: deps.now() });
}
