import type { Practice } from '../domain/practice.ts';
import type { PracticeRoles } from '../domain/roles.ts';
import type { Stores } from '../store/ports.ts';
import { rolesOf } from './practiceRoles.ts';

/**
 * Is each practice ready for a real report? Who holds each role (counts), whether the people who
 * decide can be reached (a 1:1 chat with Postwatch is known) and whether a review channel is set,
 * with a warning for each thing missing. Counts only: no names, no ids, so it can be printed at
 * start-up and served on /healthz.
 */
export interface PracticeReadiness {
  id: string;
  managers: number;
  deputies: number;
  dpos: number;
  safeguardingLeads: number;
  /** Distinct people holding any role whose 1:1 chat with Postwatch is known. */
  reachableDeciders: number;
  reviewChannel: boolean;
  warnings: string[];
}

export async function practiceReadiness(stores: Pick<Stores, 'practices'>, practice: Practice): Promise<PracticeReadiness> {
  const roles = await rolesOf(stores.practices, practice);
  const reachable = await reachablePeople(stores, practice.id, roles);
  const reviewChannel = (await stores.practices.reviewChannel(practice.id)) !== undefined;
  const counts = {
    managers: roles.managers.length,
    deputies: roles.deputies.length,
    dpos: roles.dataProtectionOfficers.length,
    safeguardingLeads: (roles.safeguardingLeads ?? []).length,
  };
  return { id: practice.id, ...counts, reachableDeciders: reachable.all, reviewChannel, warnings: warningsFor(counts, reachable, reviewChannel) };
}

async function reachablePeople(stores: Pick<Stores, 'practices'>, practiceId: string, roles: PracticeRoles): Promise<{ all: number; alerted: number }> {
  const alertedRoles = new Set([...roles.managers, ...roles.deputies].map((id) => id.toLowerCase()));
  const everyone = [...alertedRoles, ...[...roles.dataProtectionOfficers, ...(roles.safeguardingLeads ?? [])].map((id) => id.toLowerCase())];
  let all = 0;
  let alerted = 0;
  for (const id of new Set(everyone)) {
    if (!(await stores.practices.userChat(practiceId, id))) continue;
    all++;
    if (alertedRoles.has(id)) alerted++;
  }
  return { all, alerted };
}

function warningsFor(
  counts: { managers: number; deputies: number; dpos: number; safeguardingLeads: number },
  reachable: { alerted: number },
  reviewChannel: boolean,
): string[] {
  const warnings: string[] = [];
  if (counts.managers === 0) warnings.push('No practice manager: set POSTWATCH_MANAGERS or "managers" in the practices file. Nobody can decide on a report.');
  if (counts.deputies === 0) warnings.push('No deputy practice manager: a manager can type "add deputy @name" in the practice\'s Team.');
  if (counts.dpos === 0) warnings.push('No Data Protection Officer: reports that disclose personal data have nobody to co-decide ("add dpo @name").');
  if (counts.safeguardingLeads === 0) warnings.push('No safeguarding lead: posts with a safeguarding signal go to the managers only ("add safeguarding lead @name").');
  if (reachable.alerted === 0) {
    warnings.push(
      'No manager or deputy can be reached: none has a 1:1 chat with Postwatch yet, so risk alerts and incident cards reach nobody. Install the app for them (Teams app setup policy) and ask them to say "help" to the bot.',
    );
  }
  if (!reviewChannel) warnings.push('No incident-review channel: a manager can type "use this channel for incident review" in the channel to use.');
  return warnings;
}

/** How long /healthz serves the same readiness: anyone may ask for it, as often as they like. */
export const READINESS_FOR_MS = 60_000;

/**
 * Readiness of every practice, read from storage at most once a minute however many ask: requests
 * that arrive while it is being read share that one read. A failed read is not kept.
 */
export class CachedReadiness {
  private latest: { at: number; value: Promise<PracticeReadiness[]> } | undefined;

  constructor(
    private readonly read: () => Promise<PracticeReadiness[]>,
    private readonly now: () => Date,
    private readonly forMs = READINESS_FOR_MS,
  ) {}

  get(): Promise<PracticeReadiness[]> {
    const at = this.now().getTime();
    if (this.latest && at - this.latest.at < this.forMs) return this.latest.value;
    const value = this.read();
    const latest = { at, value };
    this.latest = latest;
    value.catch(() => {
      if (this.latest === latest) this.latest = undefined;
    });
    return value;
  }
}
