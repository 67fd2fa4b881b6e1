import { ANSWER_LIMIT, type QuestionToReporter } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { londonDateTime } from './format.ts';
import { incidentActionData } from './incidentCards.ts';
import { plainText } from './plainText.ts';
import { type CardJson, expandCard } from './templates.ts';

/** The two cards the reporter gets in 1:1 chat about a submitted report: a question from the practice manager, and the outcome. */

/** The practice manager's question, in the reporter's 1:1 chat; once answered it shows the answer. */
export function reporterQuestionCard(
  incident: Incident,
  question: QuestionToReporter,
  opts: { practiceName: string; error?: string },
): CardJson {
  const answered = question.answer !== undefined;
  const error = opts.error?.trim();
  return expandCard('reporterQuestion', {
    data: incidentActionData(incident),
    reference: plainText(`Your report ${incident.reference}`),
    practiceName: plainText(opts.practiceName),
    asked: plainText(`${question.askedBy.name || 'The practice manager'} asked, ${londonDateTime(question.askedAt)}:`),
    question: plainText(question.question),
    open: !answered,
    answered,
    limits: { answer: ANSWER_LIMIT },
    ...(error && !answered ? { error: plainText(error) } : {}),
    ...(answered
      ? {
          answer: plainText(question.answer),
          answeredAt: plainText(`Your answer${question.answeredAt ? `, ${londonDateTime(question.answeredAt)}` : ''}:`),
        }
      : {}),
  });
}

/** What was decided (not the private discussion), and the approved reply if the reporter is to post it. */
export function reporterUpdateCard(incident: Incident, opts: { practiceName: string; summary: string; replyToPost?: string }): CardJson {
  const reply = opts.replyToPost?.trim();
  return expandCard('reporterUpdate', {
    reference: plainText(`Your report ${incident.reference}`),
    practiceName: plainText(opts.practiceName),
    summary: plainText(opts.summary),
    // An input's value is not markdown: exactly the approved text, ready to copy.
    ...(reply ? { reply } : {}),
  });
}
