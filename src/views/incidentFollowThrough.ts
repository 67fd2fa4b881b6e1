import type { IncidentActionData } from '../contract/cards.ts';
import type { Handling } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import { type Closure, LESSONS_REQUIRED, type Reopening, type Task } from '../domain/lifecycle.ts';
import { londonDateTime } from './format.ts';
import { clip } from './incidentHeadline.ts';
import { type FitLevel, type ModelContext, taskInputId, taskShowCardId } from './incidentLayout.ts';
import { count, dueText } from './pieces.ts';
import { plainText } from './plainText.ts';

/** The incident card after the decision: follow-up tasks, closing, the closure and reopenings. */

export function tasksModel(tasks: readonly Task[], data: IncidentActionData, now: Date, ctx: ModelContext) {
  const { level } = ctx;
  const isOpen = (t: Task) => t.status !== 'done';
  const overdue = (t: Task) => isOpen(t) && Date.parse(t.dueAt) < now.getTime();
  const open = tasks.filter(isOpen).length;
  const late = tasks.filter(overdue).length;
  let shortened = 0;
  const list = tasks.map((t) => {
    const owner = clip(t.owner.name || 'someone', level.text);
    const inputId = taskInputId(t.id);
    const error = ctx.errors.shown[inputId];
    const item = {
      title: plainText(clip(t.title || 'Task', level.text)),
      state: plainText(`${isOpen(t) ? 'Open' : 'Done'} · Owner: ${owner}`),
      actionable: ctx.actionable.has(t.id),
      showCardId: taskShowCardId(t.id),
      inputId,
      data: { ...data, taskId: t.id },
      ...(error ? { error } : {}),
    };
    if (isOpen(t)) return { ...item, ...taskDue(t, now) };
    const outcome = t.outcome ?? '';
    const shown = clip(outcome, level.outcome);
    if (shown !== outcome) shortened++;
    const due = Number.isNaN(Date.parse(t.dueAt)) ? '' : ` (due ${londonDateTime(t.dueAt)})`;
    return {
      ...item,
      done: {
        by: plainText(`Done by ${clip(t.doneBy?.name || 'someone', level.text)}${t.doneAt ? ` on ${londonDateTime(t.doneAt)}` : ''}${due}`),
        outcome: plainText(`What happened: ${outcome.trim() ? shown : 'not recorded'}`),
      },
    };
  });
  return {
    shown: tasks.length > 0,
    summary: `${count(tasks.length, 'follow-up task')}: ${tasks.length - open} done, ${open} open${late > 0 ? `, ${late} overdue` : ''}.`,
    ...(shortened > 0
      ? { note: `${shortened === 1 ? 'One outcome is' : `${shortened} outcomes are`} shortened to fit the card; the full text is kept in the record.` }
      : {}),
    list,
  };
}

export function taskDue(task: Task, now: Date): { due?: { text: string } } {
  const due = Date.parse(task.dueAt);
  if (Number.isNaN(due)) return {};
  return { due: { text: dueText(new Date(due), now, { due: 'Due', overdue: 'OVERDUE' }) } };
}

export function closeModel(incident: Incident, handling: Handling) {
  const severity = handling.grading?.severity;
  const required = severity !== undefined && (LESSONS_REQUIRED as readonly string[]).includes(severity);
  const open = (handling.tasks ?? []).filter((t) => t.status !== 'done').length;
  return {
    intro:
      open > 0
        ? `${count(open, 'follow-up task')} ${open === 1 ? 'is' : 'are'} still open: close only if ${open === 1 ? 'it is' : 'they are'} no longer needed. A manager can reopen it later.`
        : 'Record how it ended. A manager can reopen it later.',
    // Required or not is said in the label and checked on the server: no isRequired, or Teams
    // would add its asterisk and say it twice.
    lessonsLabel: `Lessons learnt (${required ? 'required' : 'optional'})`,
  };
}

export function closureModel(closure: Closure | undefined, level: FitLevel) {
  if (!closure) return {};
  const outcome = clip(closure.outcome, level.closure);
  const lessonsText = closure.lessonsLearnt?.trim() ?? '';
  const lessons = clip(lessonsText, level.closure);
  const shortened = outcome !== closure.outcome || lessons !== lessonsText;
  return {
    closure: {
      by: plainText(`Closed by ${clip(closure.closedBy.name || 'a decider', level.text)} on ${londonDateTime(closure.closedAt)}`),
      outcome: plainText(outcome),
      lessons: lessonsText ? plainText(lessons) : 'None recorded.',
      ...(shortened ? { note: 'Shortened to fit the card; the full text is kept in the record.' } : {}),
    },
  };
}

export function reopeningsModel(reopenings: readonly Reopening[], level: FitLevel) {
  const listed = reopenings.slice(Math.max(0, reopenings.length - level.reopenings));
  const earlier = reopenings.length - listed.length;
  let shortened = false;
  const list = listed.map((r) => {
    const reason = clip(r.reason, level.closure);
    if (reason !== r.reason) shortened = true;
    return {
      by: plainText(`Reopened by ${clip(r.by.name || 'a manager', level.text)} on ${londonDateTime(r.at)}`),
      reason: plainText(`Reason: ${reason}`),
    };
  });
  const notes = [
    ...(earlier > 0 ? [`${count(earlier, 'earlier reopening')} ${earlier === 1 ? 'is' : 'are'} kept in the record.`] : []),
    ...(shortened ? ['Reasons are shortened to fit the card; the full text is kept in the record.'] : []),
  ];
  return { shown: reopenings.length > 0, list, ...(notes.length > 0 ? { note: notes.join(' ') } : {}) };
}
