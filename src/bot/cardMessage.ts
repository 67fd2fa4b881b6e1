import { CardFactory, MessageFactory, type Activity } from 'botbuilder';

/** A message carrying one Adaptive Card: every card the bot sends in a turn goes out in this shape. */
export function cardMessage(card: object): Partial<Activity> {
  return MessageFactory.attachment(CardFactory.adaptiveCard(card));
}
