import { describe, expect, it } from 'vitest';
import type { QuestionToReporter } from '../../src/domain/handling.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { ReportFacts } from '../../src/domain/report.ts';
import { incidentCard, plainText, type IncidentCardOptions } from '../../src/views/index.ts';
import { INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { INCIDENT_DATA_KEYS, TEAMS_MAX_BYTES, body, bytes, elements, fact, inputs, problems, shape, textBlocks, texts, type Json } from '../support/cardChecks.ts';
import { contrast, contrastFailures, textColours } from '../support/contrast.ts';
import { ALL_ERRORS, DECIDER_IDS, DECISIONS, DEPUTY, FACTS, FOLLOW_USER_TEXT, HOSTILE, HOSTILE_REPLY, HOSTILE_SHORT, MANAGER, OWNER, PRACTICE, SCREENSHOT, USER_TEXT, closed, decided, followedUp, hostileFindings, hostileIncident, hostileOptions, options, routed } from '../support/incidentSamples.ts';
import { all, decisionExecutes, executeNamed, executes, expectIncidentData, liveMarkdown, showCards, verbsIn } from '../support/incidentCardChecks.ts';

/**
 * The incident card as a whole (src/views/incidentCards.ts): every variant is a valid Teams card,
 * the action data, the evidence pack button, user text as data and contrast. What each part draws
 * is tested beside its own view file: incidentHeadline, incidentDetails, incidentFollowThrough and
 * incidentLayout (fitting and the decision sections). Samples are in test/support/incidentSamples.ts.
 */

describe('incident card: every variant is a valid Teams card', () => {
  /** Each variant with whether it offers the decision: only a decider looking at an undecided incident. */
  const variants: Array<[string, () => [Incident, IncidentCardOptions], boolean]> = [
    ['decider, undecided', () => [routed(), options()], true],
    ['read-only, undecided', () => [routed(), options({ view: 'readonly' })], false],
    ...Object.entries(DECISIONS).flatMap(([name, decision]): Array<[string, () => [Incident, IncidentCardOptions], boolean]> => [
      [`decider, decided (${name})`, () => [decided(decision), options()], false],
      [`read-only, decided (${name})`, () => [decided(decision), options({ view: 'readonly' })], false],
    ]),
    ['decider, errors on every input', () => [routed(), options({ errors: ALL_ERRORS })], true],
    ['decider, blocking and advisory findings', () => [routed(), options({ replyText: HOSTILE_REPLY, replyFindings: hostileFindings(HOSTILE_REPLY) })], true],
    ['decider, at risk', () => [routed({ ...FACTS, risk: { atRisk: true, riskDetails: 'He said he would wait outside.' } }), options()], true],
    ['decider, not routed yet', () => [{ ...routed(), handling: undefined }, options()], true],
    ['decider, worst case', () => [hostileIncident(), hostileOptions('decider')], true],
    ['read-only, worst case', () => [hostileIncident(), hostileOptions('readonly')], false],
    ['decider, worst case, decided', () => [hostileIncident({ decision: { ...DECISIONS['public reply']!, replyText: HOSTILE_REPLY } }), hostileOptions('decider')], false],
    ['decider, worst case, 10 questions and 25 screenshots', () => [hostileIncident({ questions: 10, screenshots: 25 }), hostileOptions('decider')], true],
  ];

  it.each(variants)('%s', (_, make, decides) => {
    const [incident, opts] = make();
    const card = incidentCard(incident, opts);
    expect(problems(card, { userText: USER_TEXT })).toEqual([]);
    expect(bytes(card)).toBeLessThan(TEAMS_MAX_BYTES);
    expect(card.version).toBe('1.5');
    expect(card.$schema).toBe('http://adaptivecards.io/schemas/adaptive-card.json');
    expect(card.refresh).toEqual({
      action: { type: 'Action.Execute', title: 'Refresh', verb: INCIDENT_VERBS.refresh, data: { practiceId: incident.practiceId, reference: incident.reference, version: incident.handling?.version ?? 0 } },
      userIds: DECIDER_IDS,
    });
    expectIncidentData(card, incident, incident.handling?.version ?? 0);
    // Narrow phones: no columns anywhere.
    expect(elements(card).filter((e) => e.type === 'ColumnSet')).toEqual([]);
    // The decision is offered (inputs, decision verbs, its sections collapsed or opened by an
    // error) exactly when the variant says so; every verb is an incident verb.
    const decisionSections = showCards(card).length + body(card).filter((e) => String(e.id).startsWith('decide-')).length;
    expect({ inputs: inputs(card).length > 0, verbs: decisionExecutes(card).length > 0, sections: decisionSections > 0 }).toEqual({ inputs: decides, verbs: decides, sections: decides });
    expect(verbsIn(card).length).toBeGreaterThan(0);
    expect(verbsIn(card).filter((verb) => !(Object.values(INCIDENT_VERBS) as unknown[]).includes(verb))).toEqual([]);
  });
});

// ---- the checker catches what it must, inside ShowCards too --------------------------------------

describe('the card checker, on incident cards', () => {
  const good = () => incidentCard(routed(), options());
  const subBody = (c: Json) => ((showCards(c)[0]!.card as Json).body as Json[]);
  const firstExecuteData = (c: Json) => (executes(c).find((a) => a.verb !== INCIDENT_VERBS.refresh)!.data as Json);
  const broken: Array<[string, (c: Json) => void, RegExp]> = [
    ['an unknown element inside a ShowCard', (c) => subBody(c).push({ type: 'Graph' }), /parse/],
    ['a bad property inside a ShowCard', (c) => subBody(c).push({ type: 'TextBlock', text: 'x', size: 'Gigantic' }), /parse|validate/],
    ['an input without an id inside a ShowCard', (c) => subBody(c).push({ type: 'Input.Text', label: 'X' }), /parse|validate/],
    ['an unlabelled input inside a ShowCard', (c) => subBody(c).push({ type: 'Input.Text', id: 'x2' }), /has no label/],
    ['a duplicate input id across ShowCards', (c) => subBody(c).push({ type: 'Input.Text', id: 'question', label: 'Again' }), /validate/],
    ['an unknown verb inside a ShowCard', (c) => subBody(c).push({ type: 'ActionSet', actions: [{ type: 'Action.Execute', title: 'X', verb: 'incident.delete', data: { practiceId: 'p', reference: 'r', version: 1 } }] }), /unknown verb/],
    ['a role in action data', (c) => (firstExecuteData(c).role = 'manager'), /not exactly/],
    ['a missing version', (c) => delete firstExecuteData(c).version, /not exactly|version/],
    ['a version sent as text', (c) => (firstExecuteData(c).version = '1'), /version is not a whole number/],
    ['report data on an incident verb', (c) => subBody(c).push({ type: 'ActionSet', actions: [{ type: 'Action.Execute', title: 'X', verb: INCIDENT_VERBS.ask, data: { draftId: 'd' } }] }), /not exactly/],
    ['an OpenUrl action', (c) => ((c.actions ??= []) as Json[]).push({ type: 'Action.OpenUrl', title: 'X', url: 'https://evil.example' }), /only Action.Execute/],
    ['a refresh with the wrong verb', (c) => ((c.refresh as Json).action = { type: 'Action.Execute', title: 'R', verb: 'report.next' }), /refresh/],
    ['a refresh for 61 users', (c) => ((c.refresh as Json).userIds = Array.from({ length: 61 }, (_, i) => `29:${i}`)), /Teams takes 60/],
    ['version 1.6', (c) => (c.version = '1.6'), /above what Teams renders/],
    ['a template left unexpanded inside a ShowCard', (c) => subBody(c).push({ type: 'TextBlock', text: '${reason}' }), /unexpanded/],
  ];
  it('user text does not hide a template left unexpanded', () => {
    const card = structuredClone(good());
    body(card).push({ type: 'TextBlock', text: 'Reference ${reference}' });
    expect(problems(card, { userText: USER_TEXT }).join('\n')).toMatch(/unexpanded/);
    const shortened = structuredClone(good());
    body(shortened).push({ type: 'TextBlock', text: plainText(HOSTILE.slice(0, 40)) + '…' });
    expect(problems(shortened, { userText: USER_TEXT })).toEqual([]);
  });
  it('passes the good card', () => expect(problems(good())).toEqual([]));
  it.each(broken)('catches %s', (_, breakIt, expected) => {
    const card = structuredClone(good());
    breakIt(card);
    expect(problems(card).join('\n')).toMatch(expected);
  });
});

describe('incident card header', () => {
  it('shows who it is assigned to', () => {
    expect(texts(incidentCard(routed(FACTS, 0, { assignedTo: DEPUTY }), options()))).toContain('Assigned to Dee Deputy');
  });

  it('version in the action data is the handling version, 0 for an incident not yet routed', () => {
    const card = incidentCard(routed(FACTS, 0, { version: 12 }), options());
    expectIncidentData(card, routed(), 12);
    const unrouted = { ...routed(), handling: undefined };
    const card0 = incidentCard(unrouted, options());
    expectIncidentData(card0, unrouted, 0);
    expect(texts(card0)).toContain('Not graded yet');
  });
});

// ---- hostile text ---------------------------------------------------------------------------------

describe('incident card: user text is data', () => {
  /** Hostile text in every field, small enough that nothing is shortened, and the same incident with plain text. */
  function pair(view: IncidentCardOptions['view']): [Json, Json] {
    const make = (t: (s: string) => string) => {
      const facts: ReportFacts = {
        where: { ...FACTS.where, postUrl: t(`https://evil.example/[x](http://evil.example)`), authorName: t(HOSTILE_SHORT) },
        what: { ...FACTS.what, postText: t(HOSTILE), namedColleagues: t(HOSTILE_SHORT) },
        risk: { atRisk: true, riskDetails: t(HOSTILE) },
        evidence: { screenshots: [0, 1, 2].map((i) => ({ ...SCREENSHOT, fileName: t(`[shot ${i}](http://evil.example) \${f} <b>.png`) })) },
      };
      const questions: QuestionToReporter[] = [
        { askedBy: { ...MANAGER, name: t(HOSTILE_SHORT) }, askedAt: '2026-11-03T15:00:00Z', question: t(HOSTILE_SHORT), answer: t(HOSTILE), answeredAt: '2026-11-03T15:30:00Z' },
        { askedBy: MANAGER, askedAt: '2026-11-03T16:00:00Z', question: t(HOSTILE) },
      ];
      const reply = t(HOSTILE_REPLY.slice(0, 200));
      const incident = { ...routed(facts, 2, { questions, assignedTo: { ...DEPUTY, name: t(HOSTILE_SHORT) }, version: 7 }), reporter: { aadObjectId: 'aad-reporter', name: t(HOSTILE_SHORT) } };
      return incidentCard(
        incident,
        options({
          view,
          practiceName: t('[Evil](http://evil.example) ${$root.reference}'),
          assignees: [{ aadObjectId: 'aad-deputy', name: t(HOSTILE_SHORT) }, MANAGER],
          replyText: reply,
          replyFindings: [
            { rule: 'staff-name', severity: 'blocking', message: t(`"[Dr Patel](http://evil.example)" names a member of staff.`), start: reply.indexOf('Our'), end: reply.indexOf('Our') + 43 },
            { rule: 'argumentative', severity: 'advisory', message: t(HOSTILE_SHORT), start: reply.indexOf('$'), end: reply.indexOf('$') + 10 },
          ],
          errors: Object.fromEntries(Object.keys(ALL_ERRORS).map((k) => [k, t(ALL_ERRORS[k]!)])),
          notice: { tone: 'attention', text: t(HOSTILE_SHORT) },
        }),
      );
    };
    return [make((x) => x), make((x) => x.replace(/[^\n]/g, 'a'))];
  }

  it.each(['decider', 'readonly'] as const)('%s: no element or action injected, nothing evaluated, no live markdown', (view) => {
    const [hostile, benign] = pair(view);
    expect(problems(hostile, { userText: USER_TEXT })).toEqual([]);
    expect(all(hostile)).not.toContain('Showing the first'); // nothing shortened: the whole text is compared
    expect(shape(hostile)).toEqual(shape(benign));
    const shown = all(hostile);
    expect(liveMarkdown(shown)).toEqual([]);
    expect(shown).toContain('${jndi:ldap://evil.example/a}');
    expect(shown).toContain('${$root.x} ${$root.reference}');
    expect(shown).not.toContain(`${PRACTICE} PW-2026-0042`);
    expect(JSON.stringify(hostile)).not.toContain('"Action.OpenUrl","url"');
    expect(texts(hostile)).toContain(plainText('[Evil](http://evil.example) ${$root.reference}'));
    expect(texts(hostile)).toContain(plainText(HOSTILE));
  });

  it.each(['decider', 'readonly'] as const)('%s, worst case: no live markdown, nothing evaluated', (view) => {
    const card = incidentCard(hostileIncident({ questions: 10, screenshots: 25 }), hostileOptions(view));
    expect(problems(card, { userText: USER_TEXT })).toEqual([]);
    expect(liveMarkdown(all(card))).toEqual([]);
    expect(all(card)).not.toContain(`${PRACTICE} PW-2026-0042`);
  });

  it('the author, named colleagues, risk details, screenshot names and questions are escaped', () => {
    const card = incidentCard(hostileIncident({ questions: 1 }), hostileOptions('readonly'));
    expect(fact(card, 'Author')).toBe(plainText(HOSTILE_SHORT));
    expect(texts(card).some((t) => t.startsWith(plainText('[shot 0](http://evil.example) ${f} <b>.png — ')))).toBe(true);
    // Shortened to fit (the worst case), but escaped from its first character.
    expect(texts(card).some((t) => t.startsWith(plainText((HOSTILE + ' ').slice(0, 100))))).toBe(true);
    expect(texts(card)).toContain(`Asked by ${plainText(HOSTILE_SHORT)}, 3 Nov 2026, 15:00`);
  });
});

describe('incident card: the evidence pack', () => {
  const packs = (card: Json) => executeNamed(card, INCIDENT_VERBS.pack);

  it.each([
    ['decider, undecided', () => incidentCard(routed(), options())],
    ['decider, in progress', () => incidentCard(followedUp(), options())],
    ['decider, closed', () => incidentCard(closed(), options())],
    ['read-only, closed, a manager who can reopen', () => incidentCard(closed(), options({ view: 'readonly', canReopen: true }))],
    ['read-only, closed, a decider who can close', () => incidentCard(closed(), options({ view: 'readonly', canClose: true }))],
  ])('%s: an "Evidence pack" button with the incident ids only, no inputs', (_, make) => {
    const card = make();
    expect(problems(card, { userText: FOLLOW_USER_TEXT })).toEqual([]);
    expect(packs(card)).toHaveLength(1);
    const pack = packs(card)[0]!;
    expect(pack).toMatchObject({ title: 'Evidence pack', data: { practiceId: 'wickersley', reference: 'PW-2026-0042', version: expect.any(Number) } });
    expect(Object.keys(pack.data as Json).sort()).toEqual([...INCIDENT_DATA_KEYS].sort());
    expect(pack.associatedInputs === undefined || pack.associatedInputs === 'none').toBe(true);
    const container = body(card).find((e) => elements(e).includes(pack))!;
    expect(inputs(container)).toEqual([]);
  });

  it.each([
    ['read-only, undecided', () => incidentCard(routed(), options({ view: 'readonly' }))],
    ['read-only, in progress, the task owner', () => incidentCard(followedUp(), options({ view: 'readonly', viewerAadObjectId: OWNER.aadObjectId }))],
    ['read-only, closed, nobody in particular', () => incidentCard(closed(), options({ view: 'readonly' }))],
  ])('%s: no evidence pack', (_, make) => {
    const card = make();
    expect(packs(card)).toEqual([]);
    expect(texts(card)).not.toContain('Evidence pack');
  });
});

describe('incident card colours: 4.5:1 in Teams light, dark and high contrast', () => {
  it('the checker fails what it must: Teams warning text on white, attention text on dark', () => {
    expect(contrast('#000000', '#ffffff')).toBeCloseTo(21, 0);
    const warningOnWhite = { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'Careful', color: 'Warning' }] };
    expect(contrastFailures(warningOnWhite).join('\n')).toMatch(/^light: warning text on default is 1\.\d+:1/);
    const errorInShowCard = { type: 'AdaptiveCard', actions: [{ type: 'Action.ShowCard', title: 'X', card: { type: 'AdaptiveCard', body: [{ type: 'TextBlock', text: 'Fix', color: 'Attention' }] } }] };
    expect(contrastFailures(errorInShowCard).join('\n')).toMatch(/dark: attention text on emphasis is 3\.\d+:1/);
    const subtleInAttention = { type: 'AdaptiveCard', body: [{ type: 'Container', style: 'attention', items: [{ type: 'TextBlock', text: 'ok', isSubtle: true }] }] };
    expect(contrastFailures(subtleInAttention)).toEqual([]);
  });

  const VARIANTS: Array<[string, () => [Incident, Partial<IncidentCardOptions>]]> = [
    ['decider, undecided', () => [routed(), {}]],
    ['read-only', () => [routed(), { view: 'readonly' }]],
    ['at risk, repeat author, overdue', () => [routed({ ...FACTS, risk: { atRisk: true } }, 2), { now: new Date('2026-11-05T10:00:00Z') }]],
    ['errors on every input, blocking findings, an attention notice', () => [hostileIncident(), { errors: ALL_ERRORS, replyText: HOSTILE_REPLY, replyFindings: hostileFindings(HOSTILE_REPLY), notice: { tone: 'attention', text: 'Refused.' } }]],
    ['decided, a good notice', () => [decided(DECISIONS['public reply']!), { notice: { tone: 'good', text: 'Done.' } }]],
    ['not routed yet, a default notice', () => [{ ...routed(), handling: undefined }, { notice: { tone: 'default', text: 'Grading.' } }]],
  ];
  it.each(VARIANTS)('%s: every text holds 4.5:1 in every theme, and no coloured text is used', (_, make) => {
    const [incident, overrides] = make();
    const card = incidentCard(incident, options(overrides));
    expect(textColours(card).length).toBeGreaterThan(30);
    expect(contrastFailures(card)).toEqual([]);
    // Warnings, severity and errors are carried by container styles, never by text colour.
    expect(textBlocks(card).filter((t) => t.color !== undefined && t.color !== 'Default')).toEqual([]);
  });
});
