import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/domain/incident.ts';
import type { Closure, Reopening, Task } from '../../src/domain/lifecycle.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { incidentCard, plainText, type IncidentCardOptions } from '../../src/views/index.ts';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { TEAMS_MAX_BYTES, body, bytes, elements, inputById, inputs, problems, siblings, textBlocks, texts, type Json } from '../support/cardChecks.ts';
import { contrastFailures } from '../support/contrast.ts';
import { ALL_ERRORS, DECISIONS, DEPUTY, FACTS, HOSTILE, HOSTILE_POST, HOSTILE_REPLY, HOSTILE_SHORT, LATER, MANAGER, OWNER, USER_TEXT, graded, hostileFindings, hostileIncident, hostileOptions, options, routed } from '../support/incidentSamples.ts';
import { all, executes, expectFollowUpData, liveMarkdown, plainTitle, section, showCard, showCards, taskDoneActions, verbsIn } from '../support/incidentCardChecks.ts';

/** Layout (src/views/incidentLayout.ts): the decision sections and where errors open them, the read-only view, refresh, and what is left out to fit under 28 KB. */

// ---- deciding -------------------------------------------------------------------------------------

describe('incident card decider view', () => {
  const SECTIONS: Array<[string, string[], string[]]> = [
    ['No response', [INCIDENT_INPUTS.reason], [INCIDENT_VERBS.noResponse]],
    ['Public reply', [INCIDENT_INPUTS.replyText, INCIDENT_INPUTS.reporterPostsReply], [INCIDENT_VERBS.checkReply, INCIDENT_VERBS.approveReply]],
    ['Choose actions', [INCIDENT_INPUTS.actions], [INCIDENT_VERBS.chooseActions]],
    ['Assign', [INCIDENT_INPUTS.assignee], [INCIDENT_VERBS.assign]],
    ['Ask the reporter', [INCIDENT_INPUTS.question], [INCIDENT_VERBS.ask]],
  ];

  it('five collapsed sections, each with its own inputs and verbs', () => {
    const card = incidentCard(routed(), options());
    expect(showCards(card).map((a) => plainTitle(a.title))).toEqual(SECTIONS.map(([title]) => title));
    for (const [title, ids, verbs] of SECTIONS) {
      const sub = showCard(card, title)!.card as Json;
      expect(inputs(sub).map((i) => i.id)).toEqual(ids);
      expect(verbsIn(sub)).toEqual(verbs);
    }
    // Nothing to decide with sits outside the sections.
    expect(inputs({ body: body(card).filter((e) => e.id !== 'decisions') })).toEqual([]);
    // The decision buttons come straight after the headline.
    expect(body(card).findIndex((e) => e.id === 'decisions')).toBeLessThan(body(card).findIndex((e) => texts(e)[0]?.startsWith('Recommended first') || texts(e)[0] === 'What the policy recommends'));
    expect(texts(card).some((t) => t.startsWith('Your decision'))).toBe(true);
  });

  it('action titles are plain', () => {
    const card = incidentCard(routed(), options());
    expect(executes(card).map((a) => a.title)).toEqual(['Refresh', 'Confirm no response', 'Check reply', 'Approve reply', 'Record actions', 'Assign', 'Send question', 'Evidence pack']);
  });

  it('no response: a required reason', () => {
    const reason = inputById(incidentCard(routed(), options()), INCIDENT_INPUTS.reason)!;
    expect(reason).toMatchObject({ type: 'Input.Text', isMultiline: true, maxLength: 500 });
    expect(reason).not.toHaveProperty('isRequired');
    expect(String(reason.label)).toMatch(/\(required\)$/);
  });

  it('public reply: the box holds the reply text exactly, with the toggle to ask the reporter to post it', () => {
    const card = incidentCard(routed(), options({ replyText: HOSTILE_REPLY }));
    expect(inputById(card, INCIDENT_INPUTS.replyText)).toMatchObject({ type: 'Input.Text', isMultiline: true, maxLength: 1000, value: HOSTILE_REPLY });
    expect(inputById(card, INCIDENT_INPUTS.replyText)).not.toHaveProperty('isRequired');
    expect(inputById(card, INCIDENT_INPUTS.reporterPostsReply)).toMatchObject({
      type: 'Input.Toggle',
      title: 'Ask the reporter to post this reply',
      valueOn: 'true',
      valueOff: 'false',
    });
  });

  it('choose actions: every recommended action, in order, ticked freely', () => {
    const incident = routed();
    const choiceSet = inputById(incidentCard(incident, options()), INCIDENT_INPUTS.actions)!;
    expect(choiceSet).toMatchObject({ type: 'Input.ChoiceSet', isMultiSelect: true, style: 'expanded' });
    expect(choiceSet).not.toHaveProperty('isRequired');
    expect(choiceSet.choices).toEqual(graded(incident).actions.map((a) => ({ title: a.title, value: a.id })));
  });

  it('assign: the deputies and managers given, by name; the current assignee chosen', () => {
    const choiceSet = inputById(incidentCard(routed(FACTS, 0, { assignedTo: DEPUTY }), options()), INCIDENT_INPUTS.assignee)!;
    expect(choiceSet.choices).toEqual([
      { title: 'Pat Manager', value: 'aad-manager' },
      { title: 'Dee Deputy', value: 'aad-deputy' },
    ]);
    expect(choiceSet.value).toBe('aad-deputy');
  });

  it.each([
    ['nobody', []],
    ['only people not yet known by name', [{ aadObjectId: 'aad-x', name: '' }, { aadObjectId: 'aad-y', name: '  ' }]],
  ])('with %s to assign to, Assign says how to add a deputy, offers no "Unnamed colleague" and no button', (_, assignees) => {
    const card = incidentCard(routed(), options({ assignees }));
    const sub = showCard(card, 'Assign')!.card as Json;
    expect(texts(sub)).toEqual(['No deputy or other manager is set up by name yet. In the practice channel, type "@Postwatch add deputy @Name" to add one.']);
    expect(inputs(sub)).toEqual([]);
    expect(verbsIn(card)).not.toContain(INCIDENT_VERBS.assign);
    expect(all(card)).not.toContain('Unnamed');
  });

  it('assign lists only the people known by name', () => {
    const card = incidentCard(routed(), options({ assignees: [MANAGER, { aadObjectId: 'aad-x', name: '' }] }));
    expect(inputById(card, INCIDENT_INPUTS.assignee)!.choices).toEqual([{ title: 'Pat Manager', value: 'aad-manager' }]);
  });

  it('ask the reporter: a required question', () => {
    const question = inputById(incidentCard(routed(), options()), INCIDENT_INPUTS.question)!;
    expect(question).toMatchObject({ type: 'Input.Text', isMultiline: true, maxLength: 500 });
    expect(question).not.toHaveProperty('isRequired');
  });

  describe('an error on an input: shown beneath it, with its section open in the body', () => {
    const sectionOf: Record<string, string> = {
      reason: 'decide-noResponse',
      replyText: 'decide-reply',
      reporterPostsReply: 'decide-reply',
      actions: 'decide-actions',
      assignee: 'decide-assign',
      question: 'decide-ask',
    };
    const titleOf: Record<string, string> = {
      'decide-noResponse': 'No response',
      'decide-reply': 'Public reply',
      'decide-actions': 'Choose actions',
      'decide-assign': 'Assign',
      'decide-ask': 'Ask the reporter',
    };

    it.each(Object.keys(sectionOf))('%s', (id) => {
      const message = `Problem with ${id}: [fix](http://evil.example)`;
      const card = incidentCard(routed(), options({ errors: { [id]: message } }));
      expect(problems(card)).toEqual([]);
      const open = section(card, sectionOf[id]!);
      expect(open).toBeDefined();
      expect(plainTitle(texts(open!)[0])).toBe(titleOf[sectionOf[id]!]);
      expect(showCard(card, titleOf[sectionOf[id]!]!)).toBeUndefined();
      expect(showCards(card)).toHaveLength(4);
      const input = inputById(card, id)!;
      const { list, index } = siblings(card, input);
      expect(list).toBe(open!.items);
      expect(list[index + 1]).toMatchObject({ type: 'TextBlock', text: plainText(message), weight: 'Bolder', wrap: true });
      expect(list[index + 1]!).not.toHaveProperty('color');
      expect(texts(body(card)[0]!)).toEqual(['Please fix the highlighted answer below.']);
      // The section keeps its own buttons.
      expect(verbsIn(open!).length).toBeGreaterThan(0);
    });

    it('errors on every input: every section open, no collapsed ones left', () => {
      const card = incidentCard(routed(), options({ errors: ALL_ERRORS }));
      expect(problems(card, { userText: USER_TEXT })).toEqual([]);
      expect(showCards(card)).toEqual([]);
      for (const id of Object.values(sectionOf)) expect(section(card, id)).toBeDefined();
      // "answer" is not an input of the incident card, and there is no task to mark done or
      // incident to close or reopen: those are told at the top.
      const elsewhere = [INCIDENT_INPUTS.answer, INCIDENT_INPUTS.taskOutcomePrefix, INCIDENT_INPUTS.closeOutcome, INCIDENT_INPUTS.lessonsLearnt, INCIDENT_INPUTS.reopenReason];
      expect(texts(body(card)[0]!)).toEqual(['Please fix the highlighted answers below.', ...elsewhere.map((id) => plainText(ALL_ERRORS[id]!))]);
    });

    it('an error for an input the card does not show goes to the top, and nothing opens', () => {
      const card = incidentCard(routed(), options({ assignees: [], errors: { assignee: 'Choose the deputy.' } }));
      expect(texts(body(card)[0]!)).toEqual(['Please check this:', 'Choose the deputy.']);
      // Assign stays, closed, saying how to add a deputy.
      expect(showCards(card)).toHaveLength(5);
    });

    it('no errors: no summary, nothing open', () => {
      const card = incidentCard(routed(), options({ errors: {} }));
      expect(all(card)).not.toContain('Please fix');
      expect(showCards(card)).toHaveLength(5);
      expect(textBlocks(card).filter((t) => t.color === 'Attention')).toEqual([]);
    });
  });
});

