import type { IncidentStatus } from '../domain/incident.ts';
import type { SeverityId } from '../domain/policy/schema.ts';

/** One line of the register: what it is, how serious, and who owns the next step. Built in app, drawn in views. */
export interface RegisterRow {
  practiceId: string;
  reference: string;
  version: number;
  severity: SeverityId | undefined;
  status: IncidentStatus;
  reportedAt: string;
  platform: string;
  nextStep: string;
  nextStepDue?: string;
  overdue: boolean;
  urgent: boolean;
}
