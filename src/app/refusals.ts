import type { Person } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { parseReference } from '../domain/reference.ts';
import type { Logger } from '../log.ts';
import type { IncidentStore } from '../store/ports.ts';
import { INCIDENT_VERBS } from '../contract/cards.ts';
import type { Notice } from './reporting.ts';

/**
 * What happens to a press that is refused (see src/domain/sight.ts for who sees what).
 *
 * - Outside the practice (another practice's staff, nobody's staff, a card naming a practice the
 *   asker does not act for, a reference that is not there): nothing is written to any practice's
 *   trail — a stranger must not be able to fill a practice's audit chain — the press is logged with
 *   ids only, and counted against the person.
 * - The practice's own staff, on one of its incidents: audited, collapsed. The audit chain is
 *   append-only and hash-chained, so an entry cannot be edited to raise its count. The FIRST
 *   refusal of a person on an incident in each clock hour is appended to the chain (who, which
 *   verb, from where, when — the fact an auditor needs, tamper-evident); every refusal of that
 *   hour, the first included, is counted in a refusal row kept beside the incident (same partition,
 *   same retention), and each is logged with ids and the running count. The chained entry says so,
 *   so a reader of the trail knows where the count is: the trail stays readable however often
 *   someone presses, and nothing is lost from it.
 * - Every refusal counts against the person in memory; past REFUSAL_LIMIT in REFUSAL_WINDOW_MS
 *   they get the same notice without any storage read or write until the window ends.
 */

/** The one answer to anyone who may not see an incident: no content, the same whether it exists or not. */
export const NOT_YOURS = 'Postwatch has nothing to show you for that. Incident details are shown only to the people who handle them.';

export const REFUSAL_LIMIT = 20;
export const REFUSAL_WINDOW_MS = 10 * 60_000;
/** People remembered by the limiter; the least recently refused is forgotten first. */
export const REFUSALS_REMEMBERED = 10_000;
const HOUR_MS = 3_600_000;

/** Counts refused presses per person, in bounded memory. */
export class RefusalLimiter {
  private readonly counts = new Map<string, { count: number; since: number }>();

  constructor(
    private readonly now: () => Date,
    private readonly limit = REFUSAL_LIMIT,
    private readonly windowMs = REFUSAL_WINDOW_MS,
    private readonly capacity = REFUSALS_REMEMBERED,
  ) {}

  /** True while the person has used up their refusals for this window. */
  limited(aadObjectId: string): boolean {
    const entry = this.current(aadObjectId.toLowerCase());
    return entry !== undefined && entry.count >= this.limit;
  }

  /** One more refusal; returns the count in the current window. */
  count(aadObjectId: string): number {
    const id = aadObjectId.toLowerCase();
    const entry = this.current(id) ?? { count: 0, since: this.now().getTime() };
    entry.count += 1;
    // Re-inserted so the Map's order is least recently refused first.
    this.counts.delete(id);
    this.counts.set(id, entry);
    while (this.counts.size > this.capacity) this.counts.delete(this.counts.keys().next().value!);
    return entry.count;
  }

  /** How many people are remembered (for tests of the bound). */
  get size(): number {
    return this.counts.size;
  }

  private current(id: string): { count: number; since: number } | undefined {
    const entry = this.counts.get(id);
    if (entry && this.now().getTime() - entry.since >= this.windowMs) {
      this.counts.delete(id);
      return undefined;
    }
    return entry;
  }
}

export interface RefusalIds {
  /** The practice the asker acts for, if any. */
  askerPracticeId: string | undefined;
  /** A known verb, or 'other': never the raw string from the card. */
  verb: string;
  /** From the card: logged only if it is a configured practice. */
  cardPracticeId?: string;
  /** From the card: logged only in reference form. */
  reference?: string;
}

export class Refusals {
  constructor(
    private readonly deps: {
      incidents: Pick<IncidentStore, 'countRefusal' | 'appendAudit'>;
      limiter: RefusalLimiter;
      now: () => Date;
      isPractice: (id: string) => boolean;
      log?: Logger;
    },
  ) {}

  limited(aadObjectId: string): boolean {
    return this.deps.limiter.limited(aadObjectId);
  }

  /** Someone outside the practice, or no such incident: logged (ids only) and counted, never audited. */
  outsider(aadObjectId: string, ids: RefusalIds): void {
    const count = this.deps.limiter.count(aadObjectId);
    this.deps.log?.warn(
      {
        aadObjectId: idOnly(aadObjectId),
        askerPracticeId: ids.askerPracticeId ?? 'none',
        verb: ids.verb,
        cardPracticeId: ids.cardPracticeId && this.deps.isPractice(ids.cardPracticeId) ? ids.cardPracticeId : 'unknown',
        reference: ids.reference ? (parseReference(ids.reference) ?? 'malformed') : 'none',
        refusedInWindow: count,
        limited: this.deps.limiter.limited(aadObjectId),
      },
      'incident press refused: not for this person',
    );
  }

  /** One of the practice's own staff, on one of its incidents: audited, one chained entry per hour. */
  async staff(incident: Incident, actor: Person, verb: string, from: string, action = 'decision.refused'): Promise<void> {
    this.deps.limiter.count(actor.aadObjectId);
    const now = this.deps.now();
    const windowStart = new Date(Math.floor(now.getTime() / HOUR_MS) * HOUR_MS);
    const count = await this.deps.incidents.countRefusal(incident.practiceId, incident.reference, actor.aadObjectId, windowStart, now);
    if (count === 1) {
      const until = new Date(windowStart.getTime() + HOUR_MS);
      await this.deps.incidents.appendAudit(incident.practiceId, incident.reference, {
        actor,
        action,
        summary: `Refused "${verb}": not allowed for this person at this practice${from}. Further refusals of this person on this incident until ${until.toISOString()} are counted with this one in the refusal record kept beside the incident, not listed.`,
      });
    }
    // Who pressed is in the audit trail; the log line carries no person's id.
    this.deps.log?.info({ practiceId: incident.practiceId, reference: incident.reference, verb, refusedThisHour: count }, 'incident press refused: audited');
  }
}

/** What a member of the practice's staff is told when a press is refused (on their own view). */
export function refusalNotice(verb: string): Notice {
  const who =
    verb === INCIDENT_VERBS.reopen
      ? 'Only a practice manager can reopen an incident.'
      : verb === INCIDENT_VERBS.taskDone
        ? 'Only the owner of that action, or a practice manager, deputy or Data Protection Officer, can mark it done.'
        : verb === INCIDENT_VERBS.answer
          ? 'Only the person who reported this can answer.'
          : 'Only the practice manager, deputy or Data Protection Officer can decide on this incident.';
  return { tone: 'attention', text: `${who} Your attempt has been recorded.` };
}

/** An Entra object id is a GUID; anything else is not written to the log as given. */
function idOnly(aadObjectId: string): string {
  return /^[A-Za-z0-9-]{1,64}$/.test(aadObjectId) ? aadObjectId : 'malformed';
}
