import type { Practice } from '../domain/practice.ts';
import type { PracticeRoles } from '../domain/roles.ts';
import type { PracticeStore } from '../store/ports.ts';

/** The roles configuration gives a practice: always in force, whatever was added in Teams. */
export function bootstrapRoles(practice: Practice): PracticeRoles {
  return {
    managers: practice.managers,
    deputies: practice.deputies,
    dataProtectionOfficers: practice.dataProtectionOfficers,
    safeguardingLeads: practice.safeguardingLeads ?? [],
  };
}

/**
 * Who holds which role at a practice now: configuration's roles with what was added or removed in
 * Teams (stored), read at the moment of asking so a change of roles takes effect at once.
 */
export async function rolesOf(practices: Pick<PracticeStore, 'roles'>, practice: Practice): Promise<PracticeRoles> {
  return (await practices.roles(practice.id, bootstrapRoles(practice))).value;
}
