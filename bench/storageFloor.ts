import { TableClient, type TableEntity } from '@azure/data-tables';
import { randomBytes } from 'node:crypto';
import type { TurnName } from './flows.ts';
import { SampleSet } from './stats.ts';
import { OP_KINDS, type OpCounts, type TableOpKind } from './tableProxy.ts';

/**
 * The storage floor: for each turn type, the same number and kinds of Azurite table operations the
 * bot makes in that turn (as measured by the profiler), issued directly with @azure/data-tables
 * through the same counting proxy, one after another, by N concurrent workers. Nothing but storage.
 */

export type OpPlan = Map<TurnName, TableOpKind[]>;

/** The in-turn operations of each turn type, rounded to whole operations per kind. */
export function planFrom(perTurn: Map<TurnName, OpCounts>): OpPlan {
  const plan: OpPlan = new Map();
  for (const [turn, counts] of perTurn) {
    const ops: TableOpKind[] = [];
    for (const kind of OP_KINDS) {
      if (kind === 'other') continue;
      for (let i = 0; i < Math.round(counts[kind]); i++) ops.push(kind);
    }
    plan.set(turn, ops);
  }
  return plan;
}

const PAYLOAD = randomBytes(1_100).toString('base64'); // ~1.5 KB of JSON-like text, like a draft

export async function runStorageFloor(args: {
  connectionString: string;
  table: string;
  plan: OpPlan;
  workers: number;
  durationMs: number;
}): Promise<{ samples: SampleSet; turns: number; elapsedMs: number; turnsPerSecond: number }> {
  const client = TableClient.fromConnectionString(args.connectionString, args.table, { allowInsecureConnection: true });
  await client.createTable();
  const pk = 'floor';
  for (let q = 1; q <= 3; q++) await client.upsertEntity({ partitionKey: pk, rowKey: `q|${q}`, payload: PAYLOAD });
  for (let w = 0; w < args.workers; w++) await client.upsertEntity({ partitionKey: pk, rowKey: `w|${w}`, payload: PAYLOAD });

  const samples = new SampleSet();
  const order = [...args.plan.keys()];
  let turns = 0;
  const started = performance.now();
  const deadline = started + args.durationMs;

  const worker = async (w: number) => {
    let seq = 0;
    const inserted: string[] = [];
    const doOp = async (kind: TableOpKind) => {
      switch (kind) {
        case 'read':
          await client.getEntity(pk, `w|${w}`);
          return;
        case 'query':
          for await (const _ of client.listEntities({ queryOptions: { filter: `PartitionKey eq '${pk}' and RowKey ge 'q|' and RowKey lt 'q}'` } })) {
            // drain the page
          }
          return;
        case 'insert': {
          const rowKey = `i|${w}|${++seq}`;
          await client.createEntity({ partitionKey: pk, rowKey, payload: PAYLOAD });
          inserted.push(rowKey);
          return;
        }
        case 'update':
          await client.upsertEntity({ partitionKey: pk, rowKey: `w|${w}`, payload: PAYLOAD, seq }, 'Replace');
          return;
        case 'delete': {
          const rowKey = inserted.shift() ?? `i|${w}|missing`;
          await client.deleteEntity(pk, rowKey).catch(() => undefined);
          return;
        }
        case 'batch': {
          const entity = (i: number): TableEntity => ({ partitionKey: `b|${w}`, rowKey: `r|${i}`, payload: PAYLOAD.slice(0, 600) });
          await client.submitTransaction([['upsert', entity(1), 'Replace'], ['upsert', entity(2), 'Replace'], ['upsert', entity(3), 'Replace']]);
          return;
        }
        default:
          return;
      }
    };
    // Workers start at different turn types, so every type is sampled however short the run.
    for (let i = w; performance.now() < deadline; i++) {
      const turn = order[i % order.length]!;
      const t0 = performance.now();
      for (const kind of args.plan.get(turn) ?? []) await doOp(kind);
      samples.get(turn).add(performance.now() - t0);
      turns++;
    }
  };
  await Promise.all(Array.from({ length: args.workers }, (_, w) => worker(w)));
  const elapsedMs = performance.now() - started;
  await client.deleteTable().catch(() => undefined);
  return { samples, turns, elapsedMs, turnsPerSecond: (turns / elapsedMs) * 1000 };
}
