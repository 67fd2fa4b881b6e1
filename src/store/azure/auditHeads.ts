import type { Incident } from '../../domain/incident.ts';
import type { AuditHead } from './incidentEntity.ts';

/**
 * What an update needs of the stored version of an incident: its audit chain head, its status and
 * its identity (kept as stored whatever the caller passes). Remembered for each version this
 * process has read or written, keyed by the version's ETag. An update is checked against that
 * ETag (If-Match), so what is remembered for it is exactly what is stored: the update appends to
 * the chain without reading the incident again. A version not remembered (another process wrote
 * it) is read as before. Bounded.
 */
export type StoredVersion = AuditHead &
  Pick<Incident, 'practiceId' | 'reference' | 'draftId' | 'reporter' | 'reportedAt' | 'status'> & {
    /** The counters this version added to the month's count row (none for rows from before counts). */
    countKeys?: string[];
  };

const LIMIT = 5_000;

export class AuditHeads {
  private readonly byEtag = new Map<string, StoredVersion>();

  remember(etag: string, version: StoredVersion): void {
    if (this.byEtag.size >= LIMIT) this.byEtag.delete(this.byEtag.keys().next().value!);
    this.byEtag.set(etag, version);
  }

  of(etag: string): StoredVersion | undefined {
    return this.byEtag.get(etag);
  }
}

export function versionOf(incident: Omit<Incident, 'etag' | 'facts' | 'handling'> & Partial<Incident>, head: AuditHead, countKeys?: string[]): StoredVersion {
  const { practiceId, reference, draftId, reporter, reportedAt, status } = incident;
  return { practiceId, reference, draftId, reporter, reportedAt, status, ...head, ...(countKeys ? { countKeys } : {}) };
}
