import { bump, isRouted, report } from './flows.ts';
import { prefix, setUp, startPostwatch, timedConnection, type Environment } from './environment.ts';
import { practiceOf, staffMember, type PracticeSpec } from './people.ts';
import { rssOf } from './processes.ts';
import { log, SETTINGS } from './settings.ts';
import { mb, sleep } from './stats.ts';
import { cardAction, invokeCard, postJson } from './teams.ts';

// ---- memory over many turns -------------------------------------------------------------------

interface MemoryPoint {
  turns: number;
  rss: number;
  rssAfterGc: number;
  heapUsedAfterGc: number;
  heapTotalAfterGc: number;
  externalAfterGc: number;
}

/**
 * RSS over many cheap turns: the practice manager's card refresh (incident.refresh, an
 * adaptiveCard/action invoke that reads the incident and the roles and draws the decider card),
 * N at a time. Full flows would take too long for 20,000 turns on 2 cores.
 */
export interface MemoryResult {
  flags: string;
  points: MemoryPoint[];
  turnsPerSecond: number;
  problems: Map<string, number>;
}

export async function memoryRun(e: Environment, flags: string): Promise<MemoryResult> {
  const server = await startPostwatch(e, prefix('m'), true, timedConnection(e), flags.split(' ').filter(Boolean));
  const problems = new Map<string, number>();
  try {
    await setUp(e, server, 1);
    // One real report, left awaiting a decision, so every refresh draws the decider view.
    const reported = await report({
      botUrl: server.url,
      connector: e.connector,
      practiceId: practiceOf(0).id,
      staff: staffMember(0),
      manager: practiceOf(0).manager,
      record: () => undefined,
      problems,
    });
    const reference = reported.submitted?.reference;
    if (!reference || !(await routed(server.url, e, practiceOf(0), reference))) throw new Error('memory run: no routed incident to refresh');

    const points: MemoryPoint[] = [];
    const measure = async (turns: number) => {
      const rss = rssOf(server.pid);
      const after = await server.gcAndMemory();
      points.push({ turns, rss, rssAfterGc: rssOf(server.pid), heapUsedAfterGc: after.heapUsed, heapTotalAfterGc: after.heapTotal, externalAfterGc: after.external });
    };
    await measure(0);
    const checkpoints = [Math.round(SETTINGS.memoryTurns * 0.1), Math.round(SETTINGS.memoryTurns * 0.5), SETTINGS.memoryTurns];
    let done = 0;
    const started = performance.now();
    const manager = practiceOf(0).manager;
    const body = () => cardAction(e.connector.url, manager, 'incident.refresh', { practiceId: practiceOf(0).id, reference, version: 1 });
    let measuring = 0;
    for (const checkpoint of checkpoints) {
      let issued = done;
      await Promise.all(
        Array.from({ length: SETTINGS.memoryConcurrency }, async () => {
          while (issued < checkpoint) {
            issued++;
            const posted = await postJson(`${server.url}/api/messages`, body());
            if (posted.status !== 200 || !invokeCard(posted)) bump(problems, `refresh answered ${posted.status} without a card`);
            done++;
          }
        }),
      );
      const t0 = performance.now();
      await measure(checkpoint);
      measuring += performance.now() - t0;
      log(`memory: ${checkpoint} turns, RSS ${mb(points.at(-1)!.rss)}`);
    }
    const elapsed = performance.now() - started - measuring;
    for (const [k, v] of server.warnings) problems.set(`server warned: ${k}`, v);
    return { flags, points, turnsPerSecond: (done / elapsed) * 1000, problems };
  } finally {
    await server.stop();
  }
}

/** Waits until routing has graded the incident (the manager then sees the decider view). */
async function routed(botUrl: string, e: Environment, practice: PracticeSpec, reference: string): Promise<boolean> {
  for (let i = 0; i < 100; i++) {
    const posted = await postJson(`${botUrl}/api/messages`, cardAction(e.connector.url, practice.manager, 'incident.refresh', { practiceId: practice.id, reference, version: 0 }));
    if (isRouted(invokeCard(posted))) return true;
    await sleep(20);
  }
  return false;
}
