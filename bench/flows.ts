import type { BenchConnector } from './connector.ts';
import {
  cardAction,
  channelMention,
  findAction,
  invokeCard,
  membersAdded,
  personalConversationId,
  personalMessage,
  postJson,
  type Person,
  type Posted,
} from './teams.ts';

/**
 * Simulated people over HTTP against the running server: a member of staff reporting a post
 * through every card step, and their practice manager deciding on it once its card arrives.
 * Each turn is timed and handed to `record`.
 */

export const TURNS = {
  start: 'message "report a post"',
  where: 'report.next (where)',
  what: 'report.next (what)',
  risk: 'report.risk (no)',
  evidence: 'report.next (evidence)',
  submit: 'report.submit',
  refresh: 'incident.refresh (manager)',
  decide: 'incident.noResponse (manager)',
  /** Only when a left-over draft has to be discarded (not part of a normal flow). */
  cancel: 'report.cancel (left-over draft)',
} as const;
export type TurnName = (typeof TURNS)[keyof typeof TURNS];
/** The turns of a normal flow, in order. */
export const TURN_ORDER: TurnName[] = Object.values(TURNS).filter((t) => t !== TURNS.cancel);
/** Which kind of activity each turn is (for the framework floor). */
export const TURN_ACTIVITY: Record<TurnName, 'message' | 'invoke'> = Object.fromEntries(
  TURN_ORDER.map((t) => [t, t === TURNS.start ? 'message' : 'invoke']),
) as Record<TurnName, 'message' | 'invoke'>;

export interface FlowContext {
  botUrl: string;
  /** Several server processes behind one address: each turn goes to the next (round-robin). */
  botUrls?: string[];
  connector: BenchConnector;
  practiceId: string;
  staff: Person;
  manager: Person;
  /** Called with each turn's latency. */
  record: (name: TurnName, ms: number) => void;
  /** Called after each turn's response, before the next turn (the profiler waits for storage to go quiet here). */
  between?: (name: TurnName) => Promise<void>;
  /** Time from pressing Submit until the incident card reached the manager's 1:1 chat. */
  recordDelivery?: (ms: number) => void;
  /** Counters for what did not go to plan (kept, never thrown). */
  problems: Map<string, number>;
}

function yesterday(): string {
  return new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
}

let postNumber = 0;
let roundRobin = 0;

class FlowProblem extends Error {}
class StopFlow extends Error {}

/** Timed turns for one actor; counts them and stops after `stopAfter` if asked. */
class Session {
  turns = 0;
  private stopping = false;
  private readonly url: string;

  constructor(
    private readonly ctx: FlowContext,
    private readonly stopAfter?: TurnName,
  ) {
    this.url = `${ctx.botUrl}/api/messages`;
  }

  /** The server for the next turn: a plain round-robin, as a load balancer without affinity. */
  private next(): string {
    const urls = this.ctx.botUrls;
    return urls && urls.length > 1 ? `${urls[roundRobin++ % urls.length]}/api/messages` : this.url;
  }

  get stopped(): boolean {
    return this.stopping;
  }

  async turn(name: TurnName, body: unknown): Promise<Posted> {
    if (this.stopping) throw new StopFlow();
    const started = performance.now();
    const posted = await postJson(this.next(), body);
    this.ctx.record(name, performance.now() - started);
    this.turns++;
    if (posted.status !== 200) throw new FlowProblem(`${name}: HTTP ${posted.status}`);
    await this.ctx.between?.(name);
    if (this.stopAfter === name) this.stopping = true;
    return posted;
  }

  /** Presses a button; `card` is undefined when the bot answered with a message instead. */
  async tryPress(name: TurnName, who: Person, card: unknown, match: { title?: string; verb?: string }, inputs: Record<string, unknown> = {}) {
    const action = findAction(card, match);
    if (!action) throw new FlowProblem(`${name}: no ${match.title ?? match.verb} button`);
    const posted = await this.turn(name, cardAction(this.ctx.connector.url, who, action.verb, { ...action.data, ...inputs }));
    return { card: invokeCard(posted), message: String((posted.json as { value?: unknown })?.value ?? '').slice(0, 80) };
  }

