import { beforeAll, describe, expect, it } from 'vitest';
import { PracticeSetup } from '../../src/app/practiceSetup.ts';
import { rolesOf } from '../../src/app/practiceRoles.ts';
import type { Practice } from '../../src/domain/practice.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

/** Roles from configuration are always in force; Teams adds to them and cannot take them away. */

const storage = useAzurite();
let stores: Stores;
const practice: Practice = {
  id: 'millbrook',
  name: 'Millbrook Medical Centre',
  teamIds: [],
  staff: [],
  staffNames: [],
  managers: ['aad-mary', 'aad-omar'],
  deputies: [],
  dataProtectionOfficers: ['aad-dora'],
};
const omar = { aadObjectId: 'aad-omar', name: 'Omar Owner' };
const mary = { aadObjectId: 'aad-mary', name: 'Mary Manager' };

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
});

const rolesNow = async () => await rolesOf(stores.practices, practice);

describe('roles from configuration', () => {
  it('reading them writes nothing', async () => {
    expect(await rolesNow()).toEqual({ managers: ['aad-mary', 'aad-omar'], deputies: [], dataProtectionOfficers: ['aad-dora'], safeguardingLeads: [] });
    expect(await stores.practices.practiceAudit(practice.id)).toEqual([]);
  });

  it('a manager added in Teams adds to the configured ones; only the addition is stored', async () => {
    const setup = new PracticeSetup(stores);
    expect(await setup.changeRole(practice, mary, { add: true, role: 'deputy', person: { aadObjectId: 'aad-dan', name: 'Dan Deputy' } })).toBe('Dan Deputy is now deputy practice manager.');
    expect(await rolesNow()).toMatchObject({ managers: ['aad-mary', 'aad-omar'], deputies: ['aad-dan'], dataProtectionOfficers: ['aad-dora'] });
    // Stored without the configured people: a change of configuration takes effect on its own.
    const stored = await stores.practices.roles(practice.id, { managers: [], deputies: [], dataProtectionOfficers: [] });
    expect(stored.value).toEqual({ managers: [], deputies: ['aad-dan'], dataProtectionOfficers: [], safeguardingLeads: [] });
  });

  it('a configured manager or DPO cannot be removed in Teams, and the manager is told why', async () => {
    const setup = new PracticeSetup(stores);
    const answer = await setup.changeRole(practice, omar, { add: false, role: 'manager', person: mary });
    expect(answer).toMatch(/Mary Manager is practice manager in Postwatch's configuration .* cannot be removed in Teams/);
    const dpo = await setup.changeRole(practice, omar, { add: false, role: 'dpo', person: { aadObjectId: 'AAD-DORA', name: 'Dora' } });
    expect(dpo).toMatch(/cannot be removed in Teams/);
    expect(await rolesNow()).toMatchObject({ managers: ['aad-mary', 'aad-omar'], dataProtectionOfficers: ['aad-dora'] });
    // A role added in Teams can still be removed there.
    expect(await setup.changeRole(practice, omar, { add: false, role: 'deputy', person: { aadObjectId: 'aad-dan', name: 'Dan Deputy' } })).toBe('Dan Deputy is no longer deputy practice manager.');
    expect((await rolesNow()).deputies).toEqual([]);
    expect((await stores.practices.practiceAudit(practice.id)).map((e) => e.action)).toEqual(['role.added', 'role.removed']);
  });
});
