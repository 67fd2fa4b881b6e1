import { execSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzuriteProcess } from '../src/store/azuriteProcess.ts';
import { devConnectionString, type EmbeddedAzurite } from '../src/store/embeddedAzurite.ts';
import { BenchConnector } from './connector.ts';
import { runEchoFloor } from './echoFloor.ts';
import { bump, cardArrives, decide, isRouted, report, reportAndDecide, setUpPractice, type Submitted, TURN_ACTIVITY, TURN_ORDER, TURNS, type FlowContext, type TurnName } from './flows.ts';
import { childPids, cpuMsOf, RssSampler, rssOf, startServerProcess, systemBusyMs, type ServerProcess } from './processes.ts';
import { cpuSummaryText, summariseCpuProfile, type CpuProfile, type CpuSummary } from './cpuProfile.ts';
import { runRegisterBench, type RegisterResult } from './register.ts';
import { markdownTable, mb, ms, Samples, SampleSet, sleep, table } from './stats.ts';
import { planFrom, runStorageFloor } from './storageFloor.ts';
import { diffCounts, emptyCounts, TableProxy, type OpCounts } from './tableProxy.ts';
import { cardAction, invokeCard, postJson, type Person } from './teams.ts';

/**
 * `npm run bench`: what a report costs on this machine, against the floors beneath it.
 * Everything runs on 127.0.0.1 and is stopped at the end. Figures are printed, never judged:
 * a benchmark does not fail on speed. See bench/README.md for the settings and the latest figures.
 */

// ---- settings ---------------------------------------------------------------------------------

const argv = new Set(process.argv.slice(2));
const env = process.env;
const quick = argv.has('--quick');
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const list = (name: string, fallback: number[]) => (env[name] ? env[name]!.split(',').map((s) => Number(s.trim())) : fallback);

const SETTINGS = {
  concurrency: list('BENCH_CONCURRENCY', quick ? [1, 10] : [1, 10, 50]),
  seconds: num('BENCH_SECONDS', quick ? 4 : 20),
  warmupSeconds: num('BENCH_WARMUP_SECONDS', quick ? 1 : 3),
  floorSeconds: num('BENCH_FLOOR_SECONDS', quick ? 3 : 8),
  practices: num('BENCH_PRACTICES', 1),
  profileFlows: num('BENCH_PROFILE_FLOWS', quick ? 2 : 4),
  memoryTurns: num('BENCH_MEMORY_TURNS', quick ? 2_000 : 20_000),
  memoryConcurrency: num('BENCH_MEMORY_CONCURRENCY', 10),
  registerSizes: list('BENCH_REGISTER_SIZES', argv.has('--full') ? [1_000, 10_000, 100_000] : quick ? [1_000] : [1_000, 10_000]),
  otherPracticesRatio: num('BENCH_OTHER_RATIO', 1),
  /** Timed runs through the counting proxy (ops/turn under load); 0 = straight to Azurite. */
  proxy: env.BENCH_PROXY !== '0',
  parts: new Set((env.BENCH_ONLY ?? 'flows,memory,register,cpu').split(',').map((s) => s.trim())),
  /** The CPU profile's run: staff (one practice), measured for BENCH_SECONDS with the inspector's profiler on. */
  cpuUsers: num('BENCH_CPU_N', 10),
  markdown: env.BENCH_MARKDOWN,
  /** Extra runs of the real shape: "federation" (staff x practices, one instance), "two-instances". */
  shapes: (env.BENCH_RUNS ?? 'federation,two-instances').split(',').map((s) => s.trim()).filter(Boolean),
  federation: shapeOf(env.BENCH_FEDERATION ?? '50x10'),
  twoInstanceUsers: num('BENCH_TWO_INSTANCE_N', 50),
  /** Node heap settings the memory run compares (";"-separated; "" = Node's defaults). */
  memoryFlags: (env.BENCH_MEMORY_FLAGS ?? (quick ? '' : ';--max-old-space-size=256 --max-semi-space-size=4;--max-old-space-size=160 --max-semi-space-size=4')).split(';').map((s) => s.trim()),
};

/** "50x10": 50 staff over 10 practices. */
function shapeOf(text: string): { users: number; practices: number } {
  const [users, practices] = text.split('x').map(Number);
  return { users: users || 50, practices: practices || 10 };
}

