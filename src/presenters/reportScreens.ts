import type { Screen } from '../app/reporting.ts';
import type { Practice } from '../domain/practice.ts';
import { cancelledCard, myReportsCard, noticeCard, reportStepCard, submittedCard } from '../views/index.ts';
import { VERBS } from '../contract/cards.ts';

/** A Screen of the report flow, drawn as the Adaptive Card a person sees. */
export function cardFor(screen: Screen, practice: Practice): object {
  switch (screen.kind) {
    case 'step':
      return reportStepCard(screen.draft, {
        practiceName: practice.name,
        ...(screen.errors ? { errors: screen.errors } : {}),
        ...(screen.notice ? { notice: screen.notice } : {}),
      });
    case 'submitted':
      return submittedCard(screen.incident, {
        practiceName: practice.name,
        ...(practice.supportText ? { supportText: practice.supportText } : {}),
        ...(screen.reviewers ? { reviewers: screen.reviewers } : {}),
        ...(screen.riskAlerted ? { riskAlerted: screen.riskAlerted } : {}),
      });
    case 'cancelled':
      return cancelledCard();
    case 'myReports':
      return myReportsCard(screen.incidents, { practiceName: practice.name });
    case 'notice':
      return noticeCard(
        screen.title,
        screen.text,
        screen.offerNewReport ? [{ title: 'Report a post', verb: VERBS.start }] : [],
      );
  }
}
