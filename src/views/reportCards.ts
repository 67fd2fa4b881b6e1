import {
  LIMITS,
  STEPS,
  STEP_FIELDS,
  isStep,
  type EvidenceFile,
  type FieldErrors,
  type RawAnswers,
  type ReportDraft,
  type StepId,
} from '../domain/report.ts';
import { AUTHOR_RELATIONSHIPS, NAMED_PARTIES, PLATFORMS, POST_CATEGORIES, isOneOf, labelOf } from '../domain/vocabulary.ts';
import { fileSize, londonDateTime, shortHash, wallClock, wrappableLink } from './format.ts';
import { count, errorSummaryModel, moreScreenshots, noticeModel, placeErrors, type Notice } from './pieces.ts';
import { plainText } from './plainText.ts';
import { riskAlertText } from './whoIsTold.ts';
import { expandCard, type CardJson, type CardTemplateName } from './templates.ts';

/**
 * The report's step cards: one template per step in cards/, bound here to a draft. The view
 * model is built from the draft and options only; action data in the templates carries only
 * { draftId, step } (+ editStep / answer), never names, roles or states.
 */

export type { Notice };

export interface StepCardOptions {
  practiceName: string;
  errors?: FieldErrors;
  notice?: Notice;
}

export const STEP_TITLES: Record<StepId, string> = {
  where: 'Where the post is',
  what: 'What the post says',
  risk: 'Is anyone at risk?',
  evidence: 'Screenshots',
  review: 'Check and send',
};

const STEP_TEMPLATES: Record<StepId, CardTemplateName> = {
  where: 'reportWhere',
  what: 'reportWhat',
  risk: 'reportRisk',
  evidence: 'reportEvidence',
  review: 'reportReview',
};


/** Teams refuses cards over 28 KB; the review card shortens the post text to stay below this. */
export const CARD_BYTE_BUDGET = 26_000;
/** Screenshots listed on a card; the rest are counted ("and 3 more"). */
export const SCREENSHOTS_LISTED = 20;
const REVIEW_POST_PREVIEWS = [Infinity, 4_000, 2_000, 1_000, 500, 200] as const;

export function reportStepCard(draft: ReportDraft, opts: StepCardOptions): CardJson {
  const step: StepId = isStep(draft.step) ? draft.step : 'where';
  const base = baseModel(draft, step, opts);
  switch (step) {
    case 'where':
      return expandCard(STEP_TEMPLATES.where, { ...base, answers: whereAnswers(draft.answers), choices: WHERE_CHOICES });
    case 'what':
      return expandCard(STEP_TEMPLATES.what, { ...base, answers: whatAnswers(draft.answers), choices: WHAT_CHOICES });
    case 'risk':
      return expandCard(STEP_TEMPLATES.risk, { ...base, ...riskModel(draft.answers), riskAlert: riskAlertText(draft.riskAlerted, 'now') });
    case 'evidence':
      return expandCard(STEP_TEMPLATES.evidence, { ...base, ...evidenceModel(draft) });
    case 'review':
      return reviewCard(draft, base);
  }
}

function baseModel(draft: ReportDraft, step: StepId, opts: StepCardOptions) {
  // An error for a field this card does not show is still told, in the summary at the top.
  const placed = placeErrors(opts.errors, STEP_FIELDS[step]);
  return {
    draftId: draft.id,
    stepNumber: STEPS.indexOf(step) + 1,
    stepCount: STEPS.length,
    practiceName: plainText(opts.practiceName),
    // Editing one answer from the review card: the button saves and goes back to the review.
    nextTitle: draft.editingFromReview ? 'Save' : 'Next',
    limits: LIMITS,
    errors: placed.shown,
    ...noticeModel(opts.notice),
    ...errorSummaryModel(placed, (n) => (n > 0 ? 'Please fix the highlighted answers.' : 'Please check this before you carry on:')),
  };
}

// ---- where -------------------------------------------------------------------------------------

const choices = (list: ReadonlyArray<{ id: string; label: string }>) => list.map(({ id, label }) => ({ title: label, value: id }));

const WHERE_CHOICES = { platforms: choices(PLATFORMS), relationships: choices(AUTHOR_RELATIONSHIPS) };
const WHAT_CHOICES = { categories: choices(POST_CATEGORIES), namedParties: choices(NAMED_PARTIES) };

const text = (value: string | undefined): string => value ?? '';

function whereAnswers(a: RawAnswers) {
  const seenDate = text(a.seenDate).trim();
  const seenTime = text(a.seenTime).trim();
  const relationship = text(a.authorRelationship).trim();
  return {
    // Choice and date inputs only take values they can show; free text is kept exactly as typed.
    platform: isOneOf(PLATFORMS, text(a.platform).trim()) ? text(a.platform).trim() : '',
    postUrl: text(a.postUrl),
    seenDate: /^\d{4}-\d{2}-\d{2}$/.test(seenDate) ? seenDate : '',
    seenTime: /^\d{2}:\d{2}(:\d{2})?$/.test(seenTime) ? seenTime.slice(0, 5) : '',
    authorName: text(a.authorName),
    authorRelationship: isOneOf(AUTHOR_RELATIONSHIPS, relationship) ? relationship : 'unknown',
  };
}

// ---- what --------------------------------------------------------------------------------------