// ---- read-only ------------------------------------------------------------------------------------

describe('incident card read-only view', () => {
  it('everything but the decision: the post is shown, no inputs, no decision actions', () => {
    const decider = incidentCard(routed(), options());
    const readonly = incidentCard(routed(), options({ view: 'readonly' }));
    expect(inputs(readonly)).toEqual([]);
    expect(executes(readonly).map((a) => a.verb)).toEqual([INCIDENT_VERBS.refresh]);
    expect(readonly.actions ?? []).toEqual([]);
    expect(body(readonly).find((e) => e.id === 'decisions')).toBeUndefined();
    expect(texts(readonly)).toContain(plainText(FACTS.what.postText));
    expect(texts(readonly)).not.toContain('Your decision');
    expect(texts(readonly)).not.toContain('Evidence pack');
    // The same information as the decider sees, minus the decision area and the evidence pack.
    const deciderOnly = ['Your decision', 'Evidence pack', 'Open one of the options', 'One file with the incident'];
    const shared = (c: Json) => texts({ body: body(c).filter((e) => e.id !== 'decisions') }).filter((t) => !deciderOnly.some((d) => t.startsWith(d)));
    expect(shared(readonly)).toEqual(shared(decider));
  });

  it('the reply draft and its findings are not shown', () => {
    const card = incidentCard(routed(), options({ view: 'readonly', replyText: 'Secret draft', replyFindings: hostileFindings('Secret draft') }));
    expect(JSON.stringify(card)).not.toContain('Secret draft');
    expect(all(card)).not.toContain('Must change');
  });

  it('errors meant for decision inputs are not placed on it as fields', () => {
    const card = incidentCard(routed(), options({ view: 'readonly', errors: { reason: 'Say why.' } }));
    expect(inputs(card)).toEqual([]);
    expect(texts(body(card)[0]!)).toEqual(['Please check this:', 'Say why.']);
  });
});

