import { londonParts, londonToInstant } from './ukTime.ts';
import { err, ok, type Result } from './result.ts';
import {
  AUTHOR_RELATIONSHIPS,
  NAMED_PARTIES,
  PLATFORMS,
  POST_CATEGORIES,
  isOneOf,
  type AuthorRelationshipId,
  type NamedPartyId,
  type PlatformId,
  type PostCategoryId,
} from './vocabulary.ts';

/**
 * A report being filled in. It lives in storage (not memory) so that a restarted bot or a second
 * instance carries on the same report; the answers are kept exactly as typed until submit.
 */

export const STEPS = ['where', 'what', 'risk', 'evidence', 'review'] as const;
export type StepId = (typeof STEPS)[number];

export const DRAFT_LIFETIME_DAYS = 7;

export const LIMITS = {
  postUrl: 2_000,
  authorName: 200,
  postText: 8_000,
  namedColleagues: 500,
  riskDetails: 2_000,
  noScreenshotReason: 500,
} as const;

/** The fields each step's card asks for. Anything else in an action's data is ignored. */
export const STEP_FIELDS = {
  where: ['platform', 'postUrl', 'seenDate', 'seenTime', 'authorName', 'authorRelationship'],
  what: ['postText', 'categories', 'namedParties', 'namedColleagues'],
  risk: ['atRisk', 'riskDetails'],
  evidence: ['noScreenshot', 'noScreenshotReason'],
  review: [],
} as const satisfies Record<StepId, readonly string[]>;

/** Answers given by pressing a button rather than filling an input (the risk question). */
const ANSWERED_BY_BUTTON: ReadonlySet<string> = new Set(['atRisk']);

export type RawAnswers = Record<string, string>;
export type FieldErrors = Record<string, string>;

export interface Reporter {
  aadObjectId: string;
  name: string;
}

export interface EvidenceFile {
  /** Where the bytes are kept (blob name), never shown to people as a link. */
  blobName: string;
  fileName: string;
  contentType: string;
  size: number;
  sha256: string;
  receivedAt: string;
}

export interface ReportDraft {
  id: string;
  practiceId: string;
  reporter: Reporter;
  step: StepId;
  /** Set when a step was opened from the review card's Edit link: Next goes back to review. */
  editingFromReview: boolean;
  answers: RawAnswers;
  evidence: EvidenceFile[];
  /** When the reporter said someone is at risk (the manager alert is raised at that moment). */
  riskRaisedAt?: string;
  /**
   * Names of the people the risk alert was queued for (an empty list: nobody could be reached
   * automatically, and the reporter was told so). Absent when no alert was raised.
   */
  riskAlerted?: string[];
  createdAt: string;
  updatedAt: string;
  expiresAt: string;
  /** The Teams message holding the report card, so screenshots can refresh it in place. */
  cardActivityId?: string;
}

export interface WhereAnswers {
  platform: PlatformId;
  postUrl?: string;
  seenAt: string;
  seenDate: string;
  seenTime: string;
  authorName?: string;
  authorRelationship: AuthorRelationshipId;
}

export interface WhatAnswers {
  postText: string;
  categories: PostCategoryId[];
  namedParties: NamedPartyId[];
  namedColleagues?: string;
}

export interface RiskAnswers {
  atRisk: boolean;
  riskDetails?: string;
}

export interface EvidenceAnswers {
  screenshots: EvidenceFile[];
  /** Recorded when the reporter submits without a screenshot. */
  noScreenshotReason?: string;
}

export interface ReportFacts {
  where: WhereAnswers;
  what: WhatAnswers;
  risk: RiskAnswers;
  evidence: EvidenceAnswers;
}

export function newDraft(args: {
  id: string;
  practiceId: string;
  reporter: Reporter;
  now: Date;
}): ReportDraft {
  const now = args.now.toISOString();
  return {
    id: args.id,
    practiceId: args.practiceId,
    reporter: args.reporter,
    step: 'where',
    editingFromReview: false,
    answers: { authorRelationship: 'unknown', ...defaultSeen(args.now) },
    evidence: [],
    createdAt: now,
    updatedAt: now,
    expiresAt: new Date(args.now.getTime() + DRAFT_LIFETIME_DAYS * 86_400_000).toISOString(),
  };
}

export function isExpired(draft: ReportDraft, now: Date): boolean {
  return Date.parse(draft.expiresAt) <= now.getTime();
}

/** Keeps what the card sent for this step's own fields, as text; ignores everything else. */
export function takeAnswers(draft: ReportDraft, step: StepId, data: Record<string, unknown>, now: Date): ReportDraft {
  const answers = { ...draft.answers };
  for (const field of STEP_FIELDS[step]) {
    const value = data[field];
    if (value === undefined || value === null) {
      // An unticked Input.Toggle or an emptied field may be omitted by some clients; an answer
      // given with a button (not an input) is kept until a button changes it.
      if (!ANSWERED_BY_BUTTON.has(field)) answers[field] = '';
      continue;
    }
    answers[field] = keepableText(value, field);
  }
  return { ...draft, answers, updatedAt: now.toISOString() };
}

