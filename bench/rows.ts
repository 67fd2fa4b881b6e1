import { TURN_ACTIVITY, TURN_ORDER } from './flows.ts';
import type { MemoryResult } from './memoryRun.ts';
import { averageOps, type Profile } from './profileTurns.ts';
import type { RegisterResult } from './register.ts';
import type { ScenarioResult } from './scenario.ts';
import { SETTINGS } from './settings.ts';
import { mb, ms, type Samples } from './stats.ts';
import type { OpCounts } from './tableProxy.ts';

// ---- report -----------------------------------------------------------------------------------

export const HEADER = ['measure', 'N', 'turns', 'turns/s', 'p50 ms', 'p95 ms', 'p99 ms', 'ops/turn', 'floor p99 ms', 'p99/floor', 'note'];

function opsText(c: OpCounts | undefined): string {
  if (!c) return '-';
  return c.total.toFixed(1);
}

export function opsMix(c: OpCounts): string {
  const parts = (['read', 'query', 'insert', 'update', 'delete', 'batch'] as const).filter((k) => c[k] >= 0.05).map((k) => `${c[k].toFixed(k === 'query' || c[k] % 1 ? 1 : 0)} ${k}`);
  return parts.join(', ');
}

/** A floor's row: its own turns at the same N (all of its samples in `all`). */
function floorRow(label: string, users: number, floor: { turns: number; turnsPerSecond: number }, all: Samples, ops: string, note: string): string[] {
  return [`  floor: ${label}`, String(users), String(floor.turns), floor.turnsPerSecond.toFixed(0), ms(all.percentile(50)), ms(all.percentile(95)), ms(all.percentile(99)), ops, '', '', note];
}

export function buildRows(
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
      const echoNote = `message p99 ${ms(s.echo.samples.get('message').percentile(99))}, invoke p99 ${ms(s.echo.samples.get('invoke').percentile(99))}`;
      rows.push(floorRow('echo bot (framework)', s.users, s.echo, echoAll, '0', echoNote));
      rows.push(floorRow('table ops only (storage)', s.users, s.storage, storageAll, opsText(averageOps(profile)), 'same ops per turn type as the bot, issued directly'));
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
