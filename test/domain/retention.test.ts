import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/domain/incident.ts';
import { addYears, placeHold, releaseHold, retentionOf, seriousReasons, stampRetention } from '../../src/domain/retention.ts';
import { RETENTION_RULES } from '../../src/policy/retention.ts';

const manager = { aadObjectId: 'aad-mo', name: 'Mo' };
const roles = { managers: ['aad-mo'], deputies: ['aad-dan'], dataProtectionOfficers: ['aad-dee'] };

function incident(overrides: { severity?: string; categories?: string[]; atRisk?: boolean; actions?: string[]; deciders?: string[]; closedAt?: string } = {}): Incident {
  return {
    practiceId: 'p',
    reference: 'PW-2016-0001',
    status: overrides.closedAt ? 'closed' : 'in-progress',
    reportedAt: '2016-01-01T00:00:00.000Z',
    reporter: manager,
    draftId: 'd',
    facts: {
      where: { platform: 'x', seenAt: '', seenDate: '', seenTime: '', authorRelationship: 'patient' },
      what: { postText: '', categories: (overrides.categories ?? ['personal-attack']) as never, namedParties: [] },
      risk: { atRisk: overrides.atRisk ?? false },
      evidence: { screenshots: [] },
    },
    handling: {
      version: 1,
      grading: { severity: overrides.severity ?? 'medium', deciders: overrides.deciders ?? ['practice-manager'] } as never,
      ...(overrides.actions ? { decision: { kind: 'actions', by: manager, at: '2016-01-02T00:00:00.000Z', actions: overrides.actions } } : {}),
      ...(overrides.closedAt ? { closure: { outcome: 'done', closedBy: manager, closedAt: overrides.closedAt } } : {}),
    },
  };
}

describe('retention periods (Records Management Code of Practice 2021, updated 2023)', () => {
  it('is 10 years from closure, 20 for a serious incident: critical, police involvement or safeguarding', () => {
    expect(seriousReasons(incident(), RETENTION_RULES)).toEqual([]);
    expect(seriousReasons(incident({ severity: 'critical' }), RETENTION_RULES)).toEqual(['graded critical']);
    expect(seriousReasons(incident({ actions: ['report-to-police'] }), RETENTION_RULES)).toEqual(['police involvement']);
    expect(seriousReasons(incident({ atRisk: true }), RETENTION_RULES)).toEqual(['police involvement']);
    expect(seriousReasons(incident({ categories: ['safeguarding'] }), RETENTION_RULES)).toEqual(['safeguarding']);
    expect(seriousReasons(incident({ deciders: ['safeguarding-lead'] }), RETENTION_RULES)).toEqual(['safeguarding']);
    const closedAt = '2016-02-29T10:00:00.000Z';
    expect(stampRetention(incident({ closedAt }), RETENTION_RULES).handling?.closure).toMatchObject({ retainUntil: '2026-03-01T10:00:00.000Z', retentionBasis: '10 years from closure' });
    expect(stampRetention(incident({ closedAt, severity: 'critical' }), RETENTION_RULES).handling?.closure?.retainUntil).toBe(addYears(closedAt, 20));
    // Not closed: nothing stamped, never due however old.
    expect(stampRetention(incident(), RETENTION_RULES).handling?.closure).toBeUndefined();
    expect(retentionOf(incident(), RETENTION_RULES, new Date('2100-01-01'))).toEqual({ state: 'open' });
  });

  it('is due the moment the period ends, and never while a hold is placed', () => {
    const closed = stampRetention(incident({ closedAt: '2016-03-01T12:00:00.000Z' }), RETENTION_RULES);
    expect(retentionOf(closed, RETENTION_RULES, new Date('2026-03-01T11:59:59.999Z')).state).toBe('kept');
    expect(retentionOf(closed, RETENTION_RULES, new Date('2026-03-01T12:00:00.000Z')).state).toBe('due');
    const held = placeHold(closed, roles, manager, '  Police investigation ', new Date('2020-01-01'));
    if (!held.ok) throw new Error('not held');
    expect(held.value.handling?.legalHold).toEqual({ by: manager, at: '2020-01-01T00:00:00.000Z', reason: 'Police investigation' });
    expect(retentionOf(held.value, RETENTION_RULES, new Date('2099-01-01')).state).toBe('held');
    expect(placeHold(closed, roles, { aadObjectId: 'aad-dan', name: 'Dan' }, 'x', new Date()).ok).toBe(false);
    expect(placeHold(closed, roles, manager, '   ', new Date())).toMatchObject({ ok: false, error: { kind: 'invalid' } });
    expect(placeHold(held.value, roles, manager, 'again', new Date())).toMatchObject({ ok: false, error: { kind: 'already-held' } });
    expect(releaseHold(held.value, roles, { aadObjectId: 'aad-dee', name: 'Dee' })).toMatchObject({ ok: false, error: { kind: 'not-a-manager' } });
    const released = releaseHold(held.value, roles, manager);
    expect(released.ok && retentionOf(released.value, RETENTION_RULES, new Date('2099-01-01')).state).toBe('due');
  });
});
