import { ActivityTypes, CardFactory, type TurnContext } from 'botbuilder';
import type { Practice } from '../domain/practice.ts';
import type { ReportDraft, Reporter } from '../domain/report.ts';
import { describeError } from '../log.ts';
import type { BotDeps } from './deps.ts';
import { ByteBudget, type Fetched, type Refusal } from './download/safeFetch.ts';
import { SAY } from './messages.ts';
import { cardFor } from '../presenters/reportScreens.ts';
import { imageType, MAX_MESSAGE_BYTES, type Arrival, type ScreenshotSource } from './screenshots.ts';

/** Downloads of one message running side by side (the process-wide limit is SafeFetch's). */
const PER_MESSAGE_AT_ONCE = 4;
/** All of a message's downloads end by then, so its answer never waits on twenty slow hosts in turn. */
const MESSAGE_DEADLINE_MS = 30_000;

type Image = { fileName: string; contentType: string; bytes: Buffer };

/**
 * Screenshots sent in the 1:1 chat while a report is open: fetched at once and kept with the
 * report. Every message gets one answer listing what was kept and what was not.
 */
export async function receiveScreenshots(
  deps: BotDeps,
  context: TurnContext,
  practice: Practice,
  reporter: Reporter,
  arrival: Exclude<Arrival, { kind: 'none' }>,
): Promise<void> {
  if (arrival.kind === 'too-many') {
    await context.sendActivity(SAY.screenshotsTooManyInOneMessage);
    return;
  }
  const room = await deps.reporting.screenshotRoom(practice.id, reporter);
  if (room === undefined) {
    await context.sendActivity(SAY.screenshotWithoutReport);
    return;
  }
  // The report's limit is applied before anything is downloaded.
  const wanted = arrival.sources.slice(0, room);
  let reportFull = arrival.sources.length - wanted.length;
  const notKept = [...arrival.refused];

  const fetched = await fetchAll(deps, context, wanted);
  const images: Image[] = [];
  const reasons: Array<Refusal | 'not-an-image'> = [];
  fetched.forEach((result, i) => {
    const source = wanted[i]!;
    const contentType = result.ok ? imageType(result.bytes) : undefined;
    if (result.ok && contentType) images.push({ fileName: source.fileName, contentType, bytes: result.bytes });
    else {
      notKept.push(source.fileName);
      reasons.push(result.ok ? 'not-an-image' : result.reason);
    }
  });
  if (reasons.length > 0) deps.log.info({ reasons }, 'screenshots not kept');

  let kept: string[] = [];
  if (images.length > 0) {
    const outcome = await deps.reporting.addScreenshots(practice.id, reporter, images);
    if (outcome.kind === 'no-draft') {
      await context.sendActivity(SAY.screenshotWithoutReport);
      return;
    }
    if (outcome.kind === 'too-many') reportFull += images.length;
    if (outcome.kind === 'saved') {
      kept = outcome.saved.map((f) => f.sha256);
      await refreshReportCard(deps, context, practice, outcome.draft);
    }
  }
  await context.sendActivity(SAY.screenshotsReceived({ kept, notKept, reportFull }));
}

/** Every source fetched, a few at a time, within one byte budget for the message; results in order. */
async function fetchAll(deps: BotDeps, context: TurnContext, sources: ScreenshotSource[]): Promise<Fetched[]> {
  if (sources.length === 0) return [];
  const origin = { serviceUrl: context.activity.serviceUrl ?? '', local: !deps.authEnabled };
  const token = sources.some((s) => s.kind === 'connector') ? await botToken(deps, context) : undefined;
  const budget = new ByteBudget(MAX_MESSAGE_BYTES);
  const deadline = AbortSignal.timeout(MESSAGE_DEADLINE_MS);
  const results: Fetched[] = new Array(sources.length);
  let next = 0;
  const worker = async () => {
    for (let i = next++; i < sources.length; i = next++) {
      const source = sources[i]!;
      // A file's downloadUrl is pre-authorised: it never gets the token.
      const plan = { url: source.url, kind: source.kind, origin, ...(source.kind === 'connector' && token ? { token } : {}) };
      results[i] = await deps.downloads.get(plan, budget, deadline);
    }
  };
  await Promise.all(Array.from({ length: Math.min(PER_MESSAGE_AT_ONCE, sources.length) }, worker));
  return results;
}

/** The evidence card lists what has arrived, so it is redrawn in place when a screenshot lands. */
async function refreshReportCard(deps: BotDeps, context: TurnContext, practice: Practice, draft: ReportDraft): Promise<void> {
  if (!draft.cardActivityId || (draft.step !== 'evidence' && draft.step !== 'review')) return;
  try {
    await context.updateActivity({
      id: draft.cardActivityId,
      type: ActivityTypes.Message,
      attachments: [CardFactory.adaptiveCard(cardFor({ kind: 'step', draft }, practice))],
    });
  } catch (error) {
    // The screenshot is saved; the card catches up on the next press.
    deps.log.info({ ...describeError(error) }, 'could not refresh the report card');
  }
}

async function botToken(deps: BotDeps, context: TurnContext): Promise<string | undefined> {
  if (!deps.authEnabled) return undefined;
  const client = context.turnState.get(context.adapter.ConnectorClientKey) as { credentials?: { getToken?: () => Promise<string> } } | undefined;
  try {
    return await client?.credentials?.getToken?.();
  } catch (error) {
    deps.log.warn({ ...describeError(error) }, 'could not get a token to download a screenshot');
    return undefined;
  }
}
