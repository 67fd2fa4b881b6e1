import type { Handling } from '../domain/handling.ts';
import type { Incident, IncidentStatus, NewIncident } from '../domain/incident.ts';
import type { EvidenceFile, ReportDraft } from '../domain/report.ts';
import type { PracticeRoles } from '../domain/roles.ts';
import type { SummaryInput } from '../domain/summary.ts';

import type { OutboxStore } from './outboxPort.ts';

export * from './outboxPort.ts';

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
  /**
   * For the audit verifier and the evidence pack: incidents with their audit rows exactly as
   * stored (row-key order, damaged rows read as far as they can be), one practice (or one
   * incident) or every practice, practice by practice and by reference. Audit rows whose
   * incident row is missing are yielded too. Not for showing incidents to people.
   */
  auditRecords(scope: AuditScope): AsyncIterable<AuditRecord>;
  /** An audit entry with no other change (e.g. a refused attempt), appended to the incident's chain. */
  appendAudit(practiceId: string, reference: string, change: AuditChange): Promise<void>;
  /**
   * Incidents at this practice reported at or before the given instant by the same author
   * (authorKey) or of the same link (postKey): re-reports and the repeat-poster count
   * (domain/rereport.ts). The caller leaves out the incident itself.
   */
  /** `except`: the reference asking (its own index rows are in range; it is not read back). */
  earlierReports(practiceId: string, match: { authorKey?: string; postKey?: string }, before: string, except?: string): Promise<Incident[]>;
  /**
   * Counts one refused press by a person on an incident within the window that starts at
   * `windowStart` (kept beside the incident, in its partition); returns the count including this
   * one, so 1 means the first refusal of the window.
   */
  countRefusal(practiceId: string, reference: string, aadObjectId: string, windowStart: Date, at: Date): Promise<number>;
  /**
   * A practice's incidents whose routing has not finished (the routing sweep): read from its
   * register rows, so the sweep never scans the table.
   */
  listUnrouted(practiceId: string, limit: number): Promise<OpenIncident[]>;
  /** A practice's incidents that are not closed, without the report's facts (the register). */
  /** `status`: only the open incidents in that status (the summary's overdue count reads those awaiting a decision). */
  listOpen(practiceId: string, status?: OpenIncident['status']): Promise<OpenIncident[]>;
  /**
   * A practice's incidents waiting for a decision or a follow-up action (the reminder job), from
   * its register rows: what is overdue is worked out from those alone.
   */
  listActive(practiceId: string): Promise<OpenIncident[]>;
  /** The few flat facts of every incident of a practice reported since an instant (a full scan). */
  listSummaryRows(practiceId: string, since: string): Promise<SummaryRow[]>;
  /**
   * The summary's counters (see domain/summary.ts countKeysOf) by month "YYYY-MM", from a month
   * on: kept with every change of an incident, so reading them does not grow with the history.
   */
  summaryCounts(practiceId: string, fromMonth: string): Promise<Map<string, Map<string, number>>>;
  /** A practice's incidents reported in [from, to) (the register export), oldest first. */
  listReportedBetween(practiceId: string, from: string, to: string): Promise<Incident[]>;
  /** Closed incidents of one practice, or of every practice (the retention job). */
  listClosed(practiceId?: string): Promise<Incident[]>;
  /**
   * Deletes the incident row (ETag-checked: ConflictError if it changed since it was read) and
   * appends the tombstone entry to its chain, atomically. finishErasure removes the rest.
   */
  erase(incident: Incident, tombstone: AuditChange): Promise<AuditEntry>;
  /** Removes the older audit entries and companion rows of an erased incident; safe to repeat. */
  finishErasure(practiceId: string, reference: string): Promise<number>;
  /** Erasures whose second step did not finish, across practices. */
  pendingErasures(): Promise<PendingErasure[]>;
}

/** An erased incident whose screenshots, outbox rows and old audit rows may still be there. */
export interface PendingErasure {
  practiceId: string;
  reference: string;
  draftId: string;
}

