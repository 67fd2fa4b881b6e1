import type { Handling } from './handling.ts';
import type { EvidenceFile, ReportDraft, ReportFacts, Reporter } from './report.ts';

/** Where an incident is in its life (issue "Follow-through" adds the transitions). */
export const INCIDENT_STATUSES = [
  { id: 'reported', label: 'Reported, awaiting decision' },
  { id: 'awaiting-decision', label: 'Awaiting decision' },
  { id: 'in-progress', label: 'In progress' },
  { id: 'resolved', label: 'Resolved' },
  { id: 'closed', label: 'Closed' },
] as const;
export type IncidentStatus = (typeof INCIDENT_STATUSES)[number]['id'];

export interface Incident {
  practiceId: string;
  /** What a person quotes on the phone, e.g. PW-2026-0042; unique within the practice. */
  reference: string;
  status: IncidentStatus;
  reportedAt: string;
  reporter: Reporter;
  /** The draft it came from: submitting the same draft twice finds this incident again. */
  draftId: string;
  facts: ReportFacts;
  /** Routing and decisions (absent until the incident is routed). */
  handling?: Handling;
  /** The storage's concurrency token; absent on an incident not yet stored. */
  etag?: string;
}

export type NewIncident = Omit<Incident, 'reference' | 'etag'>;

export function incidentFromDraft(draft: ReportDraft, facts: ReportFacts, now: Date): NewIncident {
  return {
    practiceId: draft.practiceId,
    status: 'reported',
    reportedAt: now.toISOString(),
    reporter: draft.reporter,
    draftId: draft.id,
    facts,
  };
}

export function targetsColleague(facts: ReportFacts): boolean {
  return facts.what.namedParties.includes('colleagues') || facts.what.categories.includes('names-staff');
}

export function evidenceSummary(files: readonly EvidenceFile[]): string {
  return files.length === 0 ? 'No screenshot' : `${files.length} screenshot${files.length === 1 ? '' : 's'}`;
}

/** Posts by the same author are connected (BMA: two or more may be harassment), so authors are matched loosely. */
export function authorKey(facts: ReportFacts): string | undefined {
  const name = facts.where.authorName?.trim().toLowerCase().replace(/^@+/, '').replace(/\s+/g, ' ');
  return name ? `${facts.where.platform}:${name}` : undefined;
}
