import { type Decision, DECISION_KINDS, type Handling, type QuestionToReporter } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import type { Grading } from '../domain/policy/grade.ts';
import type { Finding } from '../domain/policy/guard.ts';
import { ATTESTATION_STATEMENT, attestationKey } from '../domain/policy/reply-guard/attestation.ts';
import { AUTHOR_RELATIONSHIPS, labelOf, NAMED_PARTIES, PLATFORMS, POST_CATEGORIES } from '../domain/vocabulary.ts';
import { fileSize, londonDateTime, shortHash, wallClock, wrappableLink } from './format.ts';
import type { IncidentCardOptions } from './incidentCards.ts';
import { authorHistory, Citations, clip, duration, TOP_ACTIONS } from './incidentHeadline.ts';
import type { FitLevel } from './incidentLayout.ts';
import { count, moreScreenshots } from './pieces.ts';
import { plainText } from './plainText.ts';

/** The incident card's content: the decision taken, the post and its evidence, questions to the reporter, the grading and the reply with its check. */

export { duration };

export function decidedModel(handling: Handling, level: FitLevel) {
  const decision = handling.decision;
  if (!decision) return {};
  const label = labelOf(DECISION_KINDS, decision.kind);
  return {
    decided: {
      text: plainText(`Decided by ${clip(decision.by.name || 'a decider', level.text)} on ${londonDateTime(decision.at)}: ${label}`),
      details: decisionDetails(decision, handling.grading, level).map((text) => ({ text: plainText(text) })),
    },
  };
}

export function decisionDetails(decision: Decision, grading: Grading | undefined, level: FitLevel): string[] {
  switch (decision.kind) {
    case 'no-response':
      return decision.reason ? [`Reason: ${clip(decision.reason, level.text)}`] : [];
    case 'public-reply':
      return [
        `Approved reply: ${decision.replyText ?? ''}`,
        decision.reporterPostsReply ? 'The reporter is asked to post it.' : 'The practice posts it.',
      ];
    case 'actions':
      return [
        `Actions: ${(decision.actions ?? []).map((id) => grading?.actions.find((a) => a.id === id)?.title ?? id).join('; ')}`,
      ];
  }
}


export const NOT_GIVEN = 'Not given';

export function postModel(incident: Incident, handling: Handling, level: FitLevel) {
  const { where, what, risk } = incident.facts;
  const author = where.authorName?.trim();
  const seen = wallClock(where.seenDate, where.seenTime);
  const postText = what.postText ?? '';
  const preview = clip(postText, level.post, '');
  return {
    where: [
      { title: 'Platform', value: labelOf(PLATFORMS, where.platform) },
      { title: 'Link', value: where.postUrl?.trim() ? wrappableLink(plainText(clip(where.postUrl.trim(), level.text))) : NOT_GIVEN },
      { title: 'Seen', value: seen ?? plainText(`${where.seenDate} ${where.seenTime}`) },
      { title: 'Author', value: author ? plainText(clip(author, level.text)) : NOT_GIVEN },
      { title: 'Who the author is', value: labelOf(AUTHOR_RELATIONSHIPS, where.authorRelationship) },
    ],
    history: plainText(authorHistory(author, handling.priorIncidentsByAuthor)),
    text: postText.trim() ? plainText(preview) : NOT_GIVEN,
    ...(preview.length < postText.length
      ? {
          textNote: `Showing the first ${preview.length.toLocaleString('en-GB')} of ${postText.length.toLocaleString('en-GB')} characters. The full text is kept.`,
        }
      : {}),
    what: [
      { title: 'What it does', value: labels(POST_CATEGORIES, what.categories, 'Not answered') },
      { title: 'Who it names', value: labels(NAMED_PARTIES, what.namedParties, 'None ticked') },
      { title: 'Colleagues named', value: what.namedColleagues?.trim() ? plainText(clip(what.namedColleagues.trim(), level.text)) : NOT_GIVEN },
      { title: 'Anyone at risk', value: risk.atRisk ? 'Yes: someone may be at risk of harm' : 'No' },
      { title: 'Risk details', value: risk.riskDetails?.trim() ? plainText(clip(risk.riskDetails.trim(), level.text)) : NOT_GIVEN },
    ],
  };
}

export function labels(list: ReadonlyArray<{ id: string; label: string }>, ids: readonly string[] | undefined, none: string): string {
  const shown = (ids ?? []).map((id) => plainText(labelOf(list, id)));
  return shown.length > 0 ? shown.join(', ') : none;
}

export function evidenceModel(incident: Incident, level: FitLevel) {
  const files = incident.facts.evidence.screenshots ?? [];
  const listed = files.slice(0, level.screenshots).map((f) => ({
    text: plainText(
      `${clip(f.fileName || 'Screenshot', level.text)} — ${fileSize(f.size)}, received ${londonDateTime(f.receivedAt)}, SHA-256 ${shortHash(f.sha256)}`,
    ),
  }));
  const more = files.length - listed.length;
  const reason = incident.facts.evidence.noScreenshotReason?.trim();
  return {
    summary:
      files.length > 0
        ? `${count(files.length, 'screenshot')}, saved with their SHA-256 hashes`
        : plainText(`No screenshot: ${reason ? clip(reason, level.text) : 'no reason given'}`),
    screenshots: listed,
    ...(more > 0 ? { more: moreScreenshots(more) } : {}),
  };
}

