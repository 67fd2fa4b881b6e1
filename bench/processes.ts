import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { stopChildProcess } from '../src/store/azuriteProcess.ts';

/** The server under test in a child process, and what /proc says about a process. */

export interface ServerProcess {
  url: string;
  pid: number;
  /** Asks the child to collect garbage, then reports its process.memoryUsage(). */
  gcAndMemory(): Promise<NodeJS.MemoryUsage>;
  /** Starts the inspector's CPU profiler in the child (resolves once it runs). */
  profileStart(): Promise<void>;
  /** Stops it and writes the profile (a .cpuprofile, JSON) to `file`. */
  profileStop(file: string): Promise<void>;
  /** Log lines at warn or above that the child wrote, by message. */
  warnings: Map<string, number>;
  stop(): Promise<void>;
}

export async function startServerProcess(options: Record<string, unknown>): Promise<ServerProcess> {
  const entry = fileURLToPath(new URL('./serverChild.ts', import.meta.url));
  const child = fork(entry, [JSON.stringify(options)], {
    // BENCH_SERVER_EXEC_ARGV adds Node options, e.g. "--cpu-prof --cpu-prof-dir=/tmp/prof".
    execArgv: [
      '--import',
      'tsx',
      '--no-deprecation',
      '--expose-gc',
      ...(process.env.BENCH_SERVER_EXEC_ARGV ?? '').split(' ').filter(Boolean),
      // Node options for this run only (the memory runs compare heap settings).
      ...((options.execArgv as string[] | undefined) ?? []),
    ],
    stdio: ['ignore', 'pipe', 'inherit', 'ipc'],
  });
  const warnings = new Map<string, number>();
  let pending = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString('utf8');
    const lines = pending.split('\n');
    pending = lines.pop() ?? '';
    for (const line of lines) {
      try {
        const entry = JSON.parse(line) as { level?: number; msg?: string };
        if ((entry.level ?? 0) >= 40) warnings.set(entry.msg ?? '?', (warnings.get(entry.msg ?? '?') ?? 0) + 1);
      } catch {
        // not a log line
      }
    }
  });
  const ready = await new Promise<{ url: string }>((resolve, reject) => {
    child.once('error', reject);
    child.once('exit', (code) => reject(new Error(`server child exited with code ${code}`)));
    child.on('message', (m: { ready?: { url: string }; error?: string }) => {
      if (m.ready) resolve(m.ready);
      if (m.error) reject(new Error(`server child failed: ${m.error}`));
    });
  });
  child.removeAllListeners('exit');
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  const answer = (wanted: string, message: Record<string, unknown>) =>
    new Promise<void>((resolve) => {
      const onMessage = (m: Record<string, unknown>) => {
        if (!(wanted in m)) return;
        child.off('message', onMessage);
        resolve();
      };
      child.on('message', onMessage);
      child.send(message);
    });
  return {
    url: ready.url,
    pid: child.pid!,
    warnings,
    profileStart: () => answer('profiling', { profileStart: true }),
    profileStop: (file) => answer('profiled', { profileStop: file }),
    gcAndMemory: () =>
      new Promise((resolve) => {
        const onMessage = (m: { memory?: NodeJS.MemoryUsage }) => {
          if (!m.memory) return;
          child.off('message', onMessage);
          resolve(m.memory);
        };
        child.on('message', onMessage);
        child.send({ gc: true });
      }),
    stop: () => stopChildProcess(child, killOnExit),
  };
}

/** Resident set size of a process in bytes (0 if it is gone). */
export function rssOf(pid: number): number {
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    const kb = /VmRSS:\s+(\d+) kB/.exec(status)?.[1];
    return kb ? Number(kb) * 1024 : 0;
  } catch {
    return 0;
  }
}

/** CPU time (user + system) a process has used, in milliseconds. */
export function cpuMsOf(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // After the command: state(0) ... utime is field 14 overall -> index 11 here, stime index 12.
    const ticks = Number(fields[11]) + Number(fields[12]);
    return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
  } catch {
    return 0;
  }
}

/** This process's direct children whose command line contains `needle` (e.g. the Azurite child). */
export function childPids(needle: string): number[] {
  try {
    const pids = readFileSync(`/proc/${process.pid}/task/${process.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    return pids.filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(needle);
      } catch {
        return false;
      }
    });
  } catch {
    return [];
  }
}

/** Samples a process's RSS every `everyMs` and keeps the peak. */
export class RssSampler {
  peak = 0;
  private timer?: NodeJS.Timeout;

  constructor(private readonly pid: number) {}

  start(everyMs = 50): this {
    this.peak = rssOf(this.pid);
    this.timer = setInterval(() => {
      this.peak = Math.max(this.peak, rssOf(this.pid));
    }, everyMs);
    this.timer.unref();
    return this;
  }

  stop(): number {
    if (this.timer) clearInterval(this.timer);
    this.peak = Math.max(this.peak, rssOf(this.pid));
    return this.peak;
  }
}

/** CPU time all processes on the machine have used (busy, not idle or waiting), in milliseconds. */
export function systemBusyMs(): number {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const [, ...fields] = line.trim().split(/\s+/);
    const n = fields.map(Number);
    const total = n.slice(0, 8).reduce((a, b) => a + b, 0);
    const idle = (n[3] ?? 0) + (n[4] ?? 0);
    return ((total - idle) * 1000) / 100;
  } catch {
    return Number.NaN;
  }
}