// ---- refresh --------------------------------------------------------------------------------------

describe('incident card refresh', () => {
  it.each(['decider', 'readonly'] as const)('%s view: refresh to the given Teams user ids', (view) => {
    const card = incidentCard(routed(), options({ view, refreshUserIds: ['29:abc'] }));
    expect((card.refresh as Json).userIds).toEqual(['29:abc']);
    expect(((card.refresh as Json).action as Json).verb).toBe(INCIDENT_VERBS.refresh);
  });

  it('[] is kept as [] (no automatic refresh), not dropped', () => {
    const card = incidentCard(routed(), options({ refreshUserIds: [] }));
    expect(card.refresh).toHaveProperty('userIds', []);
  });

  it('duplicates are removed and the list is cut to the 60 Teams allows', () => {
    const ids = Array.from({ length: 70 }, (_, i) => `29:${i}`);
    const card = incidentCard(routed(), options({ refreshUserIds: ['29:0', ...ids] }));
    expect((card.refresh as Json).userIds).toEqual(ids.slice(0, 60));
    expect(problems(card)).toEqual([]);
  });
});

describe('incident card: every variant is a valid Teams card', () => {
  it('the worst case is cut to fit: the post is shortened, with a note, and the full text is kept', () => {
    const card = incidentCard(hostileIncident(), hostileOptions('decider'));
    expect(bytes(card)).toBeLessThan(TEAMS_MAX_BYTES);
    const shown = texts(card).find((t) => t.startsWith(plainText(HOSTILE_POST.slice(0, 100))));
    expect(shown).toBeDefined();
    expect(shown!.length).toBeLessThan(plainText(HOSTILE_POST).length);
    expect(texts(card).find((t) => t.startsWith('Showing the first'))).toMatch(/^Showing the first [\d,]+ of 8,000 characters\. The full text is kept\.$/);
  });

  it('10 questions and 25 screenshots: the most recent questions are shown and the rest counted, as are the screenshots', () => {
    const card = incidentCard(hostileIncident({ questions: 10, screenshots: 25 }), hostileOptions('decider'));
    const asked = texts(card).filter((t) => t.startsWith('Asked by '));
    expect(asked.length).toBeGreaterThanOrEqual(3);
    expect(asked.at(-1)).toMatch(/, 3 Nov 2026, 15:09$/);
    expect(asked.length).toBeLessThan(10);
    expect(texts(card)).toContain(`${10 - asked.length} earlier questions and their answers are kept in the record.`);
    const listed = texts(card).filter((t) => t.includes('SHA-256 9f86d081884c')).length;
    expect(texts(card)).toContain(`And ${25 - listed} more screenshots, all saved.`);
  });

  it('a short post is shown whole, with no note', () => {
    const card = incidentCard(routed(), options());
    expect(texts(card)).toContain(plainText(FACTS.what.postText));
    expect(all(card)).not.toContain('Showing the first');
  });
});

