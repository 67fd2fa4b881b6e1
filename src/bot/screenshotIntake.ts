import { ActivityTypes, CardFactory, type TurnContext } from 'botbuilder';
import type { Practice } from '../domain/practice.ts';
import type { ReportDraft, Reporter } from '../domain/report.ts';
import { describeError } from '../log.ts';
import type { BotDeps } from './deps.ts';
import { SAY } from './messages.ts';
import { cardFor } from './render.ts';
import { downloadScreenshot, type Download, type screenshotSources } from './screenshots.ts';

/** Screenshots sent in the 1:1 chat while a report is open: fetched at once and kept with the report. */
export async function receiveScreenshots(deps: BotDeps, 
  context: TurnContext,
  practice: Practice,
  reporter: Reporter,
  found: ReturnType<typeof screenshotSources>,
): Promise<void> {
  if (!(await deps.reporting.hasOpenDraft(practice.id, reporter))) {
    await context.sendActivity(SAY.screenshotWithoutReport);
    return;
  }
  const token = found.sources.some((s) => s.needsBotToken) ? await botToken(deps, context) : undefined;
  const downloads: Download[] = [];
  for (const source of found.sources) downloads.push(await downloadScreenshot(source, token));
  const good = downloads.filter((d): d is Extract<Download, { ok: true }> => d.ok);
  const problems = [
    ...downloads.filter((d): d is Extract<Download, { ok: false }> => !d.ok).map((d) => SAY.screenshotRefused(d.fileName, d.reason)),
    ...found.refused.map((name) => SAY.screenshotRefused(name, 'only PNG, JPEG, GIF or WebP images can be kept')),
  ];
  if (good.length > 0) {
    const outcome = await deps.reporting.addScreenshots(practice.id, reporter, good);
    if (outcome.kind === 'no-draft') problems.unshift(SAY.screenshotWithoutReport);
    if (outcome.kind === 'too-many') problems.unshift(SAY.tooManyScreenshots);
    if (outcome.kind === 'saved') {
      await context.sendActivity(SAY.screenshotsSaved(outcome.saved.map((f) => f.sha256)));
      await refreshReportCard(deps, context, practice, outcome.draft);
    }
  }
  if (problems.length > 0) await context.sendActivity(problems.join('\n\n'));
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