/** The code being measured: BENCH_COMMIT, else the checkout's commit (plus "+changes" if the tree is dirty). */
function commit(): string {
  if (env.BENCH_COMMIT) return env.BENCH_COMMIT;
  try {
    const head = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain -- src', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().length > 0;
    return `${head}${dirty ? '+uncommitted src changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);

// ---- the people -------------------------------------------------------------------------------

interface PracticeSpec {
  id: string;
  teamId: string;
  manager: Person;
}

const configured = Math.max(SETTINGS.practices, SETTINGS.shapes.includes('federation') ? SETTINGS.federation.practices : 1);
/** Every practice in the server's configuration; a run uses the first `active` of them. */
const allPractices: PracticeSpec[] = Array.from({ length: configured }, (_, i) => ({
  id: `bench-${i + 1}`,
  teamId: `19:team-bench-${i + 1}@thread.tacv2`,
  manager: { id: `29:manager-${i + 1}`, aadObjectId: `aad-manager-${i + 1}`, name: `Manager ${i + 1}` },
}));
const staffMember = (i: number): Person => ({ id: `29:staff-${i}`, aadObjectId: `aad-staff-${i}`, name: `Staff ${i}` });
let practices: PracticeSpec[] = allPractices.slice(0, SETTINGS.practices);
const practiceOf = (i: number): PracticeSpec => practices[i % practices.length]!;

/** A run's shape: staff, the practices they are spread over (one manager each), server processes. */
interface Shape {
  label: string;
  users: number;
  practices: number;
  instances: number;
}

// ---- the environment: Azurite (own process), counting proxy, fake connector -----------------

interface Environment {
  dir: string;
  azurite: EmbeddedAzurite;
  azuritePid: number | undefined;
  proxy: TableProxy;
  connector: BenchConnector;
  /** Tables through the counting proxy; blobs direct. */
  connectionString: string;
  /** Tables straight to Azurite. */
  directConnectionString: string;
  practicesFile: string;
}

async function startEnvironment(): Promise<Environment> {
  const dir = await mkdtemp(join(tmpdir(), 'postwatch-bench-'));
  const azurite = await startAzuriteProcess(); // in memory
  const azuritePid = childPids('azuriteChild').at(-1);
  const proxy = await new TableProxy(azurite.tableEndpoint).start();
  const connector = await new BenchConnector().start();
  const practicesFile = join(dir, 'practices.json');
  await writeFile(
    practicesFile,
    JSON.stringify({
      practices: allPractices.map((p, i) => ({
        id: p.id,
        name: `Bench Practice ${i + 1}`,
        teamIds: [p.teamId],
        // Staff are learnt from the practice's Team (membersAdded), as in production.
        staff: [],
        managers: [p.manager.aadObjectId],
        phone: '01234 567890',
      })),
    }),
  );
  const connectionString = devConnectionString({ tableEndpoint: proxy.endpoint, blobEndpoint: azurite.blobEndpoint });
  return { dir, azurite, azuritePid, proxy, connector, connectionString, directConnectionString: azurite.connectionString, practicesFile };
}

async function stopEnvironment(e: Environment): Promise<void> {
  await e.connector.stop();
  await e.proxy.stop();
  await e.azurite.close();
  await rm(e.dir, { recursive: true, force: true });
}

/** Timed runs go through the proxy unless BENCH_PROXY=0; the profile always does. */
function timedConnection(e: Environment): string {
  return SETTINGS.proxy ? e.connectionString : e.directConnectionString;
}

function startPostwatch(e: Environment, tablePrefix: string, background = true, connectionString = timedConnection(e), execArgv: string[] = []): Promise<ServerProcess> {
  return startServerProcess({
    mode: 'postwatch',
    execArgv,
    env: { POSTWATCH_PRACTICES_FILE: e.practicesFile, LOG_LEVEL: 'warn' },
    connectionString,
    tablePrefix,
    background,
  });
}

const prefix = (tag: string) => `b${tag}${randomBytes(3).toString('hex')}`;

async function setUp(e: Environment, server: ServerProcess, staffCount: number): Promise<void> {
  for (const p of practices) {
    const staff = Array.from({ length: staffCount }, (_, i) => i).filter((i) => practiceOf(i) === p).map(staffMember);
    await setUpPractice(server.url, e.connector, p.manager, staff, p.teamId);
  }
}

// ---- load -------------------------------------------------------------------------------------

interface LoadResult {
  samples: SampleSet;
  /** Submit pressed -> incident card in the manager's 1:1 chat (routing + outbox, after the answer). */
  delivery: Samples;
  turns: number;
  /** Reports made (each to Submit). */
  flows: number;
  decisions: number;
  /** Incidents the manager had not decided on when the window closed. */
  backlog: number;
  elapsedMs: number;
  problems: Map<string, number>;
}

/**
 * N simulated staff, each reporting post after post for `durationMs`, and each practice's manager
 * deciding on the incidents one at a time, in the order they were submitted, as soon as each is
 * graded. (Under load the outbox delivers the manager's card many seconds later; that delay is
 * measured for every report but not waited for, or the decision turns would hardly be sampled.)
 * A report or decision once started is finished; the manager's backlog at the end is counted.
 */
async function runFlows(e: Environment, botUrls: string[], users: number, durationMs: number): Promise<LoadResult> {
  const botUrl = botUrls[0]!;
  const samples = new SampleSet();
  const delivery = new Samples();
  const problems = new Map<string, number>();
  let turns = 0;
  let flows = 0;
  let decisions = 0;
  const started = performance.now();
  const deadline = started + durationMs;
  const keepGoing = () => performance.now() < deadline;
  const context = (i: number): FlowContext => ({
    botUrl,
    botUrls,
    connector: e.connector,
    practiceId: practiceOf(i).id,
    staff: staffMember(i),
    manager: practiceOf(i).manager,
    record: (name, latency) => samples.get(name).add(latency),
    recordDelivery: (latency) => delivery.add(latency),
    problems,
  });
  const inboxes = new Map(practices.map((p) => [p.id, [] as Submitted[]]));
  const arrivals: Array<Promise<void>> = [];
  const reporters = Array.from({ length: users }, async (_, i) => {
    const ctx = context(i);
    while (keepGoing()) {
      const reported = await report(ctx);
      turns += reported.turns;
      flows++;
      const submitted = reported.submitted;
      if (submitted) {
        inboxes.get(ctx.practiceId)!.push(submitted);
        arrivals.push(
          cardArrives(ctx, submitted).then((arrived) => {
            if (!arrived) bump(problems, 'the incident card had not reached the manager after 30 s');
          }),
        );
      }
    }
  });
  const managers = practices.map(async (p, i) => {
    const ctx = context(i);
    const inbox = inboxes.get(p.id)!;
    while (keepGoing()) {
      const next = inbox.shift();
      if (!next) {
        await sleep(5);
        continue;
      }
      const made = await decide(ctx, next, { waitForCard: false });
      turns += made;
      decisions++;
    }
  });
  await Promise.all([...reporters, ...managers]);
  const elapsedMs = performance.now() - started;
  // Cards still on their way are waited for (their delivery time counts), not decided.
  await Promise.all(arrivals);
  const backlog = [...inboxes.values()].reduce((a, q) => a + q.length, 0);
  return { samples, delivery, turns, flows, decisions, backlog, elapsedMs, problems };
}

interface Profile {
  inTurn: Map<TurnName, OpCounts>;
  background: Map<TurnName, OpCounts>;
  problems: Map<string, number>;
}

/**
 * One member of staff, one turn at a time, waiting after each turn until storage is quiet: the
 * table operations made while the turn was in flight, and those it set off afterwards (routing,
 * notifications), per turn type. The first flow is a warm-up and not counted.
 */
async function profileTurns(e: Environment, flows: number): Promise<Profile> {
  const server = await startPostwatch(e, prefix('p'), false, e.connectionString);
  try {
    await setUp(e, server, 1);
    await e.proxy.quiet(100);
    const inTurn = new Map<TurnName, OpCounts>();
    const background = new Map<TurnName, OpCounts>();
    const seen = new Map<TurnName, number>();
    const problems = new Map<string, number>();
    let counting = false;
    const trace = env.BENCH_TRACE === '1';
    let mark = e.proxy.snapshot();
    let afterTurn = mark;
    const add = (into: Map<TurnName, OpCounts>, name: TurnName, d: OpCounts) => {
      const sum = into.get(name) ?? emptyCounts();
      for (const k of Object.keys(sum) as Array<keyof OpCounts>) sum[k] += d[k];
      into.set(name, sum);
    };
    const ctx: FlowContext = {
      botUrl: server.url,
      connector: e.connector,
      practiceId: practiceOf(0).id,
      staff: staffMember(0),
      manager: practiceOf(0).manager,
      record: (name) => {
        if (trace) log(`trace: ^ ${name}`);
        afterTurn = e.proxy.snapshot();
        if (counting) {
          add(inTurn, name, diffCounts(afterTurn, mark));
          seen.set(name, (seen.get(name) ?? 0) + 1);
        }
      },
      between: async (name) => {
        await e.proxy.quiet(150);
        mark = e.proxy.snapshot();
        if (counting) add(background, name, diffCounts(mark, afterTurn));
      },
      problems,
    };
    for (let f = 0; f <= flows; f++) {
      counting = f > 0;
      if (trace && f === flows) e.proxy.trace = (line) => log(`trace: ${line}`);
      await reportAndDecide(ctx);
    }
    e.proxy.trace = undefined;
    for (const [name, n] of seen) {
      for (const m of [inTurn, background]) {
        const c = m.get(name)!;
        for (const k of Object.keys(c) as Array<keyof OpCounts>) c[k] /= n;
      }
    }
    return { inTurn, background, problems };
  } finally {
    await server.stop();
  }
}

interface ScenarioResult {
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

async function scenario(e: Environment, shape: Shape, echo: ServerProcess, profile: Profile): Promise<ScenarioResult> {
  const { users } = shape;
  practices = allPractices.slice(0, shape.practices);
  log(`${shape.label}: fresh server process(es) (own tables), ${users} staff in ${practices.length} practice(s), ${shape.instances} instance(s)`);
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
    practices = allPractices.slice(0, SETTINGS.practices);
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
function shapes(): Shape[] {
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

// ---- where the CPU goes -----------------------------------------------------------------------

interface CpuResult {
  users: number;
  turns: number;
  /** The server's CPU over the window from /proc (the profiler's own cost included). */
  cpuMs: number;
  summary: CpuSummary;
}

/**
 * The server's CPU profile over a measured window of full flows (its own run, so the profiler's
 * sampling does not touch the timed runs): self time grouped by what the issue asks about.
 */
async function cpuRun(e: Environment, users: number): Promise<CpuResult> {
  practices = allPractices.slice(0, SETTINGS.practices);
  const server = await startPostwatch(e, prefix('c'));
  try {
    await setUp(e, server, users);
    await runFlows(e, [server.url], users, SETTINGS.warmupSeconds * 1000);
    await e.proxy.quiet(100);
    await server.profileStart();
    const cpuBefore = cpuMsOf(server.pid);
    const load = await runFlows(e, [server.url], users, SETTINGS.seconds * 1000);
    const cpu = cpuMsOf(server.pid) - cpuBefore;
    const file = join(e.dir, 'server.cpuprofile');
    await server.profileStop(file);
    const profile = JSON.parse(await readFile(file, 'utf8')) as CpuProfile;
    if (env.BENCH_CPU_PROFILE_OUT) await writeFile(env.BENCH_CPU_PROFILE_OUT, JSON.stringify(profile));
    return { users, turns: load.turns, cpuMs: cpu, summary: summariseCpuProfile(profile, 15) };
  } finally {
    await server.stop();
  }
}

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
interface MemoryResult {
  flags: string;
  points: MemoryPoint[];
  turnsPerSecond: number;
  problems: Map<string, number>;
}

async function memoryRun(e: Environment, flags: string): Promise<MemoryResult> {
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

// ---- report -----------------------------------------------------------------------------------

const HEADER = ['measure', 'N', 'turns', 'turns/s', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/turn', 'floor p99 ms', 'p99/floor', 'note'];

function opsText(c: OpCounts | undefined): string {
  if (!c) return '-';
  return c.total.toFixed(1);
}

function opsMix(c: OpCounts): string {
  const parts = (['read', 'query', 'insert', 'update', 'delete', 'batch'] as const).filter((k) => c[k] >= 0.05).map((k) => `${c[k].toFixed(k === 'query' || c[k] % 1 ? 1 : 0)} ${k}`);
  return parts.join(', ');
}

function buildRows(
  profile: Profile | undefined,
  scenarios: ScenarioResult[],
  memories: MemoryResult[],
  register: RegisterResult | undefined,
): string[][] {
  const rows: string[][] = [];
  const section = (title: string) => rows.push([`-- ${title}`, '', '', '', '', '', '', '', '', '', '']);
  if (profile && scenarios.length > 0) {
    section('report a post + manager decision, over HTTP (ops/turn = in-turn table requests; + background after the turn)');
    for (const s of scenarios) {
      if (!s.shape.label.startsWith('N=')) section(`${s.shape.label}, ${s.shape.instances} server process(es), one Azurite`);
      const all = s.load.samples.all();
      const echoAll = s.echo.samples.all();
      const storageAll = s.storage.samples.all();
      for (const turn of TURN_ORDER) {
        const samples = s.load.samples.byName.get(turn);
        if (!samples) continue;
        const fw = s.echo.samples.get(TURN_ACTIVITY[turn]).percentile(99);
        const st = s.storage.samples.byName.get(turn)?.percentile(99) ?? 0;
        const floor = fw + st;
        const bg = profile.background.get(turn);
        rows.push([
          `  ${turn}`,
          String(s.users),
          String(samples.count),
          '',
          ms(samples.percentile(50)),
          ms(samples.percentile(95)),
          ms(samples.percentile(99)),
          `${opsText(profile.inTurn.get(turn))}${bg && bg.total >= 0.5 ? ` +${bg.total.toFixed(0)}` : ''}`,
          `${ms(fw)}+${ms(st)}`,
          `${(samples.percentile(99) / floor).toFixed(1)}x`,
          '',
        ]);
      }
      const opsPerTurn = SETTINGS.proxy ? (s.ops.total / Math.max(1, s.load.turns)).toFixed(1) : '-';
      rows.push([
        `  all turns`,
        String(s.users),
        String(s.load.turns),
        ((s.load.turns / s.load.elapsedMs) * 1000).toFixed(0),
        ms(all.percentile(50)),
        ms(all.percentile(95)),
        ms(all.percentile(99)),
        opsPerTurn,
        `${ms(echoAll.percentile(99))}+${ms(storageAll.percentile(99))}`,
        `${(all.percentile(99) / (echoAll.percentile(99) + storageAll.percentile(99))).toFixed(1)}x`,
        `peak RSS ${s.peakRss.map(mb).join(' + ')}; CPU ms/turn bot ${s.cpuMs.servers.map((c) => (c / s.load.turns).toFixed(1)).join(' + ')}${s.cpuMs.servers.length > 1 ? ' (per process)' : ''}, azurite ${(s.cpuMs.azurite / s.load.turns).toFixed(1)}, driver ${(s.cpuMs.driver / s.load.turns).toFixed(1)}; other processes ${(s.otherLoad * 100).toFixed(0)}% of the CPUs; ${s.load.flows} reports, ${s.load.decisions} decisions (${s.load.backlog} left waiting); failed batches ${s.ops.batchFailed}`,
      ]);
      rows.push([
        `  Submit -> card in manager's chat`,
        String(s.users),
        String(s.load.delivery.count),
        '',
        ms(s.load.delivery.percentile(50)),
        ms(s.load.delivery.percentile(95)),
        ms(s.load.delivery.percentile(99)),
        '',
        '',
        '',
        'routing + outbox after the reporter is answered (not a turn)',
      ]);
      rows.push([
        `  floor: echo bot (framework)`,
        String(s.users),
        String(s.echo.turns),
        s.echo.turnsPerSecond.toFixed(0),
        ms(echoAll.percentile(50)),
        ms(echoAll.percentile(95)),
        ms(echoAll.percentile(99)),
        '0',
        '',
        '',
        `message p99 ${ms(s.echo.samples.get('message').percentile(99))}, invoke p99 ${ms(s.echo.samples.get('invoke').percentile(99))}`,
      ]);
      rows.push([
        `  floor: table ops only (storage)`,
        String(s.users),
        String(s.storage.turns),
        s.storage.turnsPerSecond.toFixed(0),
        ms(storageAll.percentile(50)),
        ms(storageAll.percentile(95)),
        ms(storageAll.percentile(99)),
        opsText(averageOps(profile)),
        '',
        '',
        'same ops per turn type as the bot, issued directly',
      ]);
    }
  }
  for (const memory of memories) {
    section(`memory (${memory.flags || "Node's default heap"}): ${SETTINGS.memoryTurns} incident.refresh turns, ${SETTINGS.memoryConcurrency} at a time (${memory.turnsPerSecond.toFixed(0)} turns/s)`);
    // The target: RSS within 20 % between 10 % and 100 % of the run (points after the first checkpoint).
    const later = memory.points.filter((p) => p.turns > 0).map((p) => p.rss);
    if (later.length > 1) {
      const spread = (Math.max(...later) - Math.min(...later)) / Math.min(...later);
      rows.push([`  RSS from 10 % to 100 % of the run`, String(SETTINGS.memoryConcurrency), '', '', '', '', '', '', '', '', `${mb(Math.min(...later))} to ${mb(Math.max(...later))}: ${(spread * 100).toFixed(0)} % apart (target: within 20 %)`]);
    }
    for (const p of memory.points) {
      rows.push([`  after ${p.turns} turns`, String(SETTINGS.memoryConcurrency), String(p.turns), '', '', '', '', '', '', '', `RSS ${mb(p.rss)}; after GC: RSS ${mb(p.rssAfterGc)}, heap used ${mb(p.heapUsedAfterGc)} of ${mb(p.heapTotalAfterGc)}, external ${mb(p.externalAfterGc)}`]);
    }
  }
  if (register) {
    section(`register and summary queries, one practice (+ other practices' data: ${SETTINGS.otherPracticesRatio}x); median of ${register.repeats} (p95 col = slowest)`);
    for (const q of register.queries) {
      for (const point of q.points) {
        rows.push([
          `  ${q.name}`,
          String(point.size),
          String(point.rows),
          '',
          ms(point.medianMs),
          ms(point.maxMs),
          '',
          String(point.requests),
          '',
          '',
          point.growth ? `${point.growth.toFixed(1)}x the previous size's time` : '',
        ]);
      }
    }
    rows.push([`  seeding`, '', String(register.seeded), (register.seeded / (register.seedMs / 1000)).toFixed(0), '', '', '', '', '', '', `entities/s with submitTransaction batches of 100`]);
  }
  return rows;
}

