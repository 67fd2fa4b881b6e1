import type { Logger } from '../log.ts';
import type { OutboxItem, Stores } from '../store/ports.ts';
import { chatPersonName, personOf, personTarget } from './outboxTargets.ts';

/**
 * A send the connector refused for good (403/404: the person removed the app, the chat is gone).
 * The chat is marked not working, so nobody is named "alerted" or "will review" through it again
 * (cleared when the person next talks to the bot), and a reporter who was told the alert or the
 * report reached that person hears plainly that it did not, and what to do now.
 */
export interface UndeliveredDeps {
  stores: Pick<Stores, 'practices' | 'outbox'>;
  now: () => Date;
  log: Logger;
  queued?: () => void;
}

export async function sendRefusedForGood(deps: UndeliveredDeps, item: OutboxItem): Promise<void> {
  // A refused update means that one message is gone, not the chat; channels are not a person's chat.
  const aad = personOf(item.target);
  if (item.kind === 'card-update' || aad === undefined) return;
  const conversation = (item.address.reference.conversation as { id?: unknown } | undefined)?.id;
  await deps.stores.practices.markChatNotWorking(item.practiceId, aad, typeof conversation === 'string' ? conversation : undefined);
  if (!item.tellIfUndelivered) return;
  deps.log.error({ practiceId: item.practiceId, reference: item.reference, outboxId: item.id }, 'a risk alert or new report could not be delivered to a decider (their chat with Postwatch no longer works); the reporter is being told');
  const reporterChat = await deps.stores.practices.userChat(item.practiceId, item.tellIfUndelivered);
  if (!reporterChat) {
    deps.log.error({ practiceId: item.practiceId, outboxId: item.id }, 'the reporter cannot be told either: no working 1:1 chat with them');
    return;
  }
  // Deterministic id: an hourly retry that fails again does not tell them twice.
  await deps.stores.outbox.enqueue(
    [{ practiceId: item.practiceId, id: `${item.id}|undelivered`, kind: 'message', target: personTarget(item.tellIfUndelivered), address: reporterChat, urgent: true, ...(item.reference ? { reference: item.reference } : {}), text: undeliveredNotice(item) }],
    deps.now(),
  );
  deps.queued?.();
}

function undeliveredNotice(item: OutboxItem): string {
  const who = chatPersonName(item.address) ?? 'the practice manager';
  const what = item.kind === 'incident-card' ? `Your report${item.reference ? ` ${item.reference}` : ''}` : 'The risk alert';
  return `${what} could not be delivered to ${who}: Postwatch cannot reach them in Teams, so they may not know. Phone the practice manager now. If anyone is in immediate danger call 999; otherwise call 101.`;
}
