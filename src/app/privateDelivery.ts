import { londonClock } from '../domain/ukTime.ts';
import type { OutboxStore, PracticeStore } from '../store/ports.ts';
import { channelCardTarget, personKey, personTarget } from './outboxTargets.ts';

/**
 * What is sent to one person's 1:1 chat with the bot and to nobody else: an evidence pack link, and
 * an incident's card opened from the channel's digest. Both go through the outbox (kept until
 * delivered, in order per person), with ids fixed by what they are, so queuing one twice sends it
 * once. False when the person has no working 1:1 chat with the bot yet: the caller tells them how
 * to open one.
 */

export interface PrivateDeliveryDeps {
  stores: { practices: Pick<PracticeStore, 'userChat'>; outbox: Pick<OutboxStore, 'enqueue'> };
  now: () => Date;
  /** Called after something is queued (the outbox delivers at once). */
  queued: () => void;
}

export class PrivateDelivery {
  constructor(private readonly deps: PrivateDeliveryDeps) {}

  /**
   * The link to an incident's evidence pack, with when it stops working (UK time): issued for this
   * person only, so it never goes to a channel.
   */
  async evidencePackLink(practiceId: string, aad: string, reference: string, url: string, expiresAt: Date): Promise<boolean> {
    const chat = await this.deps.stores.practices.userChat(practiceId, aad);
    if (!chat) return false;
    const target = personTarget(aad);
    const text = `Evidence pack for ${reference}: ${url}\n\nThe link is for you only, works once and stops working at ${londonClock(expiresAt)}. Do not forward it: the pack contains personal data.`;
    // One item per link (its expiry is part of the id): asking again sends the new link too.
    await this.deps.stores.outbox.enqueue([{ practiceId, id: `pack|${reference}|${personKey(aad)}|${expiresAt.toISOString()}`, kind: 'message', target, address: chat, reference, text }], this.deps.now());
    this.deps.queued();
    return true;
  }

  /**
   * A line of the channel's digest: that incident's own card, to the presser's 1:1 chat, as sightOf
   * gave it to them at the press: 'user:' cards are drawn for that person (and again by the rule at
   * every update), 'channel|user:' ones as the review channel's read-only card.
   */
  async incidentCard(practiceId: string, aad: string, reference: string, view: 'own' | 'channel'): Promise<boolean> {
    const chat = await this.deps.stores.practices.userChat(practiceId, aad);
    if (!chat) return false;
    const target = view === 'channel' ? channelCardTarget(aad) : personTarget(aad);
    await this.deps.stores.outbox.enqueue([{ practiceId, id: `${reference}|${target}|card|opened`, kind: 'incident-card', target, address: chat, reference }], this.deps.now());
    this.deps.queued();
    return true;
  }
}