/** What the register shows of an open incident: no post text, so a page is read quickly. */
export interface OpenIncident {
  practiceId: string;
  reference: string;
  status: IncidentStatus;
  reportedAt: string;
  platform: string;
  atRisk: boolean;
  handling?: Handling;
}

/** The flat facts the practice summary counts, with the incident they belong to. */
export type SummaryRow = SummaryInput & { reference: string };

/** A time-limited lease, so that of several instances only one runs a job at a time. */
export interface LeaseStore {
  /** True if this holder now has the lease until `until` (taken, or renewed, with an ETag check). */
  acquire(name: string, holder: string, now: Date, until: Date): Promise<boolean>;
  /**
   * Marks `name` used, once across every instance (insert if absent): true the first time, false
   * ever after. Used for single-use links; `until` says when the mark may be purged.
   */
  useOnce(name: string, until: Date): Promise<boolean>;
  /** Deletes marks whose `until` has passed; returns how many. */
  purgeUsed(now: Date): Promise<number>;
}

/**
 * Where a proactive message goes: a Bot Framework conversation reference, kept as plain JSON so
 * the store knows nothing of botbuilder.
 */
export interface ConversationAddress {
  reference: Record<string, unknown>;
  /** The Teams user id (29:...) of a 1:1 chat, used for card refresh. */
  teamsUserId?: string;
}

/** A subject access or erasure request, with its one-month deadline (UK GDPR Art. 12(3)). */
export interface RecordsRequest {
  practiceId: string;
  /** e.g. SAR-20261130-3f9a: what the DPO quotes. */
  id: string;
  kind: 'subject-access' | 'erasure';
  /** The name, handle or Entra object id the request is about, as typed. */
  subject: string;
  receivedAt: string;
  dueAt: string;
  recordedBy: { aadObjectId: string; name: string };
  status: 'open' | 'answered';
  answeredAt?: string;
  answeredBy?: { aadObjectId: string; name: string };
  /** Erasure: the DPO's decision and why, as recorded. */
  decision?: string;
}

