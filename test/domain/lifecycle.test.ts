import { describe, expect, it } from 'vitest';
import { close, completeTask, decide, reopen, route, type Person } from '../../src/domain/handling.ts';
import type { Incident, IncidentStatus } from '../../src/domain/incident.ts';
import { INCIDENT_STATUSES } from '../../src/domain/incident.ts';
import { canTransition, TRANSITIONS, transition } from '../../src/domain/lifecycle.ts';
import { gradeReport, gradingFactsFrom } from '../../src/domain/policy/grade.ts';
import type { PracticeRoles } from '../../src/domain/roles.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { overdueItems } from '../../src/app/reminders.ts';

const ALL = INCIDENT_STATUSES.map((s) => s.id);
const ALLOWED: Array<[IncidentStatus, IncidentStatus]> = [
  ['reported', 'awaiting-decision'],
  ['awaiting-decision', 'in-progress'],
  ['awaiting-decision', 'resolved'],
  ['in-progress', 'resolved'],
  ['in-progress', 'closed'],
  ['resolved', 'closed'],
  ['resolved', 'in-progress'],
  ['closed', 'awaiting-decision'],
  ['closed', 'in-progress'],
];

describe('the incident state machine', () => {
  it.each(ALL.flatMap((from) => ALL.map((to) => [from, to] as const)))('%s -> %s is allowed only if listed', (from, to) => {
    const expected = ALLOWED.some(([f, t]) => f === from && t === to);
    expect(canTransition(from, to)).toBe(expected);
    const result = transition(from, to);
    expect(result.ok).toBe(expected);
    if (!result.ok) expect(result.error).toEqual({ kind: 'impossible-transition', from, to });
  });
  it('lists exactly the allowed transitions', () => {
    expect(Object.entries(TRANSITIONS).flatMap(([f, ts]) => ts.map((t) => `${f}>${t}`)).sort()).toEqual(ALLOWED.map(([f, t]) => `${f}>${t}`).sort());
  });
});

const mary: Person = { aadObjectId: 'aad-mary', name: 'Mary' };
const dan: Person = { aadObjectId: 'aad-dan', name: 'Dan' };
const rita: Person = { aadObjectId: 'aad-rita', name: 'Rita' };
const roles: PracticeRoles = { managers: ['aad-mary'], deputies: ['aad-dan'], dataProtectionOfficers: [] };
const policy = loadPolicy();
const t0 = new Date('2026-11-24T09:00:00Z');
const hours = (h: number) => new Date(t0.getTime() + h * 3_600_000);

function reported(categories: string[] = ['personal-attack'], atRisk = false): Incident {
  const facts = {
    where: { platform: 'facebook', seenAt: t0.toISOString(), seenDate: '2026-11-24', seenTime: '09:00', authorRelationship: 'patient' },
    what: { postText: 'x', categories, namedParties: [] },
    risk: { atRisk },
    evidence: { screenshots: [], noScreenshotReason: 'none' },
  } as unknown as Incident['facts'];
  const incident: Incident = { practiceId: 'p', reference: 'PW-2026-0001', status: 'reported', reportedAt: t0.toISOString(), reporter: rita, draftId: 'd', facts };
  return route(incident, gradeReport(policy, gradingFactsFrom(facts, 0)), 0, t0);
}

function unwrap<T>(r: { ok: true; value: T } | { ok: false; error: unknown }): T {
  if (!r.ok) throw new Error(JSON.stringify(r.error));
  return r.value;
}

