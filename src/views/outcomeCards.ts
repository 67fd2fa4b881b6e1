import { INCIDENT_STATUSES, targetsColleague, type Incident } from '../domain/incident.ts';
import { PLATFORMS, labelOf } from '../domain/vocabulary.ts';
import { londonDateTime } from './format.ts';
import { count } from './pieces.ts';
import { plainText } from './plainText.ts';
import { reviewText, riskAlertText, type ReviewersSeen } from './whoIsTold.ts';
import { expandCard, type CardJson } from './templates.ts';

/** The cards around a report: sent, cancelled, "my reports", and plain messages. */

/**
 * The support section's opening line, for every practice (the policies' staff-support duty, e.g.
 * the default policy's section 7). It names no practice: where to get support is the practice's
 * own `supportText` from its configuration, shown beneath it.
 */
export const STAFF_SUPPORT_TEXT =
  'The practice supports staff who are targeted online: you will get guidance and support throughout. Talk to the practice manager whenever you need to.';

/** Rows on "my reports"; 50 rows keep the card well under 28 KB. */
export const MY_REPORTS_LISTED = 50;

export function submittedCard(
  incident: Incident,
  opts: { practiceName: string; supportText?: string; reviewers?: ReviewersSeen; riskAlerted?: string[] },
): CardJson {
  const supportText = opts.supportText?.trim();
  const next = reviewText(opts.reviewers);
  return expandCard('reportSubmitted', {
    riskAlert: riskAlertText(opts.riskAlerted, 'done'),
    next: { text: next.text, style: next.nobody ? 'attention' : 'default' },
    practiceName: plainText(opts.practiceName),
    reference: plainText(incident.reference),
    reportedAt: `Sent ${londonDateTime(incident.reportedAt)}`,
    atRisk: incident.facts.risk.atRisk === true,
    colleagueTargeted: targetsColleague(incident.facts),
    supportIntro: STAFF_SUPPORT_TEXT,
    ...(supportText ? { supportText: plainText(supportText) } : {}),
  });
}

export function cancelledCard(): CardJson {
  return expandCard('reportCancelled', {});
}

export function myReportsCard(incidents: Incident[], opts: { practiceName: string }): CardJson {
  const listed = incidents.slice(0, MY_REPORTS_LISTED);
  return expandCard('myReports', {
    practiceName: plainText(opts.practiceName),
    hasReports: listed.length > 0,
    noReports: listed.length === 0,
    count:
      incidents.length > listed.length
        ? `Your ${listed.length} most recent reports, newest first.`
        : `${count(listed.length, 'report')}, newest first.`,
    reports: listed.map((incident) => ({
      reference: plainText(incident.reference),
      detail: plainText(
        `${platformOf(incident)}, reported ${londonDateTime(incident.reportedAt)}`,
      ),
      status: plainText(`Status: ${labelOf(INCIDENT_STATUSES, incident.status)}`),
    })),
  });
}

function platformOf(incident: Incident): string {
  return labelOf(PLATFORMS, incident.facts?.where?.platform ?? 'other');
}

export interface NoticeAction {
  title: string;
  verb: string;
  data?: Record<string, string>;
}

export function noticeCard(title: string, text: string, actions: NoticeAction[] = []): CardJson {
  return expandCard('notice', {
    title: plainText(title),
    text: plainText(text),
    actions: actions.map((a) => ({ title: a.title, verb: a.verb, data: { ...(a.data ?? {}) } })),
  });
}