  async press(name: TurnName, who: Person, card: unknown, match: { title?: string; verb?: string }, inputs: Record<string, unknown> = {}): Promise<unknown> {
    const answer = await this.tryPress(name, who, card, match, inputs);
    if (!answer.card) throw new FlowProblem(`${name}: answered without a card (${answer.message})`);
    return answer.card;
  }
}

async function guarded(ctx: FlowContext, work: () => Promise<void>): Promise<void> {
  try {
    await work();
  } catch (error) {
    if (error instanceof StopFlow) return;
    if (error instanceof FlowProblem) bump(ctx.problems, error.message);
    else bump(ctx.problems, `error: ${error instanceof Error ? error.message : String(error)}`);
  }
}

export interface Submitted {
  reference: string;
  /** performance.now() when Submit was pressed. */
  submittedAt: number;
}

/**
 * The member of staff's part: "report a post" and every card step to Submit (a report once
 * started is finished, so no draft is left half-way). Returns the turns made and, if it was
 * stored, the incident's reference.
 */
export async function report(ctx: FlowContext, options: { stopAfter?: TurnName } = {}): Promise<{ turns: number; submitted?: Submitted }> {
  const session = new Session(ctx, options.stopAfter);
  const n = ++postNumber;
  let submitted: Submitted | undefined;
  const startReport = async () => {
    await session.turn(TURNS.start, personalMessage(ctx.connector.url, ctx.staff, 'report a post'));
    const card = ctx.connector.takeCard(personalConversationId(ctx.staff));
    if (!card) throw new FlowProblem(`${TURNS.start}: no card reached the connector`);
    return card;
  };
  await guarded(ctx, async () => {
    let card: unknown = await startReport();
    if (findAction(card, { title: 'Next' })?.data.step !== 'where') {
      // An unfinished report from an earlier flow (its submit failed): discard it and start again.
      bump(ctx.problems, 'unfinished report found at "report a post": cancelled and started again');
      await session.tryPress(TURNS.cancel, ctx.staff, card, { title: 'Cancel' });
      card = await startReport();
    }
    card = await session.press(TURNS.where, ctx.staff, card, { title: 'Next' }, {
      platform: 'facebook',
      postUrl: `https://www.facebook.com/practice/posts/${n}`,
      seenDate: yesterday(),
      seenTime: '09:05',
      authorName: `Author ${n % 400}`,
      authorRelationship: 'patient',
    });
    card = await session.press(TURNS.what, ctx.staff, card, { title: 'Next' }, {
      postText: 'The receptionist was rude and this practice is a disgrace. Avoid.',
      categories: 'personal-attack,other-criticism',
      namedParties: 'practice',
    });
    card = await session.press(TURNS.risk, ctx.staff, card, { title: 'No' }, { riskDetails: '' });
    card = await session.press(TURNS.evidence, ctx.staff, card, { title: 'Next' }, { noScreenshot: 'true', noScreenshotReason: 'The post was deleted' });
    const submittedAt = performance.now();
    let confirmation: unknown;
    for (let attempt = 1; !confirmation; attempt++) {
      // A refused submit keeps the answers; the person presses Submit again, as the card asks.
      const answer = await session.tryPress(TURNS.submit, ctx.staff, card, { title: 'Submit' });
      confirmation = answer.card;
      if (!confirmation) {
        bump(ctx.problems, `report.submit answered "${answer.message}…": pressed Submit again`);
        if (attempt >= 3) throw new FlowProblem(`${TURNS.submit}: refused three times`);
        await new Promise((r) => setTimeout(r, 250));
      }
    }
    const reference = /PW-\d{4}-\d{4,}/.exec(JSON.stringify(confirmation))?.[0];
    if (!reference) throw new FlowProblem(`${TURNS.submit}: no reference on the confirmation`);
    submitted = { reference, submittedAt };
  });
  return { turns: session.turns, ...(submitted ? { submitted } : {}) };
}

