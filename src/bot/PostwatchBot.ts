import {
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TurnContext,
  type InvokeResponse,
} from 'botbuilder';
import type { Screen } from '../app/reporting.ts';
import type { Practice } from '../domain/practice.ts';
import type { Reporter } from '../domain/report.ts';
import { describeError } from '../log.ts';
import { StorageUnavailableError } from '../store/ports.ts';
import { summaryCard } from '../views/index.ts';
import { answerCardAction } from './cardActions.ts';
import { helpFor, parseCommand, type Command } from './commands.ts';
import { registerPage, rememberChat } from './conversations.ts';
import type { BotDeps } from './deps.ts';
import { SAY } from './messages.ts';
import { cardFor } from './render.ts';
import { receiveScreenshots } from './screenshotIntake.ts';
import { screenshotArrival } from './screenshots.ts';
import { changeRole, learnTeamMembers, useChannel } from './teamSetup.ts';
import { ukDate } from '../domain/ukTime.ts';
import { plainText } from '../views/plainText.ts';

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
    const reporter: Reporter = { aadObjectId, name: activity.from.name ?? '' };
    const text = (TurnContext.removeRecipientMention(activity) ?? activity.text ?? '').trim();
    const command = parseCommand(text);

    if (activity.conversation?.conversationType && activity.conversation.conversationType !== 'personal') {
      await this.handleShared(context, reporter, command);
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
      await receiveScreenshots(this.deps, context, practice, reporter, arrival);
      if (!text) return;
    }
    await this.runCommand(context, practice, reporter, command);
  }

  private async runCommand(context: TurnContext, practice: Practice, reporter: Reporter, command: Command): Promise<void> {
    switch (command.kind) {
      case 'report': {
        const screen = await this.deps.reporting.start(practice.id, reporter);
        await this.sendScreen(context, practice, reporter, screen);
        return;
      }
      case 'myReports':
        await this.sendScreen(context, practice, reporter, await this.deps.reporting.myReports(practice.id, reporter));
        return;
      case 'incident': {
        await this.showIncident(context, practice, reporter, command.reference);
        return;
      }
      case 'openIncidents': {
        const card = await registerPage(this.deps, practice, reporter, 0);
        await context.sendActivity(typeof card === 'string' ? MessageFactory.text(card) : MessageFactory.attachment(CardFactory.adaptiveCard(card)));
        return;
      }
      case 'summary': {
        const result = await this.deps.summary.forPractice(practice, reporter.aadObjectId);
        await context.sendActivity(
          result.kind === 'denied'
            ? SAY.summaryOnlyForDeciders
            : MessageFactory.attachment(CardFactory.adaptiveCard(summaryCard(result.summary, { practiceName: practice.name, now: this.deps.now() }))),
        );
        return;
      }
      case 'verifyAudit': {
        const address = { reference: TurnContext.getConversationReference(context.activity) as Record<string, unknown>, teamsUserId: context.activity.from.id };
        await context.sendActivity(await this.deps.auditCheck.start(practice, reporter, address));
        return;
      }
      case 'hold':
        await context.sendActivity(await this.deps.records.hold(practice, reporter, command.reference, command.reason));
        return;
      case 'releaseHold':
        await context.sendActivity(await this.deps.records.release(practice, reporter, command.reference));
        return;
      case 'retentionReport':
        await context.sendActivity(await this.deps.records.report(practice, reporter.aadObjectId));
        return;
      case 'exportRegister':
        await context.sendActivity(await this.exportRegister(practice, reporter, command.period));
        return;
      case 'subjectAccess':
      case 'erasureRequest':
        await context.sendActivity(await this.recordsRequest(practice, reporter, command.kind === 'erasureRequest' ? 'erasure' : 'subject-access', command.subject));
        return;
      case 'requestAnswered':
        await context.sendActivity(await this.deps.subjectAccess.answered(practice, reporter, command.requestId, command.decision));
        return;
      case 'deleteEarly':
        await context.sendActivity(await this.deps.records.deleteEarly(practice, reporter, command.reference, command.reason));
        return;
      case 'useChannelForReview':
      case 'role':
        await context.sendActivity(SAY.setupInChannel);
        return;
      case 'help':
        await context.sendActivity(helpFor({ ...(await this.deps.setup.standing(practice, reporter.aadObjectId)), inChannel: false }));
        return;
      case 'unknown':
        await context.sendActivity(SAY.didNotUnderstand);
        return;
    }
  }

  /** A signed, short-lived link to the register as CSV, in the person's own 1:1 chat. */
  private async exportRegister(practice: Practice, person: Reporter, period: string): Promise<string> {
    const request = await this.deps.registerExport.request(practice, person, period);
    if (request.kind === 'denied') return SAY.exportOnlyForDeciders;
    if (request.kind === 'invalid') return request.message;
    const link = this.deps.links.issue(
      { practiceId: practice.id, reference: '', issuedTo: person.aadObjectId, issuedToName: person.name, kind: 'register', from: request.period.from, to: request.period.to },
      this.deps.now(),
    );
    return SAY.registerExportLink(practice.name, request.period.label, link.url, link.expiresAt);
  }

  /** A subject access request: recorded with its deadline, and a single-use link to the pack. Erasure: the Code's basis. */
  private async recordsRequest(practice: Practice, person: Reporter, kind: 'subject-access' | 'erasure', subject: string): Promise<string> {
    const outcome = await this.deps.subjectAccess.request(practice, person, subject, kind);
    if (outcome.kind === 'denied') return SAY.requestsOnlyForManagersAndDpo;
    if (outcome.kind === 'invalid') return outcome.message;
    const { request } = outcome;
    if (kind === 'erasure') {
      const references = (await this.deps.subjectAccess.extracts(practice.id, request.subject)).map((e) => e.reference);
      return SAY.erasureRecorded(request.id, plainText(request.subject), ukDate(request.dueAt), references);
    }
    const link = this.deps.links.issue(
      { practiceId: practice.id, reference: '', issuedTo: person.aadObjectId, issuedToName: person.name, kind: 'subject-access', requestId: request.id, nonce: outcome.nonce },
      this.deps.now(),
    );
    return SAY.subjectAccessLink(request.id, plainText(request.subject), ukDate(request.dueAt), link.url, link.expiresAt);
  }

  /** In a channel or group chat nothing about a report is posted: it carries on in 1:1 chat. */
  private async handleShared(context: TurnContext, reporter: Reporter, command: Command): Promise<void> {
    if ((context.activity.attachments ?? []).some((a) => a.contentType !== 'text/html')) {
      await context.sendActivity(SAY.screenshotsPrivately);
      return;
    }
    const teamId = teamIdOf(context);
    const practice = this.deps.membership.forTeam(teamId);
    if (command.kind === 'help' || command.kind === 'unknown') {
      // Help for the person asking; in a team not linked to a practice, what any member of staff can do.
      const standing = practice && command.kind === 'help' ? await this.deps.setup.standing(practice, reporter.aadObjectId) : { decider: false, manager: false };
      await context.sendActivity(command.kind === 'help' ? helpFor({ ...standing, inChannel: true }) : SAY.didNotUnderstand);
      return;
    }
    if (!practice) {
      await context.sendActivity(SAY.teamNotLinked);
      return;
    }
    await this.deps.membership.remember(reporter.aadObjectId, practice);
    if (command.kind === 'useChannelForReview') {
      await context.sendActivity(await useChannel(this.deps, context, practice, reporter));
      return;
    }
    if (command.kind === 'role') {
      await context.sendActivity(await changeRole(this.deps, context, practice, reporter, command.add, command.role));
      return;
    }
    if (command.kind === 'verifyAudit' || command.kind === 'summary') {
      await context.sendActivity(SAY.askInPrivate(command.kind === 'summary' ? 'summary' : 'verify audit'));
      return;
    }
    if (['hold', 'releaseHold', 'retentionReport', 'exportRegister', 'subjectAccess', 'erasureRequest', 'requestAnswered', 'deleteEarly'].includes(command.kind)) {
      // Records duties are never discussed in front of the channel.
      const words = command.kind === 'retentionReport' ? 'retention report' : command.kind === 'exportRegister' ? 'export register' : command.kind === 'subjectAccess' || command.kind === 'erasureRequest' || command.kind === 'requestAnswered' ? 'subject access …' : 'incident PW-… …';
      await context.sendActivity(SAY.askInPrivate(words));
      return;
    }
    if (command.kind === 'openIncidents' || command.kind === 'incident') {
      // The register and incident details are never shown to the whole channel.
      const card = command.kind === 'openIncidents' ? await registerPage(this.deps, practice, reporter, 0) : SAY.incidentInPrivate;
      if (typeof card === 'string') await context.sendActivity(card);
      else await this.sendPrivately(context, card);
      return;
    }
    const screen =
      command.kind === 'report'
        ? await this.deps.reporting.start(practice.id, reporter)
        : await this.deps.reporting.myReports(practice.id, reporter);
    const id = await this.sendPrivately(context, cardFor(screen, practice));
    // A new report's first press stores its card's id (replyToId); only a resumed report's new card is remembered now.
    if (id && screen.kind === 'step' && screen.resumed) await this.deps.reporting.rememberCard(practice.id, reporter, screen.draft.id, id);
  }

  /** Sends a card to the person's 1:1 chat and says so, and only so, where they asked. */
  private async sendPrivately(context: TurnContext, card: object): Promise<string | undefined> {
    let id: string | undefined;
    try {
      id = await this.deps.privateChats.send(context, MessageFactory.attachment(CardFactory.adaptiveCard(card)));
    } catch (error) {
      this.deps.log.warn({ ...describeError(error) }, 'could not open a private chat');
      await context.sendActivity(SAY.couldNotMessagePrivately);
      return undefined;
    }
    await context.sendActivity(SAY.sentPrivately);
    return id;
  }

  private async sendScreen(context: TurnContext, practice: Practice, reporter: Reporter, screen: Screen): Promise<void> {
    const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(cardFor(screen, practice))));
    if (sent?.id && screen.kind === 'step' && screen.resumed) {
      await this.deps.reporting.rememberCard(practice.id, reporter, screen.draft.id, sent.id);
    }
  }

  /** Card buttons (Universal Actions). Anything malformed is refused plainly, never thrown. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const body = await answerCardAction(this.deps, context);
    return { status: 200, body };
  }

  /**
   * "incident PW-2026-0042", by the one rule (src/domain/sight.ts): deciders see the card, the
   * reporter their own view, anyone else the same notice whether the incident exists or not.
   */
  private async showIncident(context: TurnContext, practice: Practice, person: Reporter, reference: string | undefined): Promise<void> {
    if (!reference) {
      await context.sendActivity(SAY.incidentUsage);
      return;
    }
    const asking = { practice, inChannel: false, ...(context.activity.conversation?.id ? { conversationId: context.activity.conversation.id } : {}) };
    const screen = await this.deps.deciding.view(asking, reference, person);
    if (screen.kind === 'message') {
      await context.sendActivity(screen.text);
      return;
    }
    await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(await this.deps.incidentCards.card(screen))));
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

function teamIdOf(context: TurnContext): string | undefined {
  const data = context.activity.channelData as { team?: { id?: unknown } } | undefined;
  return typeof data?.team?.id === 'string' ? data.team.id : undefined;
}
