import { isDecider } from './handling.ts';
import type { Incident } from './incident.ts';
import type { PracticeRoles } from './roles.ts';

/**
 * Who sees what of an incident: ONE rule (DESIGN, "Who sees what"), used by every incident verb,
 * the "incident PW-…" command, card refreshes and the cards the outbox draws. It is decided from
 * who is asking — the practice their membership or Team gives them, their Entra object id, and the
 * conversation the press came from — never from anything a card carries.
 *
 * - decider:  a decider of that incident at that practice: the full card with its buttons;
 * - reporter: the person who reported it: the status and what they were told, nothing more
 *             (no grading, no decision notes, no closure notes, no lessons learnt);
 * - channel:  a press from the practice's own review channel: the read-only channel card that
 *             channel already shows;
 * - none:     everyone else: a short notice with no incident content, the same words whether the
 *             incident exists or not.
 */
export type Sight = 'decider' | 'reporter' | 'channel' | 'none';

export interface Asker {
  aadObjectId: string;
  /** The practice the asker acts for (from their membership or the Team), if any. */
  practiceId: string | undefined;
  /** The press came from the incident practice's review channel conversation. */
  fromReviewChannel: boolean;
}

export function sightOf(incident: Pick<Incident, 'practiceId' | 'reporter' | 'handling'>, roles: PracticeRoles, asker: Asker): Sight {
  if (!asker.practiceId || asker.practiceId !== incident.practiceId) return 'none';
  if (isDecider(incident, roles, asker.aadObjectId)) return 'decider';
  if (sameId(incident.reporter.aadObjectId, asker.aadObjectId)) return 'reporter';
  if (asker.fromReviewChannel) return 'channel';
  return 'none';
}

/**
 * A Teams channel conversation id names the channel, then `;messageid=` and the thread: a card
 * posted in the channel is pressed from its own thread, so only the channel part is compared.
 */
export function sameChannel(conversationId: string | undefined, channelConversationId: string | undefined): boolean {
  const base = (id: string) => id.split(';')[0]!.trim().toLowerCase();
  if (!conversationId || !channelConversationId) return false;
  return base(conversationId) !== '' && base(conversationId) === base(channelConversationId);
}

function sameId(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}
