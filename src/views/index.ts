/** The card binders the presenters (src/presenters) and the bot call. Each returns a plain Adaptive Card (JSON object, schema 1.5). */
export { reportStepCard, STEP_TITLES, type Notice, type StepCardOptions } from './reportCards.ts';
export { cancelledCard, myReportsCard, noticeCard, submittedCard, type NoticeAction } from './outcomeCards.ts';
export { CARD_TEMPLATES, type CardJson, type CardTemplateName } from './templates.ts';
export { plainText } from './plainText.ts';
export {
  evidencePackCard,
  incidentActionData,
  incidentCard,
  reporterQuestionCard,
  reporterUpdateCard,
  type EvidencePackCardOptions,
  type IncidentCardOptions,
} from './incidentCards.ts';
export { reporterViewCard, type ReporterViewOptions } from './reporterView.ts';
export { REGISTER_PAGE_SIZE, registerCard, type RegisterCardOptions, type RegisterRow } from './registerCard.ts';
export { DIGEST_MAX_LINES, digestCard, type DigestLine } from './digestCard.ts';
export { summaryCard, type SummaryCardOptions } from './summaryCard.ts';