export function questionsModel(questions: readonly QuestionToReporter[], level: FitLevel) {
  const listed = questions.slice(Math.max(0, questions.length - level.questions));
  const earlier = questions.length - listed.length;
  return {
    asked: questions.length > 0,
    ...(earlier > 0 ? { earlier: `${count(earlier, 'earlier question')} and ${earlier === 1 ? 'its answer' : 'their answers'} are kept in the record.` } : {}),
    list: listed.map((q) => ({
      asked: plainText(`Asked by ${clip(q.askedBy.name || 'a decider', level.text)}, ${londonDateTime(q.askedAt)}`),
      question: plainText(clip(q.question, level.text)),
      answer:
        q.answer === undefined
          ? 'Not answered yet.'
          : plainText(`Answer${q.answeredAt ? ` (${londonDateTime(q.answeredAt)})` : ''}: ${clip(q.answer, level.text)}`),
      unanswered: q.answer === undefined,
    })),
  };
}


export function gradingModel(grading: Grading | undefined, brief: boolean, citing: Citations) {
  if (!grading) {
    return { heading: 'What the policy recommends', summary: 'Not graded yet: the recommendations appear when the report is routed.', top: [], actions: [], warnings: [] };
  }
  const n = grading.actions.length;
  const all = grading.actions.map((a, i) => ({
    title: plainText(`${i + 1}. ${a.title}`),
    ...(brief ? {} : { reason: plainText(a.reason), source: citing.line(a.source) }),
  }));
  return {
    heading: n > TOP_ACTIONS && !brief ? `Recommended first (${TOP_ACTIONS} of ${n})` : 'What the policy recommends',
    summary: plainText(
      `Decide within ${duration(grading.decisionTargetHours * 60)} of the report. ` +
        (n > 0 ? `${count(n, 'recommended action')}, most important first.` : 'No action is recommended.'),
    ),
    ...(brief && (n > 0 || grading.warnings.length > 0) ? { note: 'Reasons and sources are left out to fit the card; they are kept in the record.' } : {}),
    // The top three with their one-line reasons; every action, with its source, behind "Show all".
    // Brief (to fit the card): every title in one block, and no "Show all".
    top: brief
      ? n > 0
        ? [{ title: all.map((a) => a.title).join('\n') }]
        : []
      : all.slice(0, TOP_ACTIONS).map(({ title, reason }) => ({ title, ...(reason ? { reason } : {}) })),
    actions: brief ? [] : all,
    warnings: grading.warnings.map((w) => ({ text: plainText(w.text), ...(brief ? {} : { source: citing.line(w.source) }) })),
  };
}


export function replyModel(opts: IncidentCardOptions, level: FitLevel) {
  const findings = [...opts.replyFindings].sort((a, b) => rankOf(a) - rankOf(b));
  const blocking = findings.filter((f) => f.severity === 'blocking').length;
  const advisory = findings.length - blocking;
  const listed = findings.slice(0, level.findings);
  const more = findings.length - listed.length;
  return {
    // An input's value is not markdown: the text exactly as saved.
    text: opts.replyText,
    summary:
      blocking > 0
        ? { text: `The reply check found ${count(blocking, 'problem')} to fix before it can be approved.`, color: 'Default' }
        : advisory > 0
          ? { text: `The reply check found ${count(advisory, 'thing')} to consider.`, color: 'Default' }
          : { text: 'The reply check found nothing to change.', color: 'Default' },
    findings: listed.map((f) => {
      const offending = opts.replyText.slice(Math.max(0, f.start), Math.max(0, f.end));
      const quoted = offending ? ` "${clip(offending, Math.min(level.text, 120))}"` : '';
      return {
        quote: plainText(`${f.severity === 'blocking' ? 'Must change' : 'Check'}:${quoted}`),
        message: plainText(clip(f.message, Math.max(level.text, 200))),
        // Default-coloured: Teams' warning and attention text colours fail 4.5:1 contrast.
        color: 'Default',
      };
    }),
    ...(more > 0 ? { more: `And ${count(more, 'more finding')}: press Check reply after changing the text.` } : {}),
    ...(opts.replyFreeText ? freeTextModel(opts.replyFreeText, level) : {}),
  };
}

/**
 * The sentences that are not from the practice's approved list, each shown in full (they are what
 * the manager attests to), and the attestation tick whose value is the key of exactly these.
 */
export function freeTextModel(sentences: readonly string[], level: FitLevel) {
  if (sentences.length === 0) return { approvedOnly: 'Every sentence is from the practice\'s approved list.' };
  return {
    freeText: {
      intro: `${count(sentences.length, 'sentence')} not from the approved list (free text). Read each one before approving:`,
      sentences: sentences.map((s, i) => ({ text: plainText(`${i + 1}. ${clip(s, Math.max(level.text, 300))}`) })),
      statement: ATTESTATION_STATEMENT,
      key: attestationKey(sentences),
    },
  };
}

export const rankOf = (f: Finding) => (f.severity === 'blocking' ? 0 : 1);
