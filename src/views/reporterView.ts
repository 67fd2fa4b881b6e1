import { handlingOf } from '../domain/handling.ts';
import { INCIDENT_STATUSES, type Incident } from '../domain/incident.ts';
import { TASK_OUTCOME_LIMIT } from '../domain/lifecycle.ts';
import { labelOf } from '../domain/vocabulary.ts';
import { incidentActionData, taskInputId } from './incidentCards.ts';
import { plainText } from './plainText.ts';
import { noticeModel, type Notice } from './pieces.ts';
import { expandCard, type CardJson } from './templates.ts';

/**
 * The reporter's view of their own report (see src/domain/sight.ts): the status and what they were
 * told, the approved reply if they are to post it, and the tasks they own with "Mark done". Nothing
 * else of the incident: no grading, no decision notes, no closure notes, no lessons learnt.
 */
export interface ReporterViewOptions {
  practiceName: string;
  /** What the reporter was told, in order (the decision, the closure), exactly as sent to them. */
  told: readonly string[];
  /** The approved reply, when the reporter was asked to post it. */
  replyToPost?: string;
  /** Errors under a task's outcome, keyed by its input id. */
  errors?: Partial<Record<string, string>>;
  notice?: Notice;
  /** The reporter (task owner) looking: only their own open tasks get "Mark done". */
  viewerAadObjectId: string;
}

export function reporterViewCard(incident: Incident, opts: ReporterViewOptions): CardJson {
  const viewer = opts.viewerAadObjectId.trim().toLowerCase();
  const data = incidentActionData(incident);
  const tasks = (handlingOf(incident).tasks ?? [])
    .filter((t) => t.status !== 'done' && t.owner.aadObjectId.trim().toLowerCase() === viewer)
    .map((t) => {
      const error = opts.errors?.[taskInputId(t.id)];
      return { title: plainText(t.title || 'Task'), inputId: taskInputId(t.id), data: { ...data, taskId: t.id }, ...(error ? { error: plainText(error) } : {}) };
    });
  const reply = opts.replyToPost?.trim();
  const told = opts.told.length > 0 ? opts.told : ['The practice manager has your report and will decide what to do.'];
  return expandCard('reporterView', {
    ...noticeModel(opts.notice),
    reference: plainText(`Your report ${incident.reference}`),
    practiceName: plainText(opts.practiceName),
    status: `Status: ${labelOf(INCIDENT_STATUSES, incident.status)}`,
    told: told.map((text) => ({ text: plainText(text) })),
    // An input's value is not markdown: exactly the approved text, ready to copy.
    ...(reply ? { reply } : {}),
    tasks,
    limits: { taskOutcome: TASK_OUTCOME_LIMIT },
  });
}