describe('incident card worst case: 20 screenshots, 15 actions, long text, every error', () => {
  const FIFTEEN = DEFAULT_POLICY.actions.slice(0, 15);
  function worst(): [Incident, IncidentCardOptions] {
    const incident = hostileIncident({ screenshots: 20, questions: 10 });
    const grading = graded(incident);
    const actions = FIFTEEN.map((a, i) => ({ id: a.id, title: `${a.title} ${HOSTILE_SHORT}`, reason: `${HOSTILE.slice(0, 300)} ${i}`, source: a.source, rule: 'r', guidance: a.guidance }));
    const warnings = DEFAULT_POLICY.warnings.slice(0, 12).map((w) => ({ id: w.id, text: `${w.text} ${HOSTILE.slice(0, 200)}`, source: w.source }));
    const heavy = { ...incident, handling: { ...incident.handling!, grading: { ...grading, actions, warnings } } };
    return [heavy, options({ errors: ALL_ERRORS, replyText: HOSTILE_REPLY, replyFindings: hostileFindings(HOSTILE_REPLY), refreshUserIds: Array.from({ length: 60 }, (_, i) => `29:${i}`) })];
  }

  it.each(['decider', 'readonly'] as const)('%s: a valid card under 28 KB, with the decision buttons still before the recommendations', (view) => {
    const [incident, opts] = worst();
    expect(FIFTEEN).toHaveLength(15);
    expect(incident.facts.evidence.screenshots).toHaveLength(20);
    const card = incidentCard(incident, { ...opts, view });
    expect(problems(card, { userText: USER_TEXT })).toEqual([]);
    expect(bytes(card)).toBeLessThan(TEAMS_MAX_BYTES);
    expect(contrastFailures(card)).toEqual([]);
    const at = (pred: (e: Json) => boolean) => body(card).findIndex(pred);
    const recommendations = at((e) => texts(e)[0] === 'What the policy recommends' || String(texts(e)[0]).startsWith('Recommended first'));
    // Every input has an error here, so every decision section is open where its button was.
    const decision = at((e) => e.id === 'decisions' || String(e.id).startsWith('decide-'));
    expect(recommendations).toBeGreaterThan(0);
    // A decider has them (open) before the recommendations; a read-only viewer has none (-1).
    expect(decision > 0).toBe(view === 'decider');
    expect(decision).toBeLessThan(recommendations);
    expect(at((e) => e.id === 'headline')).toBeLessThan(recommendations);
  });
});