/** Card data is untrusted: anything that is not a string or number becomes empty. */
function keepableText(value: unknown, field: string): string {
  const text = typeof value === 'string' ? value : typeof value === 'number' || typeof value === 'boolean' ? String(value) : '';
  // Keep a little over the limit so the person sees the error, but never an unbounded blob.
  const limit = (LIMITS as Record<string, number>)[field] ?? 2_000;
  return text.slice(0, limit + 1);
}

export function validateStep(step: StepId, draft: ReportDraft, now: Date): FieldErrors {
  const result = parseStep(step, draft, now);
  return result.ok ? {} : result.error;
}

function parseStep(step: StepId, draft: ReportDraft, now: Date): Result<unknown, FieldErrors> {
  switch (step) {
    case 'where':
      return parseWhere(draft.answers, now);
    case 'what':
      return parseWhat(draft.answers);
    case 'risk':
      return parseRisk(draft.answers);
    case 'evidence':
      return parseEvidence(draft);
    case 'review':
      return ok(undefined);
  }
}

export function parseWhere(a: RawAnswers, now: Date): Result<WhereAnswers, FieldErrors> {
  const errors: FieldErrors = {};
  const platform = clean(a.platform);
  if (!platform) errors.platform = 'Choose where the post is.';
  else if (!isOneOf(PLATFORMS, platform)) errors.platform = 'Choose one of the listed places.';

  const postUrl = clean(a.postUrl);
  if (postUrl) {
    const problem = linkProblem(postUrl);
    if (problem) errors.postUrl = problem;
  }

  const seen = parseSeen(clean(a.seenDate), clean(a.seenTime), now);
  if (!seen.ok) Object.assign(errors, seen.error);

  const authorName = clean(a.authorName);
  if (authorName.length > LIMITS.authorName) errors.authorName = tooLong(LIMITS.authorName);

  const relationship = clean(a.authorRelationship) || 'unknown';
  if (!isOneOf(AUTHOR_RELATIONSHIPS, relationship)) errors.authorRelationship = 'Choose who the author is.';

  if (Object.keys(errors).length > 0 || !seen.ok) return err(errors);
  return ok({
    platform: platform as PlatformId,
    ...(postUrl ? { postUrl } : {}),
    seenAt: seen.value,
    seenDate: clean(a.seenDate),
    seenTime: clean(a.seenTime),
    ...(authorName ? { authorName } : {}),
    authorRelationship: relationship as AuthorRelationshipId,
  });
}

export function parseWhat(a: RawAnswers): Result<WhatAnswers, FieldErrors> {
  const errors: FieldErrors = {};
  const postText = (a.postText ?? '').trim();
  if (!postText) errors.postText = 'Copy the words of the post exactly as written. This is required.';
  else if (postText.length > LIMITS.postText)
    errors.postText = `${tooLong(LIMITS.postText)} Paste the first part and send the rest as a screenshot.`;

  const categories = list(a.categories);
  if (categories.length === 0) errors.categories = 'Tick at least one thing the post does.';
  else if (!categories.every((c) => isOneOf(POST_CATEGORIES, c))) errors.categories = 'Tick from the list only.';

  const namedParties = list(a.namedParties);
  if (!namedParties.every((p) => isOneOf(NAMED_PARTIES, p))) errors.namedParties = 'Tick from the list only.';

  const namedColleagues = clean(a.namedColleagues);
  if (namedColleagues.length > LIMITS.namedColleagues) errors.namedColleagues = tooLong(LIMITS.namedColleagues);
  if (namedColleagues && !namedParties.includes('colleagues') && !errors.namedParties) namedParties.push('colleagues');

  if (Object.keys(errors).length > 0) return err(errors);
  return ok({
    postText,
    categories: categories as PostCategoryId[],
    namedParties: namedParties as NamedPartyId[],
    ...(namedColleagues ? { namedColleagues } : {}),
  });
}

export function parseRisk(a: RawAnswers): Result<RiskAnswers, FieldErrors> {
  const errors: FieldErrors = {};
  const atRisk = clean(a.atRisk);
  if (atRisk !== 'yes' && atRisk !== 'no') errors.atRisk = 'Answer yes or no. This is required.';
  const riskDetails = clean(a.riskDetails);
  if (riskDetails.length > LIMITS.riskDetails) errors.riskDetails = tooLong(LIMITS.riskDetails);
  if (Object.keys(errors).length > 0) return err(errors);
  return ok({ atRisk: atRisk === 'yes', ...(riskDetails ? { riskDetails } : {}) });
}

