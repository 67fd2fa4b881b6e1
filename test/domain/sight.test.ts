import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/domain/incident.ts';
import { sameChannel, sightOf, type Asker, type Sight } from '../../src/domain/sight.ts';
import type { PracticeRoles } from '../../src/domain/roles.ts';

const roles: PracticeRoles = { managers: ['aad-mary'], deputies: ['aad-dan'], dataProtectionOfficers: ['aad-dave'], safeguardingLeads: ['aad-sally'] };
const incident = (deciders: string[] = ['practice-manager']): Pick<Incident, 'practiceId' | 'reporter' | 'handling'> => ({
  practiceId: 'millbrook',
  reporter: { aadObjectId: 'AAD-Rita', name: 'Rita' },
  handling: { version: 2, grading: { deciders } as never },
});
const asker = (aadObjectId: string, over: Partial<Asker> = {}): Asker => ({ aadObjectId, practiceId: 'millbrook', fromReviewChannel: false, ...over });

describe('who sees what (one rule)', () => {
  const cases: Array<[string, Asker, Sight, string[]?]> = [
    ['a manager', asker('aad-mary'), 'decider'],
    ['a deputy, whatever the case of the id', asker('AAD-DAN'), 'decider'],
    ['the DPO where data was disclosed', asker('aad-dave'), 'decider', ['practice-manager', 'data-protection-officer']],
    ['the DPO otherwise', asker('aad-dave'), 'none'],
    ['the safeguarding lead on a safeguarding post', asker('aad-sally'), 'decider', ['practice-manager', 'safeguarding-lead']],
    ['the reporter', asker('aad-rita'), 'reporter'],
    ['the reporter, pressing in the review channel', asker('aad-rita', { fromReviewChannel: true }), 'reporter'],
    ['a colleague in the review channel', asker('aad-sam', { fromReviewChannel: true }), 'channel'],
    ['a colleague anywhere else', asker('aad-sam'), 'none'],
    ['the manager acting for another practice', asker('aad-mary', { practiceId: 'cockhedge' }), 'none'],
    ['the reporter acting for another practice', asker('aad-rita', { practiceId: 'cockhedge' }), 'none'],
    ['someone in no practice, even "from the review channel"', asker('aad-mary', { practiceId: undefined, fromReviewChannel: true }), 'none'],
  ];
  it.each(cases)('%s', (_, who, expected, deciders) => {
    expect(sightOf(incident(deciders), roles, who)).toBe(expected);
  });

  it('compares channels by the channel, not the thread', () => {
    expect(sameChannel('19:review@thread.tacv2;messageid=123', '19:review@thread.tacv2')).toBe(true);
    expect(sameChannel('19:review@thread.tacv2', '19:review@thread.tacv2;messageid=9')).toBe(true);
    expect(sameChannel('19:general@thread.tacv2;messageid=123', '19:review@thread.tacv2')).toBe(false);
    expect(sameChannel('a:personal-29:sam', '19:review@thread.tacv2')).toBe(false);
    expect(sameChannel(undefined, '19:review@thread.tacv2')).toBe(false);
    expect(sameChannel(';messageid=1', ';messageid=2')).toBe(false);
  });
});