/** Practice set-up kept in storage: roles, the review channel, and people's 1:1 chats. */
export interface PracticeStore {
  /**
   * The roles in force: those configured (always) together with those added in Teams and stored.
   * The ETag is the stored part's.
   */
  roles(practiceId: string, configured: PracticeRoles): Promise<Stored<PracticeRoles>>;
  /** Stores the roles added in Teams (give it only those: configured ones apply anyway). ETag-checked; audited. */
  saveRoles(practiceId: string, roles: PracticeRoles, etag: string, change: AuditChange): Promise<void>;
  reviewChannel(practiceId: string): Promise<ConversationAddress | undefined>;
  setReviewChannel(practiceId: string, address: ConversationAddress, change: AuditChange): Promise<void>;
  /** The person's 1:1 chat; undefined when unknown or marked not working (nothing sent there arrives). */
  userChat(practiceId: string, aadObjectId: string): Promise<ConversationAddress | undefined>;
  /** Keeps the person's 1:1 chat; clears a "not working" mark (they just talked to the bot there). */
  rememberUserChat(practiceId: string, aadObjectId: string, address: ConversationAddress): Promise<void>;
  /**
   * The connector refused a send to this chat for good (403/404: app removed, chat gone). Marks the
   * stored chat not working if it is still the one that failed (same conversation id).
   */
  markChatNotWorking(practiceId: string, aadObjectId: string, conversationId: string | undefined): Promise<void>;
  /** Keeps a subject access or erasure request (created or updated). */
  saveRecordsRequest(request: RecordsRequest): Promise<void>;
  /** Requests of one practice, or of every practice (the reminder job). */
  recordsRequests(practiceId?: string): Promise<RecordsRequest[]>;
  /** A practice-level audit entry with no other change (an export or a subject access pack issued or downloaded). */
  audit(practiceId: string, change: AuditChange): Promise<void>;
  /** Practice-level audit (role changes, channel set-up), oldest first. */
  practiceAudit(practiceId: string): Promise<Array<AuditChange & { at: string }>>;
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

/** Which incidents an audit check covers: every practice, one practice, or one incident. */
export type AuditScope = { practiceId?: undefined; reference?: undefined } | { practiceId: string; reference?: string };

/** One incident's audit chain as stored, for checking it (see IncidentStore.auditRecords). */
export interface AuditRecord {
  practiceId: string;
  reference: string;
  /** The incident as stored; absent when its row is missing or cannot be read. */
  incident?: Incident;
  /** Why the incident row could not be read, when it is there but damaged. */
  incidentProblem?: string;
  /** The chain head recorded on the incident row: its last audit entry's sequence and hash. */
  head?: { sequence: number; hash: string };
  /**
   * The audit rows in storage (row-key) order, not sorted by their sequence property; a missing
   * or damaged field reads as '' (text) or NaN (sequence).
   */
  trail: AuditEntry[];
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

/** A file someone sent with a report, before it is stored. */
export interface NewEvidence {
  practiceId: string;
  draftId: string;
  fileName: string;
  contentType: string;
  bytes: Buffer;
  receivedAt: Date;
}

export interface EvidenceStore {
  /** Stores the bytes and returns their record, including the SHA-256 of exactly what was stored. */
  put(args: NewEvidence): Promise<EvidenceFile>;
  read(blobName: string): Promise<Buffer>;
  /** Deletes every file kept for a draft that was cancelled (UK GDPR data minimisation). */
  removeForDraft(practiceId: string, draftId: string): Promise<number>;
}

/** Which practice a member of staff belongs to, learnt from configuration and from the practice's Team. */
export interface MembershipStore {
  practiceOf(aadObjectId: string): Promise<string | undefined>;
  remember(aadObjectId: string, practiceId: string, now: Date): Promise<void>;
}

/**
 * A daily digest of every audit chain head of a practice (src/app/auditSeal.ts). Its first hex
 * digits are also posted in the practice's review channel: a witness outside the storage account.
 */
export interface AuditSeal {
  practiceId: string;
  /** The UK calendar day it seals, YYYY-MM-DD. */
  day: string;
  sealedAt: string;
  /** SHA-256 over the sorted heads (auditSeal.ts, sealDigest). */
  digest: string;
  heads: SealedHead[];
}

export interface SealedHead {
  reference: string;
  sequence: number;
  hash: string;
}

export interface SealStore {
  /** Keeps a seal and returns the one kept: the same practice and day twice keeps the first. */
  put(seal: AuditSeal): Promise<AuditSeal>;
  /** The practice's newest seal. */
  latest(practiceId: string): Promise<AuditSeal | undefined>;
  /** Seals whose digest starts with the given hex, of one practice or all. */
  find(digestPrefix: string, practiceId?: string): Promise<AuditSeal[]>;
}

export interface StorageHealth {
  check(): Promise<{ ok: true } | { ok: false; reason: string }>;
}

export interface Stores {
  drafts: DraftStore;
  incidents: IncidentStore;
  evidence: EvidenceStore;
  memberships: MembershipStore;
  practices: PracticeStore;
  outbox: OutboxStore;
  leases: LeaseStore;
  seals: SealStore;
  health: StorageHealth;
}

/** The write lost a race: re-read and decide again. */
export class ConflictError extends Error {
  override readonly name = 'ConflictError';
}

/** The evidence file does not exist (never stored, or removed under the retention policy): a port error, caught by class. */
export class EvidenceNotFoundError extends Error {
  override readonly name = 'EvidenceNotFoundError';
}

/** Storage could not be reached or refused the request for a reason other than a conflict. */
export class StorageUnavailableError extends Error {
  override readonly name = 'StorageUnavailableError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * Too many others did the same thing at the same moment (contention, not an outage): nothing was
 * stored, nothing is lost, and pressing again works. Never shown as a storage error.
 */
export class BusyError extends Error {
  override readonly name = 'BusyError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

/**
 * The most time any retry loop spends losing races before giving up: well under the few seconds
 * Teams waits for an invoke (INVOKE_BUDGET_MS in src/bot/routes/answers.ts), so a person is answered.
 */
export const CONTENTION_BUDGET_MS = 2_000;
