import { cpus } from 'node:os';
import { runEchoFloor } from './echoFloor.ts';
import { prefix, setUp, startPostwatch, timedConnection, type Environment } from './environment.ts';
import { runFlows, type LoadResult } from './load.ts';
import { activePractices, usePractices } from './people.ts';
import { cpuMsOf, RssSampler, systemBusyMs, type ServerProcess } from './processes.ts';
import type { Profile } from './profileTurns.ts';
import { log, SETTINGS } from './settings.ts';
import { planFrom, runStorageFloor } from './storageFloor.ts';
import { diffCounts, type OpCounts } from './tableProxy.ts';

// ---- one run of a shape: the timed flows, then the floors at its N ------------------------------

/** A run's shape: staff, the practices they are spread over (one manager each), server processes. */
export interface Shape {
  label: string;
  users: number;
  practices: number;
  instances: number;
}

export interface ScenarioResult {
  shape: Shape;
  users: number;
  load: LoadResult;
  /** Per server process. */
  peakRss: number[];
  ops: OpCounts;
  cpuMs: { servers: number[]; azurite: number; driver: number; others: number };
  connectorCalls: number;
  warnings: Map<string, number>;
  /** Share of the machine's CPU used by processes other than the bench's own during the window. */
  otherLoad: number;
  echo: Awaited<ReturnType<typeof runEchoFloor>>;
  storage: Awaited<ReturnType<typeof runStorageFloor>>;
}

type Floors = Pick<ScenarioResult, 'echo' | 'storage'>;
/** Floors depend on N only: a run of another shape at the same N reuses them. */
const floorsByUsers = new Map<number, Floors>();

export async function scenario(e: Environment, shape: Shape, echo: ServerProcess, profile: Profile): Promise<ScenarioResult> {
  const { users } = shape;
  usePractices(shape.practices);
  log(`${shape.label}: fresh server process(es) (own tables), ${users} staff in ${activePractices().length} practice(s), ${shape.instances} instance(s)`);
  const tablePrefix = prefix(`n${users}`);
  const servers: ServerProcess[] = [];
  let result: Omit<ScenarioResult, 'echo' | 'storage'>;
  try {
    // The instances share the tables (one storage account), as App Service instances do.
    for (let i = 0; i < shape.instances; i++) servers.push(await startPostwatch(e, tablePrefix));
    const urls = servers.map((s) => s.url);
    await setUp(e, servers[0]!, users);
    log(`${shape.label}: warm-up ${SETTINGS.warmupSeconds} s`);
    await runFlows(e, urls, users, SETTINGS.warmupSeconds * 1000);
    await e.proxy.quiet(100);
    log(`${shape.label}: measuring ${SETTINGS.seconds} s`);
    const samplers = servers.map((s) => new RssSampler(s.pid).start());
    const before = { ops: e.proxy.snapshot(), servers: servers.map((s) => cpuMsOf(s.pid)), azurite: e.azuritePid ? cpuMsOf(e.azuritePid) : 0, driver: cpuMs(), calls: e.connector.calls, system: systemBusyMs() };
    const load = await runFlows(e, urls, users, SETTINGS.seconds * 1000);
    const peakRss = samplers.map((sampler) => sampler.stop());
    const ops = diffCounts(e.proxy.snapshot(), before.ops);
    const system = systemBusyMs() - before.system;
    const warnings = new Map<string, number>();
    for (const server of servers) for (const [k, v] of server.warnings) warnings.set(k, (warnings.get(k) ?? 0) + v);
    result = {
      shape,
      users,
      load,
      peakRss,
      ops,
      cpuMs: {
        servers: servers.map((s, i) => cpuMsOf(s.pid) - before.servers[i]!),
        azurite: e.azuritePid ? cpuMsOf(e.azuritePid) - before.azurite : Number.NaN,
        driver: cpuMs() - before.driver,
        others: 0,
      },
      otherLoad: 0,
      connectorCalls: e.connector.calls - before.calls,
      warnings,
    };
    const serversCpu = result.cpuMs.servers.reduce((a, b) => a + b, 0);
    result.cpuMs.others = Math.max(0, system - serversCpu - result.cpuMs.azurite - result.cpuMs.driver);
    result.otherLoad = result.cpuMs.others / (load.elapsedMs * cpus().length);
  } finally {
    for (const server of servers) await server.stop();
    usePractices();
  }
  const known = floorsByUsers.get(users);
  if (known) return { ...result, ...known };
  log(`N=${users}: framework floor (echo bot) ${SETTINGS.floorSeconds} s`);
  await runEchoFloor({ botUrl: echo.url, connector: e.connector, workers: users, durationMs: 500 });
  const echoResult = await runEchoFloor({ botUrl: echo.url, connector: e.connector, workers: users, durationMs: SETTINGS.floorSeconds * 1000 });
  log(`N=${users}: storage floor (direct table operations) ${SETTINGS.floorSeconds} s`);
  const storage = await runStorageFloor({
    connectionString: timedConnection(e),
    table: `${prefix('f')}floor`,
    plan: planFrom(profile.inTurn),
    workers: users,
    durationMs: SETTINGS.floorSeconds * 1000,
  });
  floorsByUsers.set(users, { echo: echoResult, storage });
  return { ...result, echo: echoResult, storage };
}

/** The runs: N staff in the configured practices, then the shapes real deployments have. */
export function shapes(): Shape[] {
  const list: Shape[] = SETTINGS.concurrency.map((users) => ({ label: `N=${users}`, users, practices: SETTINGS.practices, instances: 1 }));
  if (SETTINGS.shapes.includes('federation')) {
    const f = SETTINGS.federation;
    list.push({ label: `federation: ${f.users} staff, ${f.practices} practices`, users: f.users, practices: f.practices, instances: 1 });
  }
  if (SETTINGS.shapes.includes('two-instances')) {
    list.push({ label: `2 instances: ${SETTINGS.twoInstanceUsers} staff, 1 practice`, users: SETTINGS.twoInstanceUsers, practices: 1, instances: 2 });
  }
  return list;
}

function cpuMs(): number {
  const u = process.cpuUsage();
  return (u.user + u.system) / 1000;
}