/**
 * Issue 16's request targets: half of the requests each turn made before it (profiled at commit
 * 46ee4f6, in the turn + set off after it), and 2 for each report step.
 */
const REQUEST_TARGETS: Array<{ turn: TurnName; scope: 'in the turn' | 'in all'; before: number; target: number }> = [
  { turn: TURNS.start, scope: 'in all', before: 4, target: 2 },
  { turn: TURNS.where, scope: 'in all', before: 2, target: 2 },
  { turn: TURNS.what, scope: 'in all', before: 2, target: 2 },
  { turn: TURNS.risk, scope: 'in all', before: 2, target: 2 },
  { turn: TURNS.evidence, scope: 'in all', before: 2, target: 2 },
  { turn: TURNS.submit, scope: 'in all', before: 25.7, target: 12.8 },
  { turn: TURNS.decide, scope: 'in the turn', before: 14, target: 7 },
  { turn: TURNS.decide, scope: 'in all', before: 24, target: 12 },
];

function requestTargetLines(profile: Profile): string[] {
  const lines = ['Table requests per turn against issue 16\'s targets (profiled; "after" = routing, notifications set off by the turn):'];
  for (const t of REQUEST_TARGETS) {
    const inTurn = profile.inTurn.get(t.turn)?.total;
    if (inTurn === undefined) continue;
    const after = profile.background.get(t.turn)?.total ?? 0;
    const counted = t.scope === 'in all' ? inTurn + after : inTurn;
    const met = counted <= t.target + 0.05;
    lines.push(`  ${t.turn.padEnd(32)} ${t.scope.padEnd(11)} ${counted.toFixed(1).padStart(5)} (${inTurn.toFixed(1)} in the turn + ${after.toFixed(1)} after)  before ${t.before}, target <= ${t.target}: ${met ? 'met' : 'NOT met'}`);
  }
  return lines;
}

