import { plainText } from './plainText.ts';

/**
 * What the reporter is told about who knows: only what really happened. A name is given only when
 * a message was queued for that person's 1:1 chat; otherwise the reporter is told plainly that
 * nobody could be reached automatically and what to do now.
 */

/** Who a new report reaches automatically (the app's answer, as plain data). */
export interface ReviewersSeen {
  people: string[];
  reviewChannel: boolean;
}

export const NOBODY_ALERTED =
  'Nobody could be alerted automatically: Postwatch cannot reach a practice manager in Teams yet. Phone the practice manager (or whoever is in charge today) now and tell them. If anyone is in immediate danger, call 999; otherwise call the police on 101.';

export const NOBODY_REVIEWS =
  'Nobody could be given your report automatically: Postwatch cannot reach a practice manager in Teams yet. Your report is saved. Please tell the practice manager about it now, quoting the reference above.';

const NAMES = new Intl.ListFormat('en-GB', { style: 'long', type: 'conjunction' });

/** "Mary", "Mary and Dan", "Mary, Dan and Priya" (shown literally: names are Teams display names). */
export function namesOf(names: readonly string[]): string {
  return plainText(NAMES.format([...new Set(names)]));
}

/** After a "yes" to "is anyone at risk?": `alerted` undefined means it is not known (say what is safe). */
export function riskAlertText(alerted: readonly string[] | undefined, tense: 'now' | 'done'): { text: string; nobody: boolean } {
  if (alerted === undefined) return { text: 'If you are not sure the practice manager knows, phone them now.', nobody: false };
  if (alerted.length === 0) return { text: NOBODY_ALERTED, nobody: true };
  const verb = tense === 'now' ? 'We are alerting' : 'We alerted';
  return { text: `${verb} ${namesOf(alerted)} straight away.`, nobody: false };
}

/** The "What happens next" sentence of the confirmation. */
export function reviewText(reviewers: ReviewersSeen | undefined): { text: string; nobody: boolean } {
  const after = 'You will be told the outcome. You can see where it is at any time in My reports.';
  if (!reviewers) return { text: `The practice manager reviews your report and decides what to do. ${after}`, nobody: false };
  if (reviewers.people.length > 0) {
    return { text: `${namesOf(reviewers.people)} will review your report and decide what to do. ${after}`, nobody: false };
  }
  if (reviewers.reviewChannel) {
    return { text: `Your report has been posted for the practice's incident review team, who will decide what to do. ${after}`, nobody: false };
  }
  return { text: NOBODY_REVIEWS, nobody: true };
}
