import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { summariseCpuProfile, type CpuProfile, type CpuSummary } from './cpuProfile.ts';
import { prefix, setUp, startPostwatch, type Environment } from './environment.ts';
import { runFlows } from './load.ts';
import { usePractices } from './people.ts';
import { cpuMsOf } from './processes.ts';
import { SETTINGS } from './settings.ts';

// ---- where the CPU goes -----------------------------------------------------------------------

export interface CpuResult {
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
export async function cpuRun(e: Environment, users: number): Promise<CpuResult> {
  usePractices();
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
    if (process.env.BENCH_CPU_PROFILE_OUT) await writeFile(process.env.BENCH_CPU_PROFILE_OUT, JSON.stringify(profile));
    return { users, turns: load.turns, cpuMs: cpu, summary: summariseCpuProfile(profile, 15) };
  } finally {
    await server.stop();
  }
}
