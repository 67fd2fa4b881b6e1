import { SETTINGS } from './settings.ts';
import type { Person } from './teams.ts';

/** The people: the configured practices (one manager each) and the simulated staff. */

export interface PracticeSpec {
  id: string;
  teamId: string;
  manager: Person;
}

const configured = Math.max(SETTINGS.practices, SETTINGS.shapes.includes('federation') ? SETTINGS.federation.practices : 1);
/** Every practice in the server's configuration; a run uses the first `active` of them. */
export const allPractices: PracticeSpec[] = Array.from({ length: configured }, (_, i) => ({
  id: `bench-${i + 1}`,
  teamId: `19:team-bench-${i + 1}@thread.tacv2`,
  manager: { id: `29:manager-${i + 1}`, aadObjectId: `aad-manager-${i + 1}`, name: `Manager ${i + 1}` },
}));
export const staffMember = (i: number): Person => ({ id: `29:staff-${i}`, aadObjectId: `aad-staff-${i}`, name: `Staff ${i}` });
let practices: PracticeSpec[] = allPractices.slice(0, SETTINGS.practices);
/** The practices the current run uses: the first `count` configured (BENCH_PRACTICES again when a run ends). */
export function usePractices(count = SETTINGS.practices): void {
  practices = allPractices.slice(0, count);
}
export const activePractices = (): PracticeSpec[] => practices;
export const practiceOf = (i: number): PracticeSpec => practices[i % practices.length]!;
