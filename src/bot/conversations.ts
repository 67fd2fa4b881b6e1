import { TurnContext } from 'botbuilder';
import type { Practice } from '../domain/practice.ts';
import type { Reporter } from '../domain/report.ts';
import { registerCard } from '../views/index.ts';
import type { BotDeps } from './deps.ts';
import { SAY } from './messages.ts';

/** The conversation reference of a 1:1 chat, kept so the bot can write to the person later. */
export async function rememberChat(deps: BotDeps, context: TurnContext, practice: Practice, aadObjectId: string): Promise<void> {
  const reference = TurnContext.getConversationReference(context.activity) as Record<string, unknown> & { conversation?: { id?: string }; serviceUrl?: string };
  const known = await deps.chats.userChat(practice.id, aadObjectId);
  const knownRef = known?.reference as { conversation?: { id?: string }; serviceUrl?: string } | undefined;
  if (knownRef?.conversation?.id === reference.conversation?.id && knownRef?.serviceUrl === reference.serviceUrl) return;
  await deps.chats.rememberUserChat(practice.id, aadObjectId, { reference, teamsUserId: context.activity.from.id });
}

/** The register page as a card, or why the person cannot see it. */
export async function registerPage(deps: BotDeps, practice: Practice, viewer: Reporter, page: number): Promise<object | string> {
  const result = await deps.register.open(practice, viewer.aadObjectId, page);
  if (result.kind === 'denied') return SAY.registerOnlyForDeciders;
  return registerCard(result.rows, { practiceName: practice.name, page: result.page, pageCount: result.pageCount, total: result.total, now: deps.now() });
}
