/**
 * The Action.Execute verbs the report cards send. Card data carries only ids (draftId, step) —
 * never roles, names or states, which the bot always reads from storage.
 */
export const VERBS = {
  start: 'report.start',
  next: 'report.next',
  back: 'report.back',
  cancel: 'report.cancel',
  edit: 'report.edit',
  risk: 'report.risk',
  submit: 'report.submit',
  myReports: 'reports.mine',
} as const;

export type Verb = (typeof VERBS)[keyof typeof VERBS];

/** What every report-step action carries besides the card's inputs. */
export interface StepActionData {
  draftId: string;
  step: string;
  /** report.edit: the step to open. */
  editStep?: string;
  /** report.risk: "yes" or "no". */
  answer?: string;
}
