import type { Incident, NewIncident } from '../domain/incident.ts';
import type { EvidenceFile, ReportDraft } from '../domain/report.ts';

/**
 * What the bot needs from storage, and nothing more. The Azure Tables/Blob implementation is in
 * src/store/azure; tests run it against a real Azurite.
 */

/** A value read from storage together with the ETag that must accompany its next write. */
export interface Stored<T> {
  value: T;
  etag: string;
}

/** One unfinished report per person per practice. */
export interface DraftStore {
  get(practiceId: string, reporterAadObjectId: string): Promise<Stored<ReportDraft> | undefined>;
  /** Fails with ConflictError when the person already has a draft. */
  create(draft: ReportDraft): Promise<Stored<ReportDraft>>;
  /** Fails with ConflictError when the ETag is stale (someone else saved first). */
  save(draft: ReportDraft, etag: string): Promise<Stored<ReportDraft>>;
  /** Removing a draft that is already gone is not an error. */
  remove(practiceId: string, reporterAadObjectId: string): Promise<void>;
  /** Deletes drafts whose expiresAt has passed; returns how many. */
  purgeExpired(now: Date): Promise<number>;
}

export interface SubmitOutcome {
  incident: Incident;
  /** False when this draft had already been submitted (double-click, retried invoke). */
  created: boolean;
}

export interface IncidentStore {
  /**
   * Stores the incident, its reference and its first audit entry in one atomic write: either all
   * of it is stored or none. Idempotent by draftId.
   */
  submit(incident: NewIncident, actor: AuditActor): Promise<SubmitOutcome>;
  get(practiceId: string, reference: string): Promise<Incident | undefined>;
  findByDraft(practiceId: string, draftId: string): Promise<Incident | undefined>;
  /** Newest first. */
  listByReporter(practiceId: string, reporterAadObjectId: string, limit: number): Promise<Incident[]>;
  /** ETag-checked replace; fails with ConflictError when someone else wrote first. */
  update(incident: Incident, change: AuditChange): Promise<Incident>;
  auditTrail(practiceId: string, reference: string): Promise<AuditEntry[]>;
}

export interface AuditActor {
  aadObjectId: string;
  name: string;
}

export interface AuditChange {
  actor: AuditActor;
  /** A short machine-readable verb, e.g. "incident.reported", "decision.recorded". */
  action: string;
  /** Human-readable, factual. */
  summary: string;
}

export interface AuditEntry extends AuditChange {
  practiceId: string;
  reference: string;
  sequence: number;
  at: string;
  /** SHA-256 of the previous entry's hash and this entry's content: a tamper-evident chain. */
  previousHash: string;
  hash: string;
}

export interface EvidenceStore {
  /** Stores the bytes and returns their record, including the SHA-256 of exactly what was stored. */
  put(args: {
    practiceId: string;
    draftId: string;
    fileName: string;
    contentType: string;
    bytes: Buffer;
    receivedAt: Date;
  }): Promise<EvidenceFile>;
  read(blobName: string): Promise<Buffer>;
  /** Deletes every file kept for a draft that was cancelled (UK GDPR data minimisation). */
  removeForDraft(practiceId: string, draftId: string): Promise<number>;
}

/** Which practice a member of staff belongs to, learnt from configuration and from the practice's Team. */
export interface MembershipStore {
  practiceOf(aadObjectId: string): Promise<string | undefined>;
  remember(aadObjectId: string, practiceId: string, now: Date): Promise<void>;
}

export interface StorageHealth {
  check(): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export interface Stores {
  drafts: DraftStore;
  incidents: IncidentStore;
  evidence: EvidenceStore;
  memberships: MembershipStore;
  health: StorageHealth;
}

/** The write lost a race: re-read and decide again. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** Storage could not be reached or refused the request for a reason other than a conflict. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}
