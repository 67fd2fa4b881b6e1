import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { PracticeSetup } from '../../src/app/practiceSetup.ts';
import { Records } from '../../src/app/records.ts';
import { RefusalLimiter, Refusals } from '../../src/app/refusals.ts';
import { rolesOf } from '../../src/app/practiceRoles.ts';
import type { Incident } from '../../src/domain/incident.ts';
import type { Practice } from '../../src/domain/practice.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { ConflictError, type Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';
import { storedReport } from '../support/reports.ts';

/**
 * The use cases that lose a race (someone else saved first) read again and try on top, three
 * tries in all, against Azurite: a real lost race is won on the next try; one lost every time
 * ends in the answer each use case gave before retryOnConflict, with nothing half-written.
 */

const storage = useAzurite();
let stores: Stores;
const clock = new Date('2026-11-30T10:00:00.000Z');
const now = () => clock;
const mary = { aadObjectId: 'aad-mary', name: 'Mary Manager' };
const omar = { aadObjectId: 'aad-omar', name: 'Omar Owner' };
const rita = { aadObjectId: 'aad-rita', name: 'Rita Reception' };

function practice(id: string): Practice {
  return { id, name: `Practice ${id}`, teamIds: [], staff: [], staffNames: [], managers: [mary.aadObjectId, omar.aadObjectId], deputies: [], dataProtectionOfficers: [] };
}

/** The store as it is, but for the methods given: calls to them go to the test's version. */
function overriding<T extends object>(target: T, overrides: Partial<T>): T {
  return new Proxy(target, {
    get(t, name, receiver) {
      if (Object.hasOwn(overrides, name)) return overrides[name as keyof T];
      const value = Reflect.get(t, name, receiver) as unknown;
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(t) : value;
    },
  });
}

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now });
});

describe('a role change that loses a race', () => {
  it('is read again and applied on top of the other manager\'s change: both stand, both audited', async () => {
    const p = practice(`roles-${randomUUID().slice(0, 8)}`);
    let saves = 0;
    const practices = overriding(stores.practices, {
      saveRoles: async (...args: Parameters<Stores['practices']['saveRoles']>) => {
        // Omar's change lands between Mary's read and her first write: her ETag is stale for real.
        if (saves++ === 0) await new PracticeSetup(stores).changeRole(p, omar, { add: true, role: 'deputy', person: { aadObjectId: 'aad-dan', name: 'Dan' } });
        return stores.practices.saveRoles(...args);
      },
    });
    const answer = await new PracticeSetup({ practices }).changeRole(p, mary, { add: true, role: 'dpo', person: { aadObjectId: 'aad-dora', name: 'Dora' } });
    expect(answer).toBe('Dora is now Data Protection Officer.');
    expect(saves).toBe(2);
    const roles = await rolesOf(stores.practices, p);
    expect(roles.deputies).toEqual(['aad-dan']);
    expect(roles.dataProtectionOfficers).toEqual(['aad-dora']);
    // Both at the same (fixed) moment: the trail's order between them is not the point.
    expect((await stores.practices.practiceAudit(p.id)).map((e) => `${e.actor.name}: ${e.action}: ${e.summary}`).sort()).toEqual(['Mary Manager: role.added: Made Dora Data Protection Officer.', 'Omar Owner: role.added: Made Dan deputy practice manager.']);
  });

  it('every time is tried three times, then fails as "Roles changed too often at once" with nothing stored', async () => {
    const p = practice(`roles-${randomUUID().slice(0, 8)}`);
    let saves = 0;
    const practices = overriding(stores.practices, {
      saveRoles: async () => {
        saves++;
        throw new ConflictError('Save roles: someone else wrote first (HTTP 412).');
      },
    });
    const thrown = await new PracticeSetup({ practices }).changeRole(p, mary, { add: true, role: 'deputy', person: { aadObjectId: 'aad-dan', name: 'Dan' } }).catch((e: unknown) => e);
    expect(thrown).toBeInstanceOf(ConflictError);
    expect((thrown as Error).message).toBe('Roles changed too often at once');
    expect(saves).toBe(3);
    expect((await rolesOf(stores.practices, p)).deputies).toEqual([]);
    expect(await stores.practices.practiceAudit(p.id)).toEqual([]);
  });

  it('a storage outage is not retried: the first error is the answer', async () => {
    const p = practice(`roles-${randomUUID().slice(0, 8)}`);
    let saves = 0;
    const down = new Error('storage unavailable');
    const practices = overriding(stores.practices, {
      saveRoles: async () => {
        saves++;
        throw down;
      },
    });
    await expect(new PracticeSetup({ practices }).changeRole(p, mary, { add: true, role: 'deputy', person: { aadObjectId: 'aad-dan', name: 'Dan' } })).rejects.toBe(down);
    expect(saves).toBe(1);
  });
});

