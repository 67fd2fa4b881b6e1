import { reportAndDecide, type FlowContext, type TurnName } from './flows.ts';
import { prefix, setUp, startPostwatch, type Environment } from './environment.ts';
import { practiceOf, staffMember } from './people.ts';
import { log } from './settings.ts';
import { diffCounts, emptyCounts, type OpCounts } from './tableProxy.ts';

// ---- table operations per turn type, one turn at a time -----------------------------------------

export interface Profile {
  inTurn: Map<TurnName, OpCounts>;
  background: Map<TurnName, OpCounts>;
  problems: Map<string, number>;
}

/**
 * One member of staff, one turn at a time, waiting after each turn until storage is quiet: the
 * table operations made while the turn was in flight, and those it set off afterwards (routing,
 * notifications), per turn type. The first flow is a warm-up and not counted.
 */
export async function profileTurns(e: Environment, flows: number): Promise<Profile> {
  const server = await startPostwatch(e, prefix('p'), false, e.connectionString);
  try {
    await setUp(e, server, 1);
    await e.proxy.quiet(100);
    const inTurn = new Map<TurnName, OpCounts>();
    const background = new Map<TurnName, OpCounts>();
    const seen = new Map<TurnName, number>();
    const problems = new Map<string, number>();
    let counting = false;
    const trace = process.env.BENCH_TRACE === '1';
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

/** The in-turn operations of the average turn type (what the storage floor row shows). */
export function averageOps(profile: Profile): OpCounts {
  const avg = emptyCounts();
  for (const c of profile.inTurn.values()) for (const k of Object.keys(avg) as Array<keyof OpCounts>) avg[k] += c[k] / profile.inTurn.size;
  return avg;
}
