import { writeFile } from 'node:fs/promises';
import { cpus, loadavg } from 'node:os';
import { cpuSummaryText } from './cpuProfile.ts';
import type { CpuResult } from './cpuRun.ts';
import { TURN_ORDER, TURNS, type TurnName } from './flows.ts';
import type { MemoryResult } from './memoryRun.ts';
import type { Profile } from './profileTurns.ts';
import type { RegisterResult } from './register.ts';
import { buildRows, HEADER, opsMix } from './rows.ts';
import type { ScenarioResult } from './scenario.ts';
import { commit, log, SETTINGS } from './settings.ts';
import { markdownTable, table } from './stats.ts';

// ---- report -----------------------------------------------------------------------------------

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

/** What a run found, for the report. */
export interface Findings {
  /** Date.now() when the run started. */
  started: number;
  profile: Profile | undefined;
  scenarios: ScenarioResult[];
  memories: MemoryResult[];
  register: RegisterResult | undefined;
  cpu: CpuResult | undefined;
  problems: Map<string, number>;
}

/** Prints the table and the lines under it to stdout (and to BENCH_MARKDOWN as markdown). */
export async function printReport({ started, profile, scenarios, memories, register, cpu, problems }: Findings): Promise<void> {
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