export function parseEvidence(draft: ReportDraft): Result<EvidenceAnswers, FieldErrors> {
  const a = draft.answers;
  const noScreenshot = clean(a.noScreenshot) === 'true';
  const reason = clean(a.noScreenshotReason);
  if (reason.length > LIMITS.noScreenshotReason) return err({ noScreenshotReason: tooLong(LIMITS.noScreenshotReason) });
  if (draft.evidence.length === 0 && !noScreenshot) {
    return err({
      noScreenshot:
        'Send a screenshot of the post as an image in this chat, or tick "I have no screenshot" to carry on without one.',
    });
  }
  return ok({
    screenshots: draft.evidence,
    ...(draft.evidence.length === 0 ? { noScreenshotReason: reason || 'No reason given' } : {}),
  });
}

/** Every step parsed again: what is submitted is exactly what was checked. */
export function parseReport(draft: ReportDraft, now: Date): Result<ReportFacts, { step: StepId; errors: FieldErrors }> {
  const where = parseWhere(draft.answers, now);
  if (!where.ok) return err({ step: 'where', errors: where.error });
  const what = parseWhat(draft.answers);
  if (!what.ok) return err({ step: 'what', errors: what.error });
  const risk = parseRisk(draft.answers);
  if (!risk.ok) return err({ step: 'risk', errors: risk.error });
  const evidence = parseEvidence(draft);
  if (!evidence.ok) return err({ step: 'evidence', errors: evidence.error });
  return ok({ where: where.value, what: what.value, risk: risk.value, evidence: evidence.value });
}

export type Move =
  | { kind: 'next' }
  | { kind: 'back' }
  | { kind: 'edit'; step: StepId };

/**
 * Moves a draft after its current step's answers were taken. Next validates the step it leaves;
 * Back and Edit never do, so a half-typed answer is kept rather than refused.
 */
export function move(draft: ReportDraft, from: StepId, m: Move, now: Date): { draft: ReportDraft; errors: FieldErrors } {
  if (m.kind === 'edit') return { draft: { ...draft, step: m.step, editingFromReview: true }, errors: {} };
  if (m.kind === 'back') {
    const step = draft.editingFromReview ? 'review' : previousStep(from);
    return { draft: { ...draft, step, editingFromReview: false }, errors: {} };
  }
  const errors = validateStep(from, draft, now);
  if (Object.keys(errors).length > 0) return { draft: { ...draft, step: from }, errors };
  const step = draft.editingFromReview ? 'review' : nextStep(from);
  return { draft: { ...draft, step, editingFromReview: false }, errors: {} };
}

export function nextStep(step: StepId): StepId {
  return STEPS[Math.min(STEPS.indexOf(step) + 1, STEPS.length - 1)] as StepId;
}

export function previousStep(step: StepId): StepId {
  return STEPS[Math.max(STEPS.indexOf(step) - 1, 0)] as StepId;
}

export function isStep(value: unknown): value is StepId {
  return typeof value === 'string' && (STEPS as readonly string[]).includes(value);
}

function clean(value: string | undefined): string {
  return (value ?? '').trim();
}

/** Adaptive Card multi-select sends "a,b,c". */
function list(value: string | undefined): string[] {
  return clean(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0)
    .filter((s, i, all) => all.indexOf(s) === i);
}

function tooLong(limit: number): string {
  return `Keep this under ${limit.toLocaleString('en-GB')} characters.`;
}

function linkProblem(link: string): string | undefined {
  if (link.length > LIMITS.postUrl) return tooLong(LIMITS.postUrl);
  let url: URL;
  try {
    url = new URL(link);
  } catch {
    return 'Paste the full link, starting with https:// (or leave it empty).';
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') return 'Only http:// or https:// links can be kept.';
  if (!url.hostname.includes('.')) return 'That link has no website in it. Paste the full link to the post.';
  return undefined;
}

/** Staff give UK wall-clock time; it is kept as an instant so records from different places agree. */
function parseSeen(date: string, time: string, now: Date): Result<string, FieldErrors> {
  const errors: FieldErrors = {};
  if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) errors.seenDate = 'Give the date you saw the post.';
  if (!/^\d{2}:\d{2}(:\d{2})?$/.test(time)) errors.seenTime = 'Give the time you saw the post (roughly is fine).';
  if (Object.keys(errors).length > 0) return err(errors);
  const instant = londonToInstant(date, time.slice(0, 5));
  if (!instant) return err({ seenDate: 'That date does not exist. Check the day and month.' });
  if (instant.getTime() > now.getTime() + 5 * 60_000) return err({ seenTime: 'That is in the future. When did you see it?' });
  if (instant.getTime() < now.getTime() - 366 * 86_400_000)
    return err({ seenDate: 'That is more than a year ago. Check the year.' });
  return ok(instant.toISOString());
}

function defaultSeen(now: Date): { seenDate: string; seenTime: string } {
  const p = londonParts(now);
  return { seenDate: `${p.year}-${p.month}-${p.day}`, seenTime: `${p.hour}:${p.minute}` };
}
