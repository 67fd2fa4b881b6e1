import { bump, cardArrives, decide, report, type FlowContext, type Submitted } from './flows.ts';
import type { Environment } from './environment.ts';
import { activePractices, practiceOf, staffMember } from './people.ts';
import { Samples, SampleSet, sleep } from './stats.ts';

// ---- load -------------------------------------------------------------------------------------

export interface LoadResult {
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
export async function runFlows(e: Environment, botUrls: string[], users: number, durationMs: number): Promise<LoadResult> {
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
  const inboxes = new Map(activePractices().map((p) => [p.id, [] as Submitted[]]));
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
  const managers = activePractices().map(async (p, i) => {
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
