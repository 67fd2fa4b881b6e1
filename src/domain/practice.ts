/**
 * A GP practice using Postwatch. NHSmail practices share one Microsoft 365 tenant, so a practice
 * is known by the Team the bot is installed in and by configuration, never by the tenant id.
 */
export interface Practice {
  id: string;
  name: string;
  /** Teams team ids (19:...@thread.tacv2) that belong to this practice. */
  teamIds: string[];
  /** Entra object ids of staff known from configuration (more are learnt from the practice's Team). */
  staff: string[];
  phone?: string;
  email?: string;
  /** Where a targeted colleague can get support, shown on the confirmation card. */
  supportText?: string;
  /** Names of staff, so the reply guard can stop a public reply that names one. */
  staffNames: string[];
  /** The practice's own policy file, changing the default policy (src/policy). */
  policyFile?: string;
  /** Who decides, by Entra object id: bootstrapped from configuration, then changed in Teams. */
  managers: string[];
  deputies: string[];
  dataProtectionOfficers: string[];
  /** Told of, and co-decide, posts with a safeguarding signal (DESIGN). */
  safeguardingLeads?: string[];
}

export interface PracticeDirectory {
  practices: Practice[];
  /** Single-practice deployments: everyone who talks to the bot belongs to this practice. */
  defaultPracticeId?: string;
}

export function practiceById(directory: PracticeDirectory, id: string): Practice | undefined {
  return directory.practices.find((p) => p.id === id);
}

export function practiceForTeam(directory: PracticeDirectory, teamId: string | undefined): Practice | undefined {
  if (!teamId) return undefined;
  return directory.practices.find((p) => p.teamIds.includes(teamId));
}

export function practiceForConfiguredStaff(directory: PracticeDirectory, aadObjectId: string): Practice | undefined {
  const needle = aadObjectId.toLowerCase();
  const known = (p: Practice) => [...p.staff, ...p.managers, ...p.deputies, ...p.dataProtectionOfficers, ...(p.safeguardingLeads ?? [])];
  return directory.practices.find((p) => known(p).some((s) => s.toLowerCase() === needle));
}