const LONG_OUTCOME = (HOSTILE + '\n').repeat(10).slice(0, 1_000);
const LONG_CLOSURE = (HOSTILE + '\n').repeat(20).slice(0, 2_000);

function worstFollowThrough(opts: { status: 'in-progress' | 'closed'; openTasks: number }): Incident {
  const base = hostileIncident({ questions: 10, screenshots: 25, decision: { ...DECISIONS.actions!, by: { aadObjectId: 'aad-manager', name: HOSTILE_SHORT } } });
  const tasks: Task[] = Array.from({ length: 15 }, (_, i) => {
    const task: Task = {
      id: `t${i + 1}`,
      actionId: `action-${i}`,
      // Titles come from the practice's policy (the recommended actions), not from anyone's typing.
      title: 'Ask the author to remove the post, and keep a copy of the request',
      owner: { aadObjectId: i % 2 === 0 ? OWNER.aadObjectId : 'aad-other', name: HOSTILE_SHORT },
      dueAt: '2026-11-03T16:00:00Z',
      status: 'open',
    };
    return i < opts.openTasks ? task : { ...task, status: 'done', outcome: LONG_OUTCOME, doneBy: { aadObjectId: 'aad-other', name: HOSTILE_SHORT }, doneAt: '2026-11-04T10:00:00Z' };
  });
  const reopenings: Reopening[] = Array.from({ length: 7 }, (_, i) => ({ by: { aadObjectId: 'aad-manager', name: HOSTILE_SHORT }, at: `2026-11-0${i + 1}T10:00:00Z`, reason: LONG_CLOSURE }));
  const closure: Closure = { outcome: LONG_CLOSURE, lessonsLearnt: LONG_CLOSURE, closedBy: { aadObjectId: 'aad-manager', name: HOSTILE_SHORT }, closedAt: '2026-11-05T09:30:00Z' };
  return {
    ...base,
    status: opts.status,
    handling: { ...base.handling!, tasks, reopenings, ...(opts.status === 'closed' ? { closure } : {}) },
  };
}

/** Every error there can be: one on every input, and one on every task's outcome. */
function worstOptions(view: IncidentCardOptions['view']): IncidentCardOptions {
  const errors = { ...ALL_ERRORS, ...Object.fromEntries(Array.from({ length: 15 }, (_, i) => [`outcome_t${i + 1}`, ALL_ERRORS.question!])) };
  return { ...hostileOptions(view), now: LATER, viewerAadObjectId: OWNER.aadObjectId, canClose: true, canReopen: true, errors };
}

const WORST_USER_TEXT = [...USER_TEXT, LONG_OUTCOME, LONG_CLOSURE];

