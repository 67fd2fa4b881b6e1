import { randomUUID } from 'node:crypto';
import type { Logger } from '../log.ts';
import { describeError, logEvent } from '../log.ts';
import type { OutboxClaim, OutboxItem, OutboxStore } from '../store/ports.ts';
import { passReads, type PassReads } from './passReads.ts';
import { groupByTarget, itemKey, REVIEW_CHANNEL, targetOf } from './outboxTargets.ts';
import { isReminder } from './reminders.ts';
import { failureReason, retryDelay } from './outboxRetries.ts';
import { SendFailure, type OutgoingMessage, type Sender } from './sending.ts';

/**
 * Delivers queued notifications. Nothing is dropped: a failed send is tried again later (honouring
 * the connector's Retry-After), and with several instances an item is claimed (ETag) before it is
 * sent. Order: everything about one incident goes to a conversation in the order it was queued, and
 * a pass keeps a conversation's queue in order. A new incident's cards, sent directly by the process
 * that routed them, wait behind what that process knows is waiting in the conversation; they may
 * pass an older message about another incident that another instance is holding for a retry (the
 * issue's rule: order per incident, not across incidents).
 */

export { SendFailure, type OutgoingMessage, type Sender } from './sending.ts';
export { PASS_KEYS, passReads, type PassReads } from './passReads.ts';

export interface OutboxWorkerDeps {
  outbox: OutboxStore;
  sender: Sender;
  /** Draws an item as it should look now; undefined means there is nothing to send any more. */
  render: (item: OutboxItem, pass: PassReads) => Promise<OutgoingMessage | undefined>;
  now: () => Date;
  log: Logger;
  /** Spreads the retries of a failed send (backoff jitter), in [0, 1): Math.random unless a test fixes it. */
  random?: () => number;
  /** Called when the connector refuses a send for good (403/404): see undelivered.ts. */
  refusedForGood?: (item: OutboxItem) => Promise<void>;
  /** One "N new incidents" card for several incident cards waiting for the same channel. */
  digest?: (items: OutboxItem[], pass: PassReads) => Promise<OutgoingMessage | undefined>;
}

/**
 * How a use case has new items delivered from this process at once: they are queued already
 * claimed by it (no claim request, no other instance takes them), then handed over with the reads
 * their cards need. A crash before they are sent leaves them to any instance once the claim runs out.
 */
export interface DirectDelivery {
  claim(): OutboxClaim;
  deliver(items: OutboxItem[], known: ReadonlyMap<string, unknown>): void;
}

const CLAIM_MS = 60_000;
/**
 * More new incident cards than this waiting for one channel go as one digest card: Teams takes
 * about 7 messages a second (60 in 30 s) in one conversation, so a burst would otherwise arrive
 * over minutes.
 */
export const DIGEST_AFTER = 3;
/** Conversations served at once: well under the connector's 50 requests/s per app and tenant. */
const PARALLEL_CONVERSATIONS = 8;

/** What /healthz reports about delivery: how many notifications wait, and for how long the oldest has. */
export async function outboxBacklog(outbox: Pick<OutboxStore, 'pending'>, now: Date): Promise<{ waiting: number; oldestWaitingSeconds: number | null }> {
  const pending = await outbox.pending();
  const oldest = Math.min(...pending.map((item) => Date.parse(item.createdAt)));
  return { waiting: pending.length, oldestWaitingSeconds: pending.length > 0 ? Math.max(0, Math.round((now.getTime() - oldest) / 1000)) : null };
}