function averageOps(profile: Profile): OpCounts {
  const avg = emptyCounts();
  for (const c of profile.inTurn.values()) for (const k of Object.keys(avg) as Array<keyof OpCounts>) avg[k] += c[k] / profile.inTurn.size;
  return avg;
}

// ---- main -------------------------------------------------------------------------------------

async function main(): Promise<void> {
  const started = Date.now();
  log(`settings: ${JSON.stringify({ ...SETTINGS, parts: [...SETTINGS.parts] })}`);
  let profile: Profile | undefined;
  const scenarios: ScenarioResult[] = [];
  const memories: MemoryResult[] = [];
  let register: RegisterResult | undefined;
  const problems = new Map<string, number>();

  let cpu: CpuResult | undefined;
  if (SETTINGS.parts.has('flows') || SETTINGS.parts.has('memory') || SETTINGS.parts.has('profile') || SETTINGS.parts.has('cpu')) {
    const e = await startEnvironment();
    let echo: ServerProcess | undefined;
    try {
      if (SETTINGS.parts.has('flows') || SETTINGS.parts.has('profile')) {
        log('profile: table operations per turn type (one member of staff, storage quiet between turns)');
        profile = await profileTurns(e, SETTINGS.profileFlows);
        for (const [k, v] of profile.problems) problems.set(`profile: ${k}`, v);
      }
      if (SETTINGS.parts.has('flows')) {
        echo = await startServerProcess({ mode: 'echo', env: {} });
        for (const shape of shapes()) {
          const s = await scenario(e, shape, echo, profile!);
          scenarios.push(s);
          for (const [k, v] of s.load.problems) problems.set(`${shape.label}: ${k}`, v);
          for (const [k, v] of s.warnings) problems.set(`${shape.label}: server warned "${k}"`, v);
          if (s.echo.failures > 0) problems.set(`${shape.label}: echo floor non-200`, s.echo.failures);
        }
      }
      if (SETTINGS.parts.has('cpu')) {
        log(`cpu: the server's CPU profile over ${SETTINGS.seconds} s of full flows, ${SETTINGS.cpuUsers} staff`);
        cpu = await cpuRun(e, SETTINGS.cpuUsers);
      }
      if (SETTINGS.parts.has('memory')) {
        for (const flags of SETTINGS.memoryFlags) {
          log(`memory: ${SETTINGS.memoryTurns} turns, ${flags || "Node's default heap"}`);
          const memory = await memoryRun(e, flags);
          memories.push(memory);
          for (const [k, v] of memory.problems) problems.set(`memory (${flags || 'default'}): ${k}`, v);
        }
      }
    } finally {
      await echo?.stop();
      await stopEnvironment(e);
    }
  }
  if (SETTINGS.parts.has('register')) {
    log(`register: sizes ${SETTINGS.registerSizes.join(', ')}`);
    register = await runRegisterBench({ sizes: SETTINGS.registerSizes, otherRatio: SETTINGS.otherPracticesRatio, log });
  }

  const rows = buildRows(profile, scenarios, memories, register);
  const out: string[] = [];
  out.push(`Postwatch benchmark — ${new Date().toISOString()} — commit ${commit()} — Node ${process.version}, ${cpus().length} CPUs, ${((Date.now() - started) / 60000).toFixed(1)} min, load average at the end ${loadavg().map((l) => l.toFixed(1)).join(' ')}`);
  out.push('');
  out.push(table(HEADER, rows));
  if (profile) {
    out.push('');
    out.push('Table operations per turn (profiled one turn at a time; "then" = set off after the answer: routing, notifications):');
    for (const turn of TURN_ORDER) {
      const c = profile.inTurn.get(turn);
      const bg = profile.background.get(turn);
      if (c) out.push(`  ${turn}: ${opsMix(c)}${bg && bg.total >= 0.5 ? `; then ${opsMix(bg)}` : ''}`);
    }
    out.push('');
    out.push(...requestTargetLines(profile));
  }
  if (cpu) {
    out.push('');
    out.push(`Where the server's CPU goes (inspector CPU profile, N=${cpu.users} in one practice, full flows; /proc: ${(cpu.cpuMs / cpu.turns).toFixed(1)} ms CPU/turn with the profiler on):`);
    out.push(...cpuSummaryText(cpu.summary, cpu.cpuMs / cpu.turns).map((l) => `  ${l}`));
  }
  if (problems.size > 0) {
    out.push('');
    out.push('Noticed during the run (counts):');
    for (const [k, v] of problems) out.push(`  ${v} x ${k}`);
  }
  console.log(out.join('\n'));
  if (SETTINGS.markdown) {
    await writeFile(SETTINGS.markdown, `${out[0]}\n\n${markdownTable(HEADER, rows)}\n\n\`\`\`\n${out.slice(3).join('\n')}\n\`\`\`\n`);
    log(`markdown written to ${SETTINGS.markdown}`);
  }
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