describe('incident card: worst case with tasks, closure and reopenings', () => {
  const variants: Array<[string, () => [Incident, IncidentCardOptions]]> = [
    ['decider, closed, 15 done tasks with long outcomes, 2,000-character closure, 7 reopenings', () => [worstFollowThrough({ status: 'closed', openTasks: 0 }), worstOptions('decider')]],
    ['read-only manager, closed', () => [worstFollowThrough({ status: 'closed', openTasks: 0 }), worstOptions('readonly')]],
    ['decider, in progress, 15 tasks (8 open, every one with an error)', () => [worstFollowThrough({ status: 'in-progress', openTasks: 8 }), worstOptions('decider')]],
    ['decider, in progress, 15 open tasks with errors', () => [worstFollowThrough({ status: 'in-progress', openTasks: 15 }), worstOptions('decider')]],
    ['decider, in progress, 15 open tasks, no errors', () => [worstFollowThrough({ status: 'in-progress', openTasks: 15 }), { ...worstOptions('decider'), errors: {} }]],
    ['read-only owner, in progress, 8 open', () => [worstFollowThrough({ status: 'in-progress', openTasks: 8 }), worstOptions('readonly')]],
  ];

  it.each(variants)('%s: a valid card under 28 KB', (_, make) => {
    const [incident, opts] = make();
    const card = incidentCard(incident, opts);
    expect(problems(card, { userText: WORST_USER_TEXT })).toEqual([]);
    expect(bytes(card)).toBeLessThan(TEAMS_MAX_BYTES);
    expectFollowUpData(card, incident);
    expect(liveMarkdown(all(card))).toEqual([]);
    expect(elements(card).filter((e) => e.type === 'ColumnSet')).toEqual([]);
    // Every task is still listed: shortened, never dropped.
    expect(elements(card).filter((e) => e.type === 'Container' && texts(e)[1]?.match(/^(Open|Done) · Owner: /) && (e.items as Json[])[1]?.text === texts(e)[1])).toHaveLength(15);
  });

  it('closed: outcomes, the closure and reasons are shortened, and the card says so', () => {
    const card = incidentCard(worstFollowThrough({ status: 'closed', openTasks: 0 }), worstOptions('decider'));
    expect(bytes(card)).toBeLessThan(TEAMS_MAX_BYTES);
    expect(texts(card)).toContain('15 outcomes are shortened to fit the card; the full text is kept in the record.');
    expect(texts(card)).toContain('Shortened to fit the card; the full text is kept in the record.');
    const reopened = texts(card).filter((t) => t.startsWith('Reopened by '));
    expect(reopened.at(-1)).toMatch(/ on 7 Nov 2026, 10:00$/);
    expect(texts(card)).toContain(`${7 - reopened.length} earlier reopenings are kept in the record. Reasons are shortened to fit the card; the full text is kept in the record.`);
    const outcome = texts(card).find((t) => t.startsWith('What happened: '))!;
    expect(outcome.length).toBeLessThan(plainText(`What happened: ${LONG_OUTCOME}`).length);
    expect(outcome.endsWith('…')).toBe(true);
    // Recommendations without their reasons and sources say so.
    expect(texts(card).filter((t) => t.startsWith('Source: '))).toEqual([]);
    expect(texts(card)).toContain('Reasons and sources are left out to fit the card; they are kept in the record.');
  });

  it('every open task the viewer may act on keeps its form, and every error its place', () => {
    const incident = worstFollowThrough({ status: 'in-progress', openTasks: 15 });
    const card = incidentCard(incident, worstOptions('decider'));
    // Close sits with the decision buttons, above the tasks.
    expect(inputs(card).map((i) => i.id)).toEqual([INCIDENT_INPUTS.closeOutcome, INCIDENT_INPUTS.lessonsLearnt, ...Array.from({ length: 15 }, (_, i) => `outcome_t${i + 1}`)]);
    for (let i = 1; i <= 15; i++) {
      const { list, index } = siblings(card, inputById(card, `outcome_t${i}`)!);
      expect(list[index + 1]).toMatchObject({ type: 'TextBlock', weight: 'Bolder' });
    }
    expect(taskDoneActions(card).map((a) => (a.data as Json).taskId)).toEqual(Array.from({ length: 15 }, (_, i) => `t${i + 1}`));
  });
});