/**
 * The practice manager's part: the incident card refreshes for them (Teams sends
 * incident.refresh) and they choose "no response" with a reason. By default they wait for the card
 * to reach their 1:1 chat first (routing and the outbox run after the reporter's confirmation);
 * with waitForCard false they open it as soon as it is graded (refreshing until it is). Returns
 * the turns made.
 */
export async function decide(ctx: FlowContext, submitted: Submitted, options: { waitForCard?: boolean } = {}): Promise<number> {
  const session = new Session(ctx);
  const { reference } = submitted;
  await guarded(ctx, async () => {
    if (options.waitForCard !== false && !(await cardArrives(ctx, submitted))) throw new FlowProblem('the incident card never reached the manager');
    let decider: unknown;
    for (let attempt = 0; attempt < 200 && !decider; attempt++) {
      const posted = await session.turn(TURNS.refresh, cardAction(ctx.connector.url, ctx.manager, 'incident.refresh', { practiceId: ctx.practiceId, reference, version: 0 }));
      const view = invokeCard(posted);
      if (isRouted(view)) decider = view;
      else {
        bump(ctx.problems, 'refresh before routing finished (retried)');
        await new Promise((r) => setTimeout(r, 10));
      }
    }
    if (!decider) throw new FlowProblem(`${TURNS.refresh}: never saw the decider view`);
    const decided = await session.press(TURNS.decide, ctx.manager, decider, { verb: 'incident.noResponse' }, {
      reason: 'A reply would draw attention to the post; the complaints route was offered privately.',
    });
    if (!/Decision recorded/.test(JSON.stringify(decided))) bump(ctx.problems, 'decision not recorded');
  });
  return session.turns;
}

/** Waits (up to 30 s) for the incident card to reach the manager's 1:1 chat and records how long it took. */
export async function cardArrives(ctx: FlowContext, submitted: Submitted): Promise<boolean> {
  const arrived = await ctx.connector.waitForCard(personalConversationId(ctx.manager), submitted.reference, 30_000);
  if (arrived === undefined) return false;
  ctx.recordDelivery?.(Math.max(0, arrived - submitted.submittedAt));
  return true;
}

/** Report, then decide on it, one after the other (the profiler). Returns the turns made. */
export async function reportAndDecide(ctx: FlowContext): Promise<number> {
  const reported = await report(ctx);
  return reported.turns + (reported.submitted ? await decide(ctx, reported.submitted) : 0);
}

/** The decider view of a graded incident: routing bumps the version to 1 or more. */
export function isRouted(card: unknown): boolean {
  const action = findAction(card, { verb: 'incident.noResponse' });
  return typeof action?.data.version === 'number' && action.data.version >= 1;
}

export function bump(map: Map<string, number>, key: string): void {
  map.set(key, (map.get(key) ?? 0) + 1);
}

/**
 * Once per practice: the staff join the practice's Team (the bot learns who they are, as in
 * production), the manager opens a 1:1 chat with the bot and picks the review channel.
 */
export async function setUpPractice(botUrl: string, connector: BenchConnector, manager: Person, staff: Person[], teamId: string): Promise<void> {
  const url = `${botUrl}/api/messages`;
  const expect200 = (what: string, posted: Posted) => {
    if (posted.status !== 200) throw new Error(`set-up: ${what} answered HTTP ${posted.status}`);
  };
  for (let i = 0; i < staff.length; i += 50) {
    expect200('members added', await postJson(url, membersAdded(connector.url, manager, staff.slice(i, i + 50), teamId)));
  }
  expect200('"help"', await postJson(url, personalMessage(connector.url, manager, 'help')));
  expect200('review channel', await postJson(url, channelMention(connector.url, manager, 'use this channel for incident review', teamId)));
}