export class OutboxWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<unknown> | undefined;
  /** A nudge came while a pass was running: what it was about may have been queued too late for that pass. */
  private again = false;
  private stopped = false;
  /** Items queued claimed by this process carry this id: its own passes need not claim them again. */
  readonly instanceId = randomUUID();
  /** Conversations a pass of this process is serving (it holds all of its own until it reaches them). */
  private readonly inPass = new Map<string, number>();
  /** Per conversation, the last of this process's direct sends there: the next one waits for it. */
  private readonly directTail = new Map<string, Promise<void>>();
  /** Per conversation, when every direct send there is sent and marked (the chat is a pass's again). */
  private readonly directDone = new Map<string, Promise<void>>();
  /** Conversations where an item was left waiting (a failed send), and since when. */
  private readonly waiting = new Map<string, number>();
  /** Direct deliveries under way (stop() waits for them). */
  private readonly sending = new Set<Promise<void>>();
  /** Conversations a pass skipped, or a card was left for, while direct sends went there: a pass follows them. */
  private readonly passAfterDirect = new Set<string>();
  /**
   * Items claimed by this process for direct delivery that were left to a pass after all, and
   * since when. Until an item is here, a pass treats this process's claim on it like any other's:
   * it is on its way directly, and two sends of it would be one too many.
   */
  private readonly leftToPass = new Map<string, { since: number; target: string; until: string | undefined }>();

  constructor(private readonly deps: OutboxWorkerDeps) {}

  /** A claim for items about to be queued for direct delivery (see DirectDelivery). */
  claim(): OutboxClaim {
    return { by: this.instanceId, until: new Date(this.deps.now().getTime() + CLAIM_MS) };
  }

  /**
   * Sends items just queued under this process's claim now, without a pass: no scan of the outbox,
   * and the cards drawn from what the caller has just read. In one conversation they go after this
   * process's earlier direct sends there, in order. A conversation that a pass is serving, or
   * where something waits to be retried, is left to a pass, so nothing overtakes what was queued
   * before it there.
   */
  deliver(items: OutboxItem[], known: ReadonlyMap<string, unknown>): void {
    const mine = items.filter((item) => item.claimedBy === this.instanceId);
    if (this.stopped) return this.leaveToPass(mine);
    const byTarget = groupByTarget(mine);
    const reads = passReads(known);
    // Items not queued under this process's claim are for a pass.
    let deferred = mine.length < items.length;
    for (const [target, queue] of byTarget) {
      // A card left to a pass here (the chat was being served) is not overtaken by a later one.
      if (this.inPass.has(target) || this.waiting.has(target) || [...this.leftToPass.values()].some((left) => left.target === target)) {
        this.leaveToPass(queue);
        deferred = true;
        continue;
      }
      // New cards for a channel that is being sent to already are a burst: a pass gathers them
      // into one digest card (DIGEST_AFTER) once the sends under way are done.
      if (this.directTail.has(target) && queue.some((item) => item.target === REVIEW_CHANNEL)) {
        this.leaveToPass(queue);
        this.passAfterDirect.add(target);
        continue;
      }
      // The next sends here follow these sends; the chat stays this process's until they, and
      // every earlier direct send there, are marked too.
      const marks: Promise<boolean>[] = [];
      const sent = (this.directTail.get(target) ?? Promise.resolve())
        .then(() => this.sendInOrder(target, queue, reads, marks))
        .catch((error: unknown) => this.deps.log.warn({ ...describeError(error) }, 'direct delivery stopped; a pass sends the rest'));
      const done = Promise.all([this.directDone.get(target), sent.then(() => Promise.all(marks))]).then(() => undefined);
      this.directTail.set(target, sent);
      this.directDone.set(target, done);
      this.sending.add(done);
      void done.finally(() => {
        this.sending.delete(done);
        if (this.directDone.get(target) !== done) return;
        this.directTail.delete(target);
        this.directDone.delete(target);
        if (this.passAfterDirect.delete(target)) this.nudge();
      });
    }
    if (deferred) this.nudge();
  }

  /** Items claimed by this process for a direct send, left to a pass after all. */
  private leaveToPass(items: OutboxItem[]): void {
    for (const item of items) this.leftToPass.set(itemKey(item), { since: Date.now(), target: targetOf(item), until: item.claimedUntil });
  }

  /** One chat's direct sends, in order; each send's mark is left running in `marks`. */
  private async sendInOrder(target: string, queue: OutboxItem[], reads: PassReads, marks: Promise<boolean>[]): Promise<void> {
    for (const [i, item] of queue.entries()) {
      // An earlier send here failed meanwhile, or the claim is running out while sends before
      // it took long: the rest wait for a pass (which retries in order, or claims them anew).
      if (this.waiting.has(target) || this.stopped || !this.ownClaim(item, this.deps.now())) {
        this.leaveToPass(queue.slice(i));
        return this.nudge();
      }
      if (!(await this.deliverOne(item, reads, marks))) {
        this.waiting.set(target, Date.now());
        this.leaveToPass(queue.slice(i + 1));
        return this.nudge();
      }
    }
  }

  private hold(target: string): void {
    this.inPass.set(target, (this.inPass.get(target) ?? 0) + 1);
  }

  private release(target: string): void {
    const n = (this.inPass.get(target) ?? 1) - 1;
    if (n > 0) this.inPass.set(target, n);
    else this.inPass.delete(target);
  }

  /** One pass: sends every item that is due, each conversation's items in the order they were queued. */
  async deliverDue(): Promise<{ sent: number; failed: number }> {
    const now = this.deps.now();
    const scanned = Date.now();
    const pending = await this.deps.outbox.pending();
    const byTarget = groupByTarget(pending);
    // Nothing waits in a conversation the scan found empty (unless it failed after the scan), and
    // an item left to a pass that the scan did not find has been sent.
    for (const [target, since] of this.waiting) if (!byTarget.has(target) && since < scanned) this.waiting.delete(target);
    const found = new Set(pending.map(itemKey));
    for (const [id, left] of this.leftToPass) if (!found.has(id) && left.since < scanned) this.leftToPass.delete(id);
    let sent = 0;
    let failed = 0;
    const reads = passReads();
    // Conversations are independent, so several are served at once; within one, strictly in order.
    // A conversation this process is sending to directly is left to the next pass.
    const queues = [...byTarget].filter(([target]) => {
      if (!this.directTail.has(target)) return true;
      this.passAfterDirect.add(target);
      return false;
    });
    for (const [target] of queues) this.hold(target);
    const serveNext = async (): Promise<void> => {
      for (let next = queues.shift(); next; next = queues.shift()) {
        const [target, items] = next;
        try {
          const served = await this.serveQueue(items, now, reads, (n, f) => ((sent += n), (failed += f)));
          if (served === 'all') this.waiting.delete(target);
          else if (served === 'waiting') this.waiting.set(target, Date.now());
        } finally {
          this.release(target);
        }
      }
    };
    await Promise.all(Array.from({ length: PARALLEL_CONVERSATIONS }, serveNext));
    return { sent, failed };
  }

  /**
   * One conversation's items in order: 'all' sent, 'waiting' when one waits for a retry (direct
   * sends there wait for a pass too), 'claimed' when one is being sent by someone else.
   */
  private async serveQueue(queue: OutboxItem[], now: Date, reads: PassReads, count: (sent: number, failed: number) => void): Promise<'all' | 'waiting' | 'claimed'> {
    const burst = this.burstIn(queue, now);
    if (burst.length > DIGEST_AFTER) {
      const outcome = await this.deliverDigest(burst, now, reads);
      count(outcome.sent, outcome.failed);
      if (outcome.failed > 0) return 'waiting';
      queue = queue.filter((item) => !burst.includes(item));
    }
    for (const item of queue) {
      // A later message never overtakes an earlier one that is waiting to be retried.
      if (Date.parse(item.nextAttemptAt) > now.getTime()) return 'waiting';
      if (this.claimedElsewhere(item, now)) return 'claimed';
      // Replacing a card with its current view twice does no harm, so a card update is not
      // claimed first (one request fewer); a new message is, so that it is sent once (unless this
      // process queued it claimed and left it to a pass, with time to spare on the claim).
      const ours = this.leftOurs(item) && this.ownClaim(item, this.deps.now());
      const claimed = item.kind === 'card-update' || ours ? item : await this.deps.outbox.claim(item, new Date(now.getTime() + CLAIM_MS));
      if (!claimed) return 'claimed';
      if (!(await this.deliverOne(claimed, reads))) {
        count(0, 1);
        return 'waiting';
      }
      this.leftToPass.delete(itemKey(item));
      count(1, 0);
    }
    return 'all';
  }

  /**
   * Claimed and not run out: by another instance, by an earlier life of this process, or by this
   * process for a direct send under way (unless it was left to a pass).
   */
  private claimedElsewhere(item: OutboxItem, now: Date): boolean {
    if (!item.claimedUntil || Date.parse(item.claimedUntil) <= now.getTime()) return false;
    return !this.leftOurs(item);
  }

  /**
   * Left to a pass by this process, and still under the very claim it queued the item with: an
   * instance of an older version claims without naming itself, so the name alone is not enough.
   */
  private leftOurs(item: OutboxItem): boolean {
    const left = this.leftToPass.get(itemKey(item));
    return left !== undefined && item.claimedBy === this.instanceId && item.claimedUntil === left.until;
  }

  /** This process's claim, with at least half its time left (enough for a send); `now` is the moment of the send, not of the pass. */
  private ownClaim(item: OutboxItem, now: Date): boolean {
    return item.claimedBy === this.instanceId && Date.parse(item.claimedUntil ?? '') - now.getTime() > CLAIM_MS / 2;
  }

  /** New incident cards for a channel that are due now (before anything that must wait). */
  private burstIn(queue: OutboxItem[], now: Date): OutboxItem[] {
    if (!this.deps.digest || queue[0]?.target !== REVIEW_CHANNEL) return [];
    const due: OutboxItem[] = [];
    for (const item of queue) {
      if (Date.parse(item.nextAttemptAt) > now.getTime() || this.claimedElsewhere(item, now)) break;
      if (item.kind === 'incident-card') due.push(item);
    }
    return due;
  }

  /**
   * The burst as one card. Each item is claimed first (so one instance sends it); delivered items
   * are marked sent without an activity id: the digest is a snapshot, never replaced by one
   * incident's card update (each incident's own card, opened privately, is kept current).
   */
  private async deliverDigest(items: OutboxItem[], now: Date, reads: PassReads): Promise<{ sent: number; failed: number }> {
    const claimed: OutboxItem[] = [];
    for (const item of items) {
      const taken = this.leftOurs(item) && this.ownClaim(item, this.deps.now()) ? item : await this.deps.outbox.claim(item, new Date(now.getTime() + CLAIM_MS));
      if (taken) claimed.push(taken);
    }
    if (claimed.length === 0) return { sent: 0, failed: 0 };
    try {
      const message = await this.deps.digest!(claimed, reads);
      if (message) await this.deps.sender.send(claimed[0]!.address, message);
      for (const item of claimed) {
        await this.deps.outbox.markSent(item, undefined, this.deps.now());
        this.leftToPass.delete(itemKey(item));
        if (message) logEvent(this.deps.log, 'card.delivered', { practice: item.practiceId, reference: item.reference, kind: item.kind, attempts: item.attempts + 1, digest: true });
      }
      return { sent: claimed.length, failed: 0 };
    } catch (error) {
      const delay = retryDelay(Math.max(...claimed.map((i) => i.attempts)), error, this.deps.random ?? Math.random);
      const reason = failureReason(error);
      logEvent(this.deps.log, 'outbox.retry', { practice: claimed[0]!.practiceId, kind: 'digest', items: claimed.length, reason, retryInMs: delay });
      for (const item of claimed) await this.deps.outbox.markFailed(item, new Date(this.deps.now().getTime() + delay), reason).catch(() => undefined);
      return { sent: 0, failed: claimed.length };
    }
  }

  /**
   * Draws, sends and marks one item. With `marks` (direct sends) the mark is left running there:
   * the next send in the same chat does not wait for it (order is about what people see, and the
   * item stays claimed by this process until marked, so no pass sends it meanwhile).
   */
  private async deliverOne(item: OutboxItem, reads: PassReads, marks?: Promise<boolean>[]): Promise<boolean> {
    let activityId: string | undefined;
    let message: OutgoingMessage | undefined;
    try {
      message = await this.deps.render(item, reads);
      if (message) {
        if (item.kind === 'card-update' && item.activityId) await this.deps.sender.update(item.address, item.activityId, message);
        else activityId = (await this.deps.sender.send(item.address, message)).id;
      }
    } catch (error) {
      await this.failed(item, error);
      return false;
    }
    const marked = this.deps.outbox.markSent(item, activityId, this.deps.now()).then(
      () => {
        if (message) logEvent(this.deps.log, item.kind === 'incident-card' ? 'card.delivered' : isReminder(item) ? 'reminder.sent' : 'notification.delivered', { practice: item.practiceId, reference: item.reference, kind: item.kind, attempts: item.attempts + 1 });
        return true;
      },
      // Sent but not marked: as a failed send, tried again later (a card drawn twice is the lesser
      // harm than one lost), and the chat's next direct sends wait for that pass, in order.
      async (error: unknown) => {
        if (marks) this.waiting.set(targetOf(item), Date.now());
        await this.failed(item, error);
        return false;
      },
    );
    if (!marks) return marked;
    marks.push(marked);
    return true;
  }

  /** A send (or its mark) failed: rescheduled with backoff, an undeliverable chat recorded. */
  private async failed(item: OutboxItem, error: unknown): Promise<void> {
    const delay = retryDelay(item.attempts, error, this.deps.random ?? Math.random);
    const reason = failureReason(error);
    const permanent = error instanceof SendFailure && error.permanent;
    logEvent(this.deps.log, permanent ? 'outbox.give-up' : 'outbox.retry', { practice: item.practiceId, reference: item.reference, kind: item.kind, attempts: item.attempts + 1, reason, retryInMs: delay }, permanent ? 'warn' : 'info');
    await this.deps.outbox.markFailed(item, new Date(this.deps.now().getTime() + delay), reason).catch((e: unknown) => {
      // The claim runs out and the item is tried again: still not lost.
      this.deps.log.warn({ ...describeError(e) }, 'could not reschedule a notification');
    });
    if (permanent && this.deps.refusedForGood) {
      await this.deps.refusedForGood(item).catch((e: unknown) => this.deps.log.warn({ ...describeError(e), outboxId: item.id }, 'could not record an undeliverable chat'));
    }
  }

  /** Runs a pass now (after a decision, say) without waiting for the next tick. */
  nudge(): void {
    // Stopping: no new pass (stop() waits only for the one under way and the direct sends).
    if (this.stopped) return;
    if (this.running) {
      this.again = true;
      return;
    }
    this.running = this.deliverDue()
      .catch((error: unknown) => this.deps.log.warn({ ...describeError(error) }, 'outbox pass failed'))
      .finally(() => {
        this.running = undefined;
        if (this.again && !this.stopped) {
          this.again = false;
          this.nudge();
        }
      });
  }

  start(intervalMs: number): void {
    this.timer = setInterval(() => this.nudge(), intervalMs);
    this.timer.unref();
  }

  async stop(): Promise<void> {
    this.stopped = true;
    if (this.timer) clearInterval(this.timer);
    while (this.running) await this.running;
    await Promise.all([...this.sending]);
  }
}
