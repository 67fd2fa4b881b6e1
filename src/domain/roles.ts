import { err, ok, type Result } from './result.ts';

/**
 * Who decides at a practice, by Entra object id. Bootstrapped from configuration, then changed in
 * Teams by a manager. Nobody can make themselves anything: every change is made by a manager for
 * someone else.
 */
export const ROLES = [
  { id: 'manager', label: 'practice manager', key: 'managers' },
  { id: 'deputy', label: 'deputy practice manager', key: 'deputies' },
  { id: 'dpo', label: 'Data Protection Officer', key: 'dataProtectionOfficers' },
  { id: 'safeguarding', label: 'safeguarding lead', key: 'safeguardingLeads' },
] as const;
export type RoleId = (typeof ROLES)[number]['id'];

export interface PracticeRoles {
  managers: string[];
  deputies: string[];
  dataProtectionOfficers: string[];
  safeguardingLeads?: string[];
}

export type RoleChangeError =
  | { kind: 'not-a-manager' }
  | { kind: 'self-change' }
  | { kind: 'already'; role: RoleId }
  | { kind: 'not-in-role'; role: RoleId }
  | { kind: 'last-manager' };

export function isManager(roles: PracticeRoles, aadObjectId: string): boolean {
  return has(roles.managers, aadObjectId);
}

/** The practice's Data Protection Officer (one of them, where there are several). */
export function isDpo(roles: PracticeRoles, aadObjectId: string): boolean {
  return has(roles.dataProtectionOfficers, aadObjectId);
}

/** Each person once, in the order first named and as first written: an Entra id's case does not make another person. */
export function uniquePeople(ids: readonly string[]): string[] {
  return ids.filter((id, i) => ids.findIndex((other) => same(other, id)) === i);
}

/**
 * Practice managers and deputies decide every incident; the DPO co-decides where data was
 * disclosed, the safeguarding lead where the post carries a safeguarding signal.
 */
export function canDecide(roles: PracticeRoles, aadObjectId: string, needsDpo: boolean, needsSafeguarding = false): boolean {
  return (
    has(roles.managers, aadObjectId) ||
    has(roles.deputies, aadObjectId) ||
    (needsDpo && has(roles.dataProtectionOfficers, aadObjectId)) ||
    (needsSafeguarding && has(roles.safeguardingLeads ?? [], aadObjectId))
  );
}

/** Manager, deputy or DPO: the people who may see the practice's register. */
export function holdsRole(roles: PracticeRoles, aadObjectId: string): boolean {
  return (
    has(roles.managers, aadObjectId) ||
    has(roles.deputies, aadObjectId) ||
    has(roles.dataProtectionOfficers, aadObjectId) ||
    has(roles.safeguardingLeads ?? [], aadObjectId)
  );
}

export function changeRole(
  roles: PracticeRoles,
  actor: string,
  change: { add: boolean; role: RoleId; person: string },
): Result<PracticeRoles, RoleChangeError> {
  if (!isManager(roles, actor)) return err({ kind: 'not-a-manager' });
  if (same(actor, change.person)) return err({ kind: 'self-change' });
  const key = ROLES.find((r) => r.id === change.role)!.key;
  const current = roles[key] ?? [];
  if (change.add) {
    if (has(current, change.person)) return err({ kind: 'already', role: change.role });
    return ok({ ...roles, [key]: [...current, change.person] });
  }
  if (!has(current, change.person)) return err({ kind: 'not-in-role', role: change.role });
  const remaining = current.filter((id) => !same(id, change.person));
  if (change.role === 'manager' && remaining.length === 0) return err({ kind: 'last-manager' });
  return ok({ ...roles, [key]: remaining });
}

/**
 * Configuration always applies: the roles in force are those configured (POSTWATCH_MANAGERS, the
 * practices file) together with those added in Teams. Neither can hide the other.
 */
export function withConfigured(stored: PracticeRoles, configured: PracticeRoles): PracticeRoles {
  const union = (a: readonly string[] = [], b: readonly string[] = []) => [...a, ...b].filter((id, i, all) => all.findIndex((x) => same(x, id)) === i);
  return {
    managers: union(configured.managers, stored.managers),
    deputies: union(configured.deputies, stored.deputies),
    dataProtectionOfficers: union(configured.dataProtectionOfficers, stored.dataProtectionOfficers),
    safeguardingLeads: union(configured.safeguardingLeads, stored.safeguardingLeads),
  };
}

/** What Teams added on top of configuration: what is kept in storage (so a change of configuration takes effect). */
export function withoutConfigured(roles: PracticeRoles, configured: PracticeRoles): PracticeRoles {
  const minus = (a: readonly string[] = [], b: readonly string[] = []) => a.filter((id) => !has(b, id));
  return {
    managers: minus(roles.managers, configured.managers),
    deputies: minus(roles.deputies, configured.deputies),
    dataProtectionOfficers: minus(roles.dataProtectionOfficers, configured.dataProtectionOfficers),
    safeguardingLeads: minus(roles.safeguardingLeads, configured.safeguardingLeads),
  };
}

/** True when the person holds the role through configuration (which Teams cannot undo). */
export function isConfiguredIn(configured: PracticeRoles, role: RoleId, person: string): boolean {
  const key = ROLES.find((r) => r.id === role)!.key;
  return has(configured[key] ?? [], person);
}

function has(list: readonly string[], id: string): boolean {
  return list.some((x) => same(x, id));
}

function same(a: string, b: string): boolean {
  return a.toLowerCase() === b.toLowerCase();
}
