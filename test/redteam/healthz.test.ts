import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { countingStores } from '../support/authenticatedBot.ts';
import { writePracticesFile } from '../support/botProcess.ts';
import { startRealServer, startStorage, type RealServer } from '../support/realServer.ts';

/**
 * Red team, the unauthenticated /healthz: since issue 11 part 6 it reports each practice's
 * readiness, read from storage on every request. Anyone on the internet can ask for it, as often
 * as they like: does each anonymous request cost storage reads per practice and per person?
 */

let azurite: EmbeddedAzurite;
let practices: Awaited<ReturnType<typeof writePracticesFile>>;
let server: RealServer;
const calls: string[] = [];

beforeAll(async () => {
  azurite = await startStorage();
  // Ten practices of five deciders each: a small federation.
  practices = await writePracticesFile({
    practices: Array.from({ length: 10 }, (_, i) => ({
      id: `practice-${i}`, name: `Practice ${i}`, teamIds: [`19:team-${i}@thread.tacv2`], staff: [], staffNames: [],
      managers: [`aad-m-${i}`, `aad-m2-${i}`], deputies: [`aad-d-${i}`], dataProtectionOfficers: [`aad-dpo-${i}`], safeguardingLeads: [`aad-s-${i}`],
    })),
  });
  server = await startRealServer(azurite.connectionString, { POSTWATCH_PRACTICES_FILE: practices.path }, { wrapStores: countingStores(calls) });
}, 60_000);

afterAll(async () => {
  await server?.close();
  await azurite?.close();
  await practices?.remove();
});

describe('red team: /healthz as a storage amplifier', () => {
  it('anonymous /healthz requests do not each cost a storage read per practice and per decider', async () => {
    await fetch(`${server.url}/healthz`);
    const before = calls.length;
    const answers = await Promise.all(Array.from({ length: 20 }, () => fetch(`${server.url}/healthz`)));
    // (Under this load some answers were 503 in one run: the reads themselves slowed storage down.)
    expect(answers.every((a) => a.status === 200 || a.status === 503)).toBe(true);
    const perRequest = (calls.length - before) / 20;
    // One storage health check each is fair; readiness of every practice read afresh on each anonymous request is not.
    // Measured: 71 storage calls per anonymous request for 10 practices of 5 deciders.
    expect(perRequest, `storage calls per anonymous /healthz: ${perRequest}`).toBeLessThanOrEqual(2);
  });
});
