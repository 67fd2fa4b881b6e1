/**
 * Whom an outbox item is for. The outbox sends one target's items strictly in the order they were
 * queued (src/app/outbox.ts), so a person must be one target however their Entra object id was
 * written: by configuration (POSTWATCH_MANAGERS, the practices file), by Teams, by a card. Object
 * ids are GUIDs, the same id whatever its case, so a person is written one way: trimmed, lower case.
 */

import type { OutboxItem } from '../store/ports.ts';

const PERSON = 'user:';
/** The review channel's card of an incident, opened privately from the channel's digest. */
const CHANNEL_CARD = 'channel|';

/** The review channel of the item's practice. */
export const REVIEW_CHANNEL = 'channel';

/** The display name Teams gave for the person of a 1:1 chat, if it gave one. */
export function chatPersonName(address: { reference: Record<string, unknown> }): string | undefined {
  const user = address.reference.user as { name?: unknown } | undefined;
  return typeof user?.name === 'string' && user.name.trim() ? user.name.trim() : undefined;
}

/** A person as they are written in a target or an outbox id. */
export function personKey(aadObjectId: string): string {
  return aadObjectId.trim().toLowerCase();
}

/** The person's 1:1 chat with Postwatch. */
export function personTarget(aadObjectId: string): string {
  return `${PERSON}${personKey(aadObjectId)}`;
}

/** The review channel's read-only card, sent to the person's 1:1 chat (drawn as the channel sees it). */
export function channelCardTarget(aadObjectId: string): string {
  return `${CHANNEL_CARD}${personTarget(aadObjectId)}`;
}

/** The person a target is for, as personKey writes them; undefined for the review channel (and its cards opened privately). */
export function personOf(target: string): string | undefined {
  if (!target.startsWith(PERSON)) return undefined;
  const person = personKey(target.slice(PERSON.length));
  return person === '' ? undefined : person;
}

/** A target read back from the outbox (queued before this rule, perhaps), written by the rule: a card's updates join the person's queue. */
export function asWritten(target: string): string {
  const person = personOf(target);
  if (person !== undefined) return personTarget(person);
  const opener = target.startsWith(CHANNEL_CARD) ? personOf(target.slice(CHANNEL_CARD.length)) : undefined;
  return opener !== undefined ? channelCardTarget(opener) : target;
}

/**
 * Before this one rule, a person inside an outbox id kept the case they were written in
 * (`PW-…|user:AAD-Mary|card`). Queuing an id that is queued already is skipped: that is what
 * makes queuing again safe. So an item derived again after the upgrade takes the spelling of
 * the same item queued before it, and the card is not sent twice.
 */
export function asQueued<T extends { id: string }>(items: readonly T[], queued: readonly { id: string }[]): T[] {
  const spelling = new Map(queued.map((item) => [item.id.toLowerCase(), item.id]));
  return items.map((item) => {
    const before = spelling.get(item.id.toLowerCase());
    return before !== undefined && before !== item.id ? { ...item, id: before } : item;
  });
}

/** The conversation an item goes to: a target is named within its practice. */
export function targetOf(item: OutboxItem): string {
  return `${item.practiceId}|${item.target}`;
}

/** An item's id names it within its practice only (references are numbered per practice). */
export const itemKey = (item: OutboxItem): string => `${item.practiceId}|${item.id}`;

/** Items by conversation, each in the order given. */
export function groupByTarget(items: OutboxItem[]): Map<string, OutboxItem[]> {
  const byTarget = new Map<string, OutboxItem[]>();
  for (const item of items) {
    const group = byTarget.get(targetOf(item));
    if (group) group.push(item);
    else byTarget.set(targetOf(item), [item]);
  }
  return byTarget;
}
