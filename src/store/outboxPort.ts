import type { ConversationAddress } from './ports.ts';

/** The outbox's port: notifications kept until delivered, in order per target (see src/app/outbox.ts). */

/**
 * incident-card: the incident card for a channel or a decider (drawn from the incident when sent);
 * card-update: replace a card already delivered (activityId) with the current view;
 * message: plain text; reporter-question / reporter-update: a card to the reporter;
 * notice-card: a small card with a title and a sentence, given as JSON {"title","text"} in `text`.
 */
export type OutboxKind = 'incident-card' | 'card-update' | 'message' | 'reporter-question' | 'reporter-update' | 'notice-card';

export interface NewOutboxItem {
  practiceId: string;
  /** Deterministic: enqueueing the same notification twice keeps one. */
  id: string;
  kind: OutboxKind;
  /** Messages to the same target go out in the order they were queued. */
  target: string;
  address: ConversationAddress;
  reference?: string;
  /** message: the text; incident-card: nothing (drawn from the incident when sent); card-update: the activity to replace. */
  text?: string;
  activityId?: string;
  urgent?: boolean;
  /** Who must hear if this can never be delivered (the reporter told "X has been alerted"): an aadObjectId. */
  tellIfUndelivered?: string;
  /**
   * At most once, ever: a job that re-derives the same id on every run (a reminder) must not send it
   * again once delivered, so a delivered item leaves its row behind (text cleared) instead of being removed.
   */
  sendOnce?: boolean;
}

export interface OutboxItem extends NewOutboxItem {
  status: 'pending' | 'sent';
  attempts: number;
  createdAt: string;
  nextAttemptAt: string;
  claimedUntil?: string;
  /** Which process holds the claim (OutboxClaim.by): its own passes need not claim the item again. */
  claimedBy?: string;
  sentAt?: string;
  sentActivityId?: string;
  lastError?: string;
  etag: string;
}

/** A process's hold on items it is about to send (others leave them alone until `until`). */
export interface OutboxClaim {
  by: string;
  until: Date;
}

/** Notifications that must not be lost: kept until delivered, retried with backoff. */
export interface OutboxStore {
  /**
   * Queues items (idempotently). With `claim`, they are queued already claimed by that process;
   * resolves with the items this call queued (not those queued before), ready to be sent.
   */
  enqueue(items: NewOutboxItem[], now: Date, claim?: OutboxClaim): Promise<OutboxItem[]>;
  /** Every undelivered item, across practices, oldest first. */
  pending(): Promise<OutboxItem[]>;
  /** Takes an item for delivery; undefined if another instance took it first. */
  claim(item: OutboxItem, until: Date): Promise<OutboxItem | undefined>;
  markSent(item: OutboxItem, activityId: string | undefined, now: Date): Promise<void>;
  markFailed(item: OutboxItem, nextAttemptAt: Date, reason: string): Promise<void>;
  /** Incident cards already delivered for an incident (to update every copy after a change). */
  sentCards(practiceId: string, reference: string): Promise<OutboxItem[]>;
  /** Every item about an incident, delivered or not (erasing the incident). */
  forIncident(practiceId: string, reference: string): Promise<OutboxItem[]>;
  /** Delivered items that name an incident, across practices (purged once it is closed). */
  deliveredAboutIncidents(): Promise<OutboxItem[]>;
  /** Removing an item that is already gone is not an error. */
  remove(practiceId: string, id: string): Promise<void>;
}
