import type { LeaseStore } from '../store/ports.ts';

/** A background job's lease: its name in storage and how long one run may hold it. */
export interface JobLease {
  name: string;
  ms: number;
}

/**
 * Of several instances one runs a job: true when this instance now holds the job's lease, from
 * `now` for the lease's length (taken, or renewed by the same instance).
 */
export function holdsJobLease(leases: Pick<LeaseStore, 'acquire'>, lease: JobLease, instanceId: string, now: Date): Promise<boolean> {
  return leases.acquire(lease.name, instanceId, now, new Date(now.getTime() + lease.ms));
}
