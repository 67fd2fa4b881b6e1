import { expect } from 'vitest';
import type { Incident } from '../../src/domain/incident.ts';
import { INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { plainText } from '../../src/views/index.ts';
import { INCIDENT_DATA_KEYS, TASK_DATA_KEYS, actions, body, elements, texts, type Json } from './cardChecks.ts';

/** Queries and expectations on incident cards, shared by the tests of each view file that draws part of them. */

/** The decision options: in the body's "decisions" ActionSet, straight after the headline. */
export const decisionActions = (card: Json) => [
  ...((card.actions as Json[] | undefined) ?? []),
  ...((body(card).find((e) => e.id === 'decisions')?.actions as Json[] | undefined) ?? []),
];
export const showCards = (card: Json) => decisionActions(card).filter((a) => a.type === 'Action.ShowCard');
/** A decision option by its title; "Public reply" also finds "Public reply (not advised)". */
export const showCard = (card: Json, title: string) => showCards(card).find((a) => a.title === title || String(a.title).startsWith(`${title} (`));
export const plainTitle = (title: unknown) => String(title).replace(/ \(not advised\)$/, '');
export const executes = (card: Json) => actions(card).filter((a) => a.type === 'Action.Execute');
export const decisionExecutes = (card: Json) => executes(card).filter((a) => a.verb !== INCIDENT_VERBS.refresh && a.verb !== INCIDENT_VERBS.pack);
export const verbsIn = (node: Json) => executes(node).map((a) => a.verb);
export const section = (card: Json, id: string) => body(card).find((e) => e.type === 'Container' && e.id === id);
export const all = (card: Json) => texts(card).join('\n') + '\n' + JSON.stringify(elements(card).filter((e) => e.type === 'FactSet'));

/** The incident contract: every Execute carries exactly the ids, with this version. */
export function expectIncidentData(card: Json, incident: Incident, version: number): void {
  // Every incident card has at least its refresh action: an empty list would check nothing.
  expect(executes(card).length).toBeGreaterThan(0);
  for (const a of executes(card)) {
    expect(Object.keys(a.data as Json).sort()).toEqual([...INCIDENT_DATA_KEYS].sort());
    expect(a.data).toEqual({ practiceId: incident.practiceId, reference: incident.reference, version });
  }
}

/** Markdown that would still take effect in shown text. */
export function liveMarkdown(text: string): string[] {
  return [...text.matchAll(/(^|[^\\])((?:\\\\)*)(\[click\]|\*\*bold|<script>|<at>|\[Evil\]|\[me\]|\[fix\]|\[shot|\[Dr Patel\])/gm)].map((m) => m[3]!);
}

export const taskContainer = (card: Json, title: string) =>
  elements(card).find((e) => e.type === 'Container' && Array.isArray(e.items) && (e.items as Json[])[0]?.text === plainText(title));
export const taskDoneActions = (card: Json) => executes(card).filter((a) => a.verb === INCIDENT_VERBS.taskDone);
export const executeNamed = (card: Json, verb: string) => executes(card).filter((a) => a.verb === verb);

/** Every Execute carries the ids (and taskDone its task id), with this version. */
export function expectFollowUpData(card: Json, incident: Incident): void {
  const ids = { practiceId: incident.practiceId, reference: incident.reference, version: incident.handling?.version ?? 0 };
  expect(executes(card).length).toBeGreaterThan(0);
  for (const a of executes(card)) {
    if (a.verb === INCIDENT_VERBS.taskDone) {
      expect(Object.keys(a.data as Json).sort()).toEqual([...TASK_DATA_KEYS].sort());
      expect(a.data).toEqual({ ...ids, taskId: expect.stringMatching(/^t\d+$/) });
    } else expect(a.data).toEqual(ids);
  }
}
