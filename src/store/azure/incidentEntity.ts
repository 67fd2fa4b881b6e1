import type { Handling } from '../../domain/handling.ts';
import { authorKey, INCIDENT_STATUSES, type Incident, type IncidentStatus } from '../../domain/incident.ts';
import { postKeyOf } from '../../domain/rereport.ts';
import { decisionDue } from '../../domain/handling.ts';
import type { ReportFacts } from '../../domain/report.ts';
import { londonYear } from '../../domain/ukTime.ts';
import { getJson, key, numberProp, putJson, stringProp } from './entities.ts';

/**
 * How an incident and its companions are laid out in the practice's partition of the incidents
 * table. RowKeys by kind:
 *   incident|PW-2026-0042          the incident (flat columns + facts as JSON)
 *   draft|<draftId>                submission marker: this draft became that reference
 *   counter|reference|2026         the next sequence number for the year
 *   audit|PW-2026-0042|000001      audit entries (auditChain.ts)
 *   refusal|PW-2026-0042|<aad>|<hour>   refused presses counted (see refusalRowKey)
 *   count|…, author|…              monthly counts and the author index (incidentCounts.ts)
 */

export type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

export const INCIDENT_ROWS = { from: 'incident|', to: 'incident}' } as const;

export function incidentRowKey(reference: string): string {
  return `incident|${reference}`;
}

/** The register's own small row for each incident that is not closed (a projection). */
export const OPEN_ROWS = { from: 'open|', to: 'open}' } as const;

export function openRowKey(reference: string): string {
  return `open|${reference}`;
}

/**
 * What the register needs of an open incident, without the post text or the grading's reasons,
 * written in the same transaction as the incident so it is never out of step.
 */
export function toOpenEntity(incident: Omit<Incident, 'etag'>): Entity {
  const entity: Entity = {
    partitionKey: key(incident.practiceId),
    rowKey: openRowKey(incident.reference),
    kind: 'open',
    reference: incident.reference,
    status: incident.status,
    reportedAt: incident.reportedAt,
    platform: incident.facts.where.platform,
    atRisk: incident.facts.risk.atRisk,
  };
  const h = incident.handling;
  if (h) {
    const grading = h.grading
      ? { ...h.grading, actions: [], warnings: [], matchedRules: [] }
      : undefined;
    putJson(entity, 'handling', {
      version: h.version,
      ...(grading ? { grading } : {}),
      ...(h.assignedTo ? { assignedTo: h.assignedTo } : {}),
      ...(h.decision ? { decision: { kind: h.decision.kind, by: h.decision.by, at: h.decision.at } } : {}),
      ...(h.tasks ? { tasks: h.tasks.map(({ outcome: _o, ...task }) => task) } : {}),
    });
  }
  return entity;
}

export function draftMarkerRowKey(draftId: string): string {
  return `draft|${key(draftId)}`;
}

/**
 * How many times one person was refused on one incident in one window (a collapsed refusal: the
 * first is in the audit chain, the count is here, beside the incident). Keyed by reference first,
 * so everything kept for an incident can be found by its reference.
 */
export const REFUSAL_ROWS = { from: 'refusal|', to: 'refusal}' } as const;

export function refusalRowKey(reference: string, aadObjectId: string, windowStart: Date): string {
  return `refusal|${reference}|${key(aadObjectId.toLowerCase())}|${windowStart.toISOString()}`;
}

/** Every refusal row of one incident (the reference is followed by '|', so PW-…-0042 is not PW-…-00421). */
export function refusalRowRange(reference: string): { from: string; to: string } {
  return { from: `refusal|${reference}|`, to: `refusal|${reference}}` };
}

export function counterRowKey(year: number): string {
  return `counter|reference|${year}`;
}

/** The head of the audit chain is kept on the incident, so an update appends without a scan. */
export interface AuditHead {
  auditSequence: number;
  auditHash: string;
}

export function toIncidentEntity(incident: Omit<Incident, 'etag'>, head: AuditHead): Entity {
  const entity: Entity = {
    partitionKey: key(incident.practiceId),
    rowKey: incidentRowKey(incident.reference),
    kind: 'incident',
    reference: incident.reference,
    status: incident.status,
    reportedAt: incident.reportedAt,
    reporterAadObjectId: incident.reporter.aadObjectId,
    reporterName: incident.reporter.name,
    platform: incident.facts.where.platform,
    draftId: incident.draftId,
    auditSequence: head.auditSequence,
    auditHash: head.auditHash,
    // Flat columns the routing sweep and the repeat-author count filter on.
    routed: incident.handling?.routedAt !== undefined,
    authorKey: authorKey(incident.facts) ?? '',
    postKey: postKeyOf(incident.facts) ?? '',
    // Flat copies for the practice summary, so it reads a few columns rather than every JSON.
    severity: incident.handling?.grading?.severity ?? '',
    categories: incident.facts.what.categories.join(','),
    atRisk: incident.facts.risk.atRisk,
    // Response figures for the summary: when it was decided, and when the decision fell due.
    decidedAt: incident.handling?.decision?.at ?? '',
    decisionDueAt: decisionDue(incident)?.toISOString() ?? '',
  };
  putJson(entity, 'facts', incident.facts);
  if (incident.handling) putJson(entity, 'handling', incident.handling);
  return entity;
}

export function fromIncidentEntity(practiceId: string, entity: Record<string, unknown>, etag: string): Incident {
  const facts = getJson<ReportFacts>(entity, 'facts');
  if (facts === undefined) throw new Error('Stored incident has no facts.');
  const handling = getJson<Handling>(entity, 'handling');
  return {
    practiceId,
    reference: stringProp(entity, 'reference'),
    status: statusOf(stringProp(entity, 'status')),
    reportedAt: stringProp(entity, 'reportedAt'),
    reporter: { aadObjectId: stringProp(entity, 'reporterAadObjectId'), name: stringProp(entity, 'reporterName') },
    draftId: stringProp(entity, 'draftId'),
    facts,
    ...(handling ? { handling } : {}),
    etag,
  };
}

export function auditHeadOf(entity: Record<string, unknown>): AuditHead {
  return { auditSequence: numberProp(entity, 'auditSequence'), auditHash: stringProp(entity, 'auditHash') };
}

function statusOf(value: string): IncidentStatus {
  const known = INCIDENT_STATUSES.find((s) => s.id === value);
  if (!known) throw new Error('Stored incident has an unknown status.');
  return known.id;
}

/** The UK year an incident's reference is numbered in; a reportedAt that is no instant is refused, not numbered. */
export function referenceYear(reportedAt: string): number {
  const at = new Date(reportedAt);
  if (Number.isNaN(at.getTime())) throw new Error('reportedAt is not a valid instant.');
  return londonYear(at);
}
