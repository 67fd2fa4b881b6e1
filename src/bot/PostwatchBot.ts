import { TeamsActivityHandler, TurnContext, type InvokeResponse } from 'botbuilder';
import type { Reporter } from '../domain/report.ts';
import { describeError } from '../log.ts';
import { StorageUnavailableError } from '../store/ports.ts';
import { answerCardAction } from './cardActions.ts';
import { parseCommand, type Scope } from './commands.ts';
import { rememberChat } from './conversations.ts';
import type { BotDeps } from './deps.ts';
import { SAY } from './messages.ts';
import { runCommand } from './routes/commandRoutes.ts';
import { receiveScreenshots } from './screenshotIntake.ts';
import { screenshotArrival } from './screenshots.ts';
import { learnTeamMembers } from './teamSetup.ts';

export type { BotDeps } from './deps.ts';

/**
 * The Teams edge: turns activities into use-case calls and Screens into cards. Nothing here decides
 * anything about a report; it only finds out who is asking, for which practice, and answers them.
 */
export class PostwatchBot extends TeamsActivityHandler {
  constructor(private readonly deps: BotDeps) {
    super();
    this.onMessage(async (context, next) => {
      await this.guard(context, () => this.handleMessage(context));
      await next();
    });
    this.onTeamsMembersAddedEvent(async (membersAdded, teamInfo, context, next) => {
      await this.guard(context, () => learnTeamMembers(this.deps, membersAdded, teamInfo, context), { silent: true });
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      if (context.activity.conversation?.conversationType === 'personal') {
        // A manager whose Teams setup policy installed the app may never write to the bot: keep
        // the chat now, so the first incident can reach them.
        await this.guard(context, () => this.rememberInstalledChat(context), { silent: true });
        await context.sendActivity(SAY.welcome);
      }
      await next();
    });
  }

  private async rememberInstalledChat(context: TurnContext): Promise<void> {
    const aadObjectId = context.activity.from?.aadObjectId;
    const practice = aadObjectId ? await this.deps.membership.forPerson(aadObjectId) : undefined;
    if (aadObjectId && practice) await rememberChat(this.deps, context, practice, aadObjectId);
  }

  private async handleMessage(context: TurnContext): Promise<void> {
    const activity = context.activity;
    const aadObjectId = activity.from?.aadObjectId;
    if (!aadObjectId) {
      await context.sendActivity(SAY.noWorkAccount);
      return;
    }
    const person: Reporter = { aadObjectId, name: activity.from.name ?? '' };
    const text = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? '').trim();
    const command = parseCommand(text);
    const conversation = conversationOf(activity.conversation?.conversationType);

    if (conversation !== 'personal') {
      // Screenshots are never taken where others can see them.
      if ((activity.attachments ?? []).some((a) => a.contentType !== 'text/html')) {
        await context.sendActivity(SAY.screenshotsPrivately);
        return;
      }
      await runCommand({ deps: this.deps, context, person, practice: this.deps.membership.forTeam(teamIdOf(context)), conversation, command });
      return;
    }

    const practice = await this.deps.membership.forPerson(aadObjectId);
    if (!practice) {
      await context.sendActivity(SAY.unknownPractice);
      return;
    }
    await rememberChat(this.deps, context, practice, aadObjectId);
    const arrival = screenshotArrival(activity.attachments);
    if (arrival.kind !== 'none') {
      await receiveScreenshots(this.deps, context, practice, person, arrival);
      if (!text) return;
    }
    await runCommand({ deps: this.deps, context, person, practice, conversation, command });
  }

  /** Card buttons (Universal Actions). Anything malformed is refused plainly, never thrown. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const body = await answerCardAction(this.deps, context);
    return { status: 200, body };
  }

  private async guard(context: TurnContext, work: () => Promise<void>, options: { silent?: boolean } = {}): Promise<void> {
    try {
      await work();
    } catch (error) {
      this.deps.log.error({ ...describeError(error) }, 'turn failed');
      if (options.silent) return;
      await context
        .sendActivity(error instanceof StorageUnavailableError ? SAY.storageDownMessage : SAY.somethingWentWrongMessage)
        .catch(() => undefined);
    }
  }

}

/**
 * The conversation as a command scope. Only a team channel is the team; any other shared
 * conversation (a group chat, or a type Teams may add) gets the group chat's narrower scope.
 */
function conversationOf(conversationType: string | undefined): Scope {
  if (!conversationType || conversationType === 'personal') return 'personal';
  return conversationType === 'channel' ? 'team' : 'groupChat';
}

function teamIdOf(context: TurnContext): string | undefined {
  const data = context.activity.channelData as { team?: { id?: unknown } } | undefined;
  return typeof data?.team?.id === 'string' ? data.team.id : undefined;
}
