import type { BenchConnector } from './connector.ts';
import { SampleSet } from './stats.ts';
import { cardAction, personalMessage, postJson, type Person } from './teams.ts';

/**
 * The framework floor: the bare echo bot (serverChild.ts, mode "echo") driven like a report — one
 * message then seven card actions per round — by N concurrent workers. A message turn sends one
 * activity through the fake connector, as "report a post" does; a card action is answered in the
 * invoke response, as every report step is.
 */
export async function runEchoFloor(args: {
  botUrl: string;
  connector: BenchConnector;
  workers: number;
  durationMs: number;
}): Promise<{ samples: SampleSet; turns: number; elapsedMs: number; turnsPerSecond: number; failures: number }> {
  const url = `${args.botUrl}/api/messages`;
  const samples = new SampleSet();
  let turns = 0;
  let failures = 0;
  const started = performance.now();
  const deadline = started + args.durationMs;
  const worker = async (w: number) => {
    const person: Person = { id: `29:echo-${w}`, aadObjectId: `aad-echo-${w}`, name: `Echo ${w}` };
    while (performance.now() < deadline) {
      for (let step = 0; step < 8 && performance.now() < deadline; step++) {
        const kind = step === 0 ? 'message' : 'invoke';
        const body = kind === 'message' ? personalMessage(args.connector.url, person, 'report a post') : cardAction(args.connector.url, person, 'report.next', { draftId: 'x', step: 'where' });
        const t0 = performance.now();
        const posted = await postJson(url, body);
        samples.get(kind).add(performance.now() - t0);
        turns++;
        if (posted.status !== 200) failures++;
      }
    }
  };
  await Promise.all(Array.from({ length: args.workers }, (_, w) => worker(w)));
  const elapsedMs = performance.now() - started;
  return { samples, turns, elapsedMs, turnsPerSecond: (turns / elapsedMs) * 1000, failures };
}