function knownList(value: string | undefined, list: ReadonlyArray<{ id: string }>): string[] {
  return text(value)
    .split(',')
    .map((s) => s.trim())
    .filter((s, i, all) => isOneOf(list, s) && all.indexOf(s) === i);
}

function whatAnswers(a: RawAnswers) {
  return {
    postText: text(a.postText),
    categories: knownList(a.categories, POST_CATEGORIES).join(','),
    namedParties: knownList(a.namedParties, NAMED_PARTIES).join(','),
    namedColleagues: text(a.namedColleagues),
  };
}

// ---- risk --------------------------------------------------------------------------------------

function riskAnswer(a: RawAnswers): 'yes' | 'no' | '' {
  const answer = text(a.atRisk).trim();
  return answer === 'yes' || answer === 'no' ? answer : '';
}

function riskModel(a: RawAnswers) {
  const answer = riskAnswer(a);
  return {
    risk: {
      answered: answer !== '',
      unanswered: answer === '',
      atRisk: answer === 'yes',
      answerText: answer === 'yes' ? 'Your answer: Yes, someone is at risk.' : 'Your answer: No.',
    },
    answers: { riskDetails: text(a.riskDetails) },
  };
}

// ---- evidence ----------------------------------------------------------------------------------

function screenshotList(files: readonly EvidenceFile[]) {
  const listed = files.slice(0, SCREENSHOTS_LISTED).map((f) => ({
    name: plainText(f.fileName || 'Screenshot'),
    detail: plainText(`${fileSize(f.size)}, received ${londonDateTime(f.receivedAt)}, SHA-256 ${shortHash(f.sha256)}`),
  }));
  const more = files.length - listed.length;
  return {
    screenshots: listed,
    ...(more > 0 ? { moreScreenshots: moreScreenshots(more) } : {}),
  };
}

function evidenceModel(draft: ReportDraft) {
  const has = draft.evidence.length > 0;
  return {
    ...screenshotList(draft.evidence),
    hasScreenshots: has,
    noScreenshots: !has,
    receivedCount: has
      ? `Received so far: ${count(draft.evidence.length, 'screenshot')}`
      : 'No screenshots received yet.',
    answers: {
      noScreenshot: text(draft.answers.noScreenshot).trim() === 'true' ? 'true' : 'false',
      noScreenshotReason: text(draft.answers.noScreenshotReason),
    },
  };
}

// ---- review ------------------------------------------------------------------------------------

const NOT_GIVEN = 'Not given';

function shown(value: string | undefined): string {
  const v = text(value).trim();
  return v ? plainText(v) : NOT_GIVEN;
}

function choiceLabel(list: ReadonlyArray<{ id: string; label: string }>, value: string | undefined): string {
  const v = text(value).trim();
  if (!v) return 'Not answered';
  return isOneOf(list, v) ? labelOf(list, v) : plainText(v);
}

function listLabels(list: ReadonlyArray<{ id: string; label: string }>, value: string | undefined, none: string): string {
  const ids = knownList(value, list);
  return ids.length > 0 ? ids.map((id) => labelOf(list, id)).join(', ') : none;
}

function reviewCard(draft: ReportDraft, base: ReturnType<typeof baseModel>): CardJson {
  const a = draft.answers;
  const postText = text(a.postText).trim();
  let card: CardJson = {};
  for (const limit of REVIEW_POST_PREVIEWS) {
    const preview = postText.length > limit ? postText.slice(0, limit) : postText;
    card = expandCard(STEP_TEMPLATES.review, {
      ...base,
      review: reviewModel(draft, preview, postText.length),
    });
    if (Buffer.byteLength(JSON.stringify(card), 'utf8') <= CARD_BYTE_BUDGET) break;
  }
  return card;
}

function reviewModel(draft: ReportDraft, postPreview: string, postLength: number) {
  const a = draft.answers;
  const seen = wallClock(text(a.seenDate).trim(), text(a.seenTime).trim());
  const risk = riskAnswer(a);
  const noScreenshot = draft.evidence.length === 0;
  return {
    where: {
      platform: choiceLabel(PLATFORMS, a.platform),
      link: wrappableLink(shown(a.postUrl)),
      seen: seen ?? shown(`${text(a.seenDate)} ${text(a.seenTime)}`),
      author: shown(a.authorName),
      relationship: choiceLabel(AUTHOR_RELATIONSHIPS, a.authorRelationship || 'unknown'),
    },
    what: {
      postText: postPreview ? plainText(postPreview) : NOT_GIVEN,
      ...(postPreview.length < postLength
        ? {
            postTextNote: `Showing the first ${postPreview.length.toLocaleString('en-GB')} of ${postLength.toLocaleString('en-GB')} characters. The full text is kept.`,
          }
        : {}),
      categories: listLabels(POST_CATEGORIES, a.categories, 'Not answered'),
      namedParties: listLabels(NAMED_PARTIES, a.namedParties, 'None ticked'),
      namedColleagues: shown(a.namedColleagues),
    },
    risk: {
      atRisk: risk === 'yes' ? 'Yes' : risk === 'no' ? 'No' : 'Not answered',
      details: shown(a.riskDetails),
    },
    evidence: {
      ...screenshotList(draft.evidence),
      summary: noScreenshot
        ? text(a.noScreenshot).trim() === 'true'
          ? 'No screenshot'
          : 'No screenshot yet'
        : count(draft.evidence.length, 'screenshot'),
      ...(noScreenshot ? { reason: shown(a.noScreenshotReason) } : {}),
    },
  };
}