describe('follow-through', () => {
  it('turns chosen actions into tasks; the last one done resolves; closing needs lessons for high severity; a manager reopens', () => {
    const routed = reported(['harassment']);
    expect(routed.handling?.grading?.severity).toBe('high');
    const actions = routed.handling!.grading!.actions.slice(0, 2).map((a) => a.id);
    let incident = unwrap(decide(routed, roles, mary, { kind: 'actions', actions }, hours(1)));
    expect(incident.status).toBe('in-progress');
    expect(incident.handling?.tasks?.map((t) => [t.actionId, t.owner.aadObjectId, t.status])).toEqual(actions.map((a) => [a, 'aad-mary', 'open']));

    // Only the owner or a decider marks a task done, and must say what happened.
    expect(completeTask(incident, roles, rita, 't1', 'done', hours(2))).toMatchObject({ ok: false, error: { kind: 'not-the-owner' } });
    expect(completeTask(incident, roles, mary, 't1', '  ', hours(2))).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    incident = unwrap(completeTask(incident, roles, mary, 't1', 'Facebook report ref 123', hours(2)));
    expect(incident.status).toBe('in-progress');
    incident = unwrap(completeTask(incident, roles, dan, 't2', 'Author removed the post', hours(3)));
    expect(incident.status).toBe('resolved');

    expect(close(incident, roles, mary, { outcome: 'Removed', lessonsLearnt: '' }, hours(4))).toMatchObject({ ok: false, error: { field: 'lessonsLearnt' } });
    expect(close(incident, roles, rita, { outcome: 'Removed', lessonsLearnt: 'x' }, hours(4))).toMatchObject({ ok: false, error: { kind: 'not-a-decider' } });
    incident = unwrap(close(incident, roles, mary, { outcome: 'Removed', lessonsLearnt: 'Reply faster' }, hours(4)));
    expect(incident.status).toBe('closed');
    expect(close(incident, roles, mary, { outcome: 'again', lessonsLearnt: 'x' }, hours(5))).toMatchObject({ ok: false, error: { kind: 'impossible-transition' } });

    expect(reopen(incident, roles, dan, 'more posts', hours(5))).toMatchObject({ ok: false, error: { kind: 'not-a-manager' } });
    incident = unwrap(reopen(incident, roles, mary, 'The author posted again', hours(5)));
    expect(incident.status).toBe('in-progress');
    expect(incident.handling?.closure).toBeUndefined();
    expect(incident.handling?.reopenings?.[0]?.reason).toBe('The author posted again');
  });

  it('a low-severity incident can be closed without lessons learnt; no response resolves at once', () => {
    const routed = reported(['other-criticism']);
    expect(routed.handling?.grading?.severity).toBe('low');
    const decided = unwrap(decide(routed, roles, mary, { kind: 'no-response', reason: 'Fair criticism, no harm' }, hours(1)));
    expect(decided.status).toBe('resolved');
    expect(unwrap(close(decided, roles, mary, { outcome: 'Left alone', lessonsLearnt: '' }, hours(2))).status).toBe('closed');
  });

  it('an approved reply is a task for whoever posts it: the reporter when asked', () => {
    const routed = reported(['complaint']);
    const decided = unwrap(decide(routed, roles, mary, { kind: 'public-reply', replyText: 'Thank you', reporterPostsReply: true, replyBlocked: false }, hours(1)));
    expect(decided.handling?.tasks?.[0]?.owner).toEqual(rita);
    // The reporter, not a decider, may mark their own task done.
    expect(unwrap(completeTask(decided, roles, rita, 't1', 'Posted at 11:05', hours(2))).status).toBe('resolved');
  });
});

describe('what is overdue', () => {
  it('reminds the owner past the target and the deputy past twice the target', () => {
    const routed = reported(['personal-attack']); // medium: 8 hours
    expect(routed.handling?.grading?.decisionTargetHours).toBe(8);
    expect(overdueItems(routed, roles.managers, hours(7))).toEqual([]);
    expect(overdueItems(routed, roles.managers, hours(9)).map((o) => o.level)).toEqual([1]);
    expect(overdueItems(routed, roles.managers, hours(17)).map((o) => o.level)).toEqual([1, 2]);
    const decided = unwrap(decide(routed, roles, mary, { kind: 'actions', actions: [routed.handling!.grading!.actions[0]!.id] }, hours(1)));
    expect(overdueItems(decided, roles.managers, hours(2))).toEqual([]);
    const due = Date.parse(decided.handling!.tasks![0]!.dueAt);
    expect(overdueItems(decided, roles.managers, new Date(due + 1)).map((o) => [o.subject, o.level, o.owners])).toEqual([['task-t1', 1, ['aad-mary']]]);
  });
});

import { summarise } from '../../src/domain/summary.ts';

describe('the practice summary', () => {
  it('counts by severity (most serious first), category, platform and month, and finds repeat authors', () => {
    const row = (over: Partial<Parameters<typeof summarise>[0][number]>) => ({
      reportedAt: '2026-10-01T09:00:00Z', status: 'closed', severity: 'low', platform: 'facebook', categories: ['complaint'], atRisk: false, authorKey: '', ...over,
    });
    const s = summarise([
      row({ severity: 'high', authorKey: 'facebook:dad', categories: ['harassment', 'names-staff'] }),
      row({ severity: 'critical', atRisk: true, status: 'in-progress', authorKey: 'facebook:dad', reportedAt: '2026-11-02T09:00:00Z' }),
      row({ platform: 'nhs-website', authorKey: 'nhs-website:someone' }),
    ]);
    expect(s).toMatchObject({ total: 3, atRisk: 1, open: 1, repeatAuthors: 1, incidentsByRepeatAuthors: 2 });
    expect(s.bySeverity).toEqual([['critical', 1], ['high', 1], ['low', 1]]);
    expect(s.byCategory[0]).toEqual(['Complaint about care', 2]);
    expect(s.byPlatform).toEqual([['Facebook', 2], ['NHS website review', 1]]);
    expect(s.byMonth).toEqual([['2026-10', 2], ['2026-11', 1]]);
  });
});