describe('a legal hold that loses a race', () => {
  async function closedIncident(practiceId: string): Promise<Incident> {
    const incident = await storedReport(stores, rita, clock, { practiceId, postText: 'A post', seenTime: '09:00' });
    return stores.incidents.update(
      { ...incident, status: 'closed', handling: { version: 1, closure: { outcome: 'Removed', closedBy: mary, closedAt: clock.toISOString(), retainUntil: '2036-11-30T10:00:00.000Z', retentionBasis: '10 years from closure' } } },
      { actor: mary, action: 'incident.close', summary: 'Closed.' },
    );
  }

  function records(incidents: Stores['incidents']): Records {
    const refusals = new Refusals({ incidents, limiter: new RefusalLimiter(now), now, isPractice: () => true });
    const retention = {
      plan: async () => [],
      erase: async () => {
        throw new Error('not part of a legal hold');
      },
    };
    return new Records({ incidents, practices: stores.practices }, retention, now, (t) => t, refusals);
  }

  it('is placed on what is there now after another change landed first', async () => {
    const p = practice(`hold-${randomUUID().slice(0, 8)}`);
    const incident = await closedIncident(p.id);
    let updates = 0;
    const incidents = overriding(stores.incidents, {
      update: async (...args: Parameters<Stores['incidents']['update']>) => {
        // An audit entry lands between the read and the hold's write: the ETag is stale for real.
        if (updates++ === 0) await stores.incidents.appendAudit(p.id, incident.reference, { actor: omar, action: 'incident.viewed', summary: 'Looked.' });
        return stores.incidents.update(...args);
      },
    });
    expect(await records(incidents).hold(p, mary, incident.reference, 'Police investigation')).toMatch(/^Legal hold placed on /);
    expect(updates).toBe(2);
    expect((await stores.incidents.get(p.id, incident.reference))?.handling?.legalHold).toMatchObject({ reason: 'Police investigation' });
    expect((await stores.incidents.auditTrail(p.id, incident.reference)).map((e) => e.action)).toEqual(['incident.reported', 'incident.close', 'incident.viewed', 'legal-hold.placed']);
  });

  it('every time is tried three times, then the manager is told to try again, and nothing is held', async () => {
    const p = practice(`hold-${randomUUID().slice(0, 8)}`);
    const incident = await closedIncident(p.id);
    let updates = 0;
    const incidents = overriding(stores.incidents, {
      update: async () => {
        updates++;
        throw new ConflictError('Update incident: someone else wrote first (HTTP 412).');
      },
    });
    expect(await records(incidents).hold(p, mary, incident.reference, 'Police investigation')).toBe(`${incident.reference} is being changed by someone else just now. Try again in a moment.`);
    expect(updates).toBe(3);
    expect((await stores.incidents.get(p.id, incident.reference))?.handling?.legalHold).toBeUndefined();
    expect((await stores.incidents.auditTrail(p.id, incident.reference)).map((e) => e.action)).toEqual(['incident.reported', 'incident.close']);
  });
});
