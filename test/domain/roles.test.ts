import { describe, expect, it } from 'vitest';
import { isDpo, isManager, uniquePeople, type PracticeRoles } from '../../src/domain/roles.ts';

const roles: PracticeRoles = { managers: ['AAD-MARY'], deputies: ['aad-dan'], dataProtectionOfficers: ['Aad-Priya'], safeguardingLeads: [] };

describe('people in roles, whatever the case their Entra id was written in', () => {
  it('the DPO is the DPO however Teams or configuration wrote the id, and nobody else is', () => {
    expect(isDpo(roles, 'aad-priya')).toBe(true);
    expect(isDpo(roles, 'AAD-PRIYA')).toBe(true);
    expect(isDpo(roles, 'aad-mary')).toBe(false);
    expect(isManager(roles, 'aad-mary')).toBe(true);
  });

  it('each person once, in the order first named and as first written', () => {
    expect(uniquePeople(['AAD-MARY', 'aad-dan', 'aad-mary', 'Aad-Dan', 'aad-priya'])).toEqual(['AAD-MARY', 'aad-dan', 'aad-priya']);
    expect(uniquePeople([])).toEqual([]);
  });
});
