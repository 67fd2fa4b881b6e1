import { execSync } from 'node:child_process';

/** The bench's settings (see bench/README.md), its commit line and its log to stderr. */

const argv = new Set(process.argv.slice(2));
const env = process.env;
const quick = argv.has('--quick');
const num = (name: string, fallback: number) => (env[name] ? Number(env[name]) : fallback);
const list = (name: string, fallback: number[]) => (env[name] ? env[name]!.split(',').map((s) => Number(s.trim())) : fallback);

export const SETTINGS = {
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
export function commit(): string {
  if (env.BENCH_COMMIT) return env.BENCH_COMMIT;
  try {
    const head = execSync('git rev-parse --short HEAD', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim();
    const dirty = execSync('git status --porcelain -- src', { stdio: ['ignore', 'pipe', 'ignore'] }).toString().trim().length > 0;
    return `${head}${dirty ? '+uncommitted src changes' : ''}`;
  } catch {
    return 'unknown';
  }
}

export const log = (text: string) => process.stderr.write(`[bench ${new Date().toISOString().slice(11, 19)}] ${text}\n`);
