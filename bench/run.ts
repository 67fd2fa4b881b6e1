import { cpuRun, type CpuResult } from './cpuRun.ts';
import { startEnvironment, stopEnvironment } from './environment.ts';
import { memoryRun, type MemoryResult } from './memoryRun.ts';
import { startServerProcess, type ServerProcess } from './processes.ts';
import { profileTurns, type Profile } from './profileTurns.ts';
import { runRegisterBench, type RegisterResult } from './register.ts';
import { printReport } from './report.ts';
import { scenario, shapes, type ScenarioResult } from './scenario.ts';
import { log, SETTINGS } from './settings.ts';

/**
 * `npm run bench`: what a report costs on this machine, against the floors beneath it.
 * Everything runs on 127.0.0.1 and is stopped at the end. Figures are printed, never judged:
 * a benchmark does not fail on speed. See bench/README.md for the settings and the latest figures.
 */
// The parts, each in its own file: settings.ts (BENCH_* settings), people.ts (practices and staff),
// environment.ts (Azurite, counting proxy, fake connector, server children), load.ts (the timed
// flows), profileTurns.ts (table requests per turn), scenario.ts (one shape at N, with its floors),
// cpuRun.ts, memoryRun.ts, rows.ts (the table) and report.ts (everything printed).

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

  await printReport({ started, profile, scenarios, memories, register, cpu, problems });
}

main().catch((error: unknown) => {
  console.error('bench failed:', error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
