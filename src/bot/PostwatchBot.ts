import {
  ActivityTypes,
  CardFactory,
  MessageFactory,
  TeamsActivityHandler,
  TeamsInfo,
  TurnContext,
  type AdaptiveCardInvokeResponse,
  type InvokeResponse,
  type TeamsChannelAccount,
  type TeamInfo,
} from 'botbuilder';
import type { AuditCheck } from '../app/auditCheck.ts';
import type { Deciding } from '../app/deciding.ts';
import type { Membership } from '../app/membership.ts';
import type { PracticeSetup } from '../app/practiceSetup.ts';
import type { Register } from '../app/register.ts';
import type { EvidenceLinks } from './evidenceLinks.ts';
import { evidencePackCard, registerCard } from '../views/index.ts';
import { REGISTER_VERBS } from '../views/verbs.ts';
import { parseReference } from '../domain/reference.ts';
import type { RoleId } from '../domain/roles.ts';
import type { ConversationAddress, PracticeStore } from '../store/ports.ts';
import { INCIDENT_VERBS } from '../views/verbs.ts';
import type { IncidentCards } from './notifications.ts';
import type { Reporting, Screen } from '../app/reporting.ts';
import type { Practice } from '../domain/practice.ts';
import type { ReportDraft, Reporter } from '../domain/report.ts';
import { describeError, type Logger } from '../log.ts';
import { parseCommand, type Command } from './commands.ts';
import { parseCardAction } from './invoke.ts';
import { SAY } from './messages.ts';
import type { PrivateChats } from './privateChat.ts';
import { cardFor } from './render.ts';
import { downloadScreenshot, screenshotSources, type Download } from './screenshots.ts';
import { StorageUnavailableError } from '../store/ports.ts';
import { INCIDENT_STATUSES, type IncidentStatus } from '../domain/incident.ts';

function statusLabel(status: IncidentStatus): string {
  return INCIDENT_STATUSES.find((s) => s.id === status)?.label ?? status;
}

export interface BotDeps {
  reporting: Reporting;
  deciding: Deciding;
  setup: PracticeSetup;
  register: Register;
  links: EvidenceLinks;
  auditCheck: AuditCheck;
  /** Sends an evidence pack link to the person's 1:1 chat; false if they have none yet. */
  privateLink: (practiceId: string, aadObjectId: string, reference: string, url: string, expiresAt: Date) => Promise<boolean>;
  now: () => Date;
  incidentCards: IncidentCards;
  /** Where each person's 1:1 chat is, so notifications can reach them later. */
  chats: Pick<PracticeStore, 'userChat' | 'rememberUserChat'>;
  membership: Membership;
  privateChats: PrivateChats;
  log: Logger;
  /** Whether Bot Framework authentication is on (then attachments on the connector need our token). */
  authEnabled: boolean;
}

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
      await this.guard(context, () => this.learnTeamMembers(membersAdded, teamInfo, context), { silent: true });
      await next();
    });
    this.onInstallationUpdateAdd(async (context, next) => {
      if (context.activity.conversation.conversationType === 'personal') await context.sendActivity(SAY.welcome);
      await next();
    });
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
    await this.rememberChat(context, practice, aadObjectId);
    const sources = screenshotSources(activity.attachments, activity.serviceUrl);
    if (sources.sources.length > 0 || sources.refused.length > 0) {
      await this.receiveScreenshots(context, practice, reporter, sources);
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
        const card = await this.registerPage(practice, reporter, 0);
        await context.sendActivity(typeof card === 'string' ? MessageFactory.text(card) : MessageFactory.attachment(CardFactory.adaptiveCard(card)));
        return;
      }
      case 'verifyAudit': {
        const address = { reference: TurnContext.getConversationReference(context.activity) as Record<string, unknown>, teamsUserId: context.activity.from.id };
        await context.sendActivity(await this.deps.auditCheck.start(practice, reporter, address));
        return;
      }
      case 'useChannelForReview':
      case 'role':
        await context.sendActivity(SAY.setupInChannel);
        return;
      case 'help':
        await context.sendActivity(SAY.help);
        return;
      case 'unknown':
        await context.sendActivity(SAY.didNotUnderstand);
        return;
    }
  }

  /** In a channel or group chat nothing about a report is posted: it carries on in 1:1 chat. */
  private async handleShared(context: TurnContext, reporter: Reporter, command: Command): Promise<void> {
    if ((context.activity.attachments ?? []).some((a) => a.contentType !== 'text/html')) {
      await context.sendActivity(SAY.screenshotsPrivately);
      return;
    }
    if (command.kind === 'help' || command.kind === 'unknown') {
      await context.sendActivity(command.kind === 'help' ? SAY.help : SAY.didNotUnderstand);
      return;
    }
    const teamId = teamIdOf(context);
    const practice = this.deps.membership.forTeam(teamId);
    if (!practice) {
      await context.sendActivity(SAY.teamNotLinked);
      return;
    }
    await this.deps.membership.remember(reporter.aadObjectId, practice);
    if (command.kind === 'useChannelForReview') {
      await context.sendActivity(await this.useChannel(context, practice, reporter));
      return;
    }
    if (command.kind === 'role') {
      await context.sendActivity(await this.changeRole(context, practice, reporter, command.add, command.role));
      return;
    }
    if (command.kind === 'verifyAudit') {
      await context.sendActivity(SAY.verifyInPrivate);
      return;
    }
    if (command.kind === 'openIncidents' || command.kind === 'incident') {
      // The register and incident details are never shown to the whole channel.
      const card = command.kind === 'openIncidents' ? await this.registerPage(practice, reporter, 0) : SAY.incidentInPrivate;
      if (typeof card === 'string') await context.sendActivity(card);
      else await this.sendPrivately(context, card);
      return;
    }
    const screen =
      command.kind === 'report'
        ? await this.deps.reporting.start(practice.id, reporter)
        : await this.deps.reporting.myReports(practice.id, reporter);
    const id = await this.sendPrivately(context, cardFor(screen, practice));
    if (id && screen.kind === 'step') await this.deps.reporting.rememberCard(practice.id, reporter, screen.draft.id, id);
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

  private async registerPage(practice: Practice, viewer: Reporter, page: number): Promise<object | string> {
    const result = await this.deps.register.open(practice, viewer.aadObjectId, page);
    if (result.kind === 'denied') return SAY.registerOnlyForDeciders;
    return registerCard(result.rows, { practiceName: practice.name, page: result.page, pageCount: result.pageCount, total: result.total, now: this.deps.now() });
  }

  private async sendScreen(context: TurnContext, practice: Practice, reporter: Reporter, screen: Screen): Promise<void> {
    const sent = await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(cardFor(screen, practice))));
    if (sent?.id && screen.kind === 'step') {
      await this.deps.reporting.rememberCard(practice.id, reporter, screen.draft.id, sent.id);
    }
  }

  private async receiveScreenshots(
    context: TurnContext,
    practice: Practice,
    reporter: Reporter,
    found: ReturnType<typeof screenshotSources>,
  ): Promise<void> {
    if (!(await this.deps.reporting.hasOpenDraft(practice.id, reporter))) {
      await context.sendActivity(SAY.screenshotWithoutReport);
      return;
    }
    const token = found.sources.some((s) => s.needsBotToken) ? await this.botToken(context) : undefined;
    const downloads: Download[] = [];
    for (const source of found.sources) downloads.push(await downloadScreenshot(source, token));
    const good = downloads.filter((d): d is Extract<Download, { ok: true }> => d.ok);
    const problems = [
      ...downloads.filter((d): d is Extract<Download, { ok: false }> => !d.ok).map((d) => SAY.screenshotRefused(d.fileName, d.reason)),
      ...found.refused.map((name) => SAY.screenshotRefused(name, 'only PNG, JPEG, GIF or WebP images can be kept')),
    ];
    if (good.length > 0) {
      const outcome = await this.deps.reporting.addScreenshots(practice.id, reporter, good);
      if (outcome.kind === 'no-draft') problems.unshift(SAY.screenshotWithoutReport);
      if (outcome.kind === 'too-many') problems.unshift(SAY.tooManyScreenshots);
      if (outcome.kind === 'saved') {
        await context.sendActivity(SAY.screenshotsSaved(outcome.saved.map((f) => f.sha256)));
        await this.refreshReportCard(context, practice, outcome.draft);
      }
    }
    if (problems.length > 0) await context.sendActivity(problems.join('\n\n'));
  }

  /** The evidence card lists what has arrived, so it is redrawn in place when a screenshot lands. */
  private async refreshReportCard(context: TurnContext, practice: Practice, draft: ReportDraft): Promise<void> {
    if (!draft.cardActivityId || (draft.step !== 'evidence' && draft.step !== 'review')) return;
    try {
      await context.updateActivity({
        id: draft.cardActivityId,
        type: ActivityTypes.Message,
        attachments: [CardFactory.adaptiveCard(cardFor({ kind: 'step', draft }, practice))],
      });
    } catch (error) {
      // The screenshot is saved; the card catches up on the next press.
      this.deps.log.info({ ...describeError(error) }, 'could not refresh the report card');
    }
  }

  private async botToken(context: TurnContext): Promise<string | undefined> {
    if (!this.deps.authEnabled) return undefined;
    const client = context.turnState.get(context.adapter.ConnectorClientKey) as { credentials?: { getToken?: () => Promise<string> } } | undefined;
    try {
      return await client?.credentials?.getToken?.();
    } catch (error) {
      this.deps.log.warn({ ...describeError(error) }, 'could not get a token to download a screenshot');
      return undefined;
    }
  }

  /** Card buttons (Universal Actions). Anything malformed is refused plainly, never thrown. */
  protected override async onInvokeActivity(context: TurnContext): Promise<InvokeResponse> {
    if (context.activity.name !== 'adaptiveCard/action') return super.onInvokeActivity(context);
    const body = await this.answerCardAction(context);
    return { status: 200, body };
  }

  private async answerCardAction(context: TurnContext): Promise<AdaptiveCardInvokeResponse> {
    const parsed = parseCardAction(context.activity.value);
    if (!parsed.ok) return messageResponse(SAY.cardNotUnderstood);
    const aadObjectId = context.activity.from?.aadObjectId;
    if (!aadObjectId) return messageResponse(SAY.noWorkAccount);
    const reporter: Reporter = { aadObjectId, name: context.activity.from.name ?? '' };
    try {
      if (parsed.value.verb.startsWith('incident.')) {
        const via = context.activity.conversation?.conversationType === 'channel' ? 'review channel card' : '1:1 card';
        const decided = this.deps.deciding.act({ verb: parsed.value.verb, data: parsed.value.data, actor: reporter, via });
        // Teams gives up on an invoke after a few seconds: if storage is slow, answer now and let the
        // work finish; the outbox then updates every copy of the card.
        const screen = await withinInvokeBudget(decided, (error) => this.deps.log.error({ ...describeError(error) }, 'slow card action failed'));
        if (screen === 'slow') return messageResponse(SAY.stillWorking);
        if (screen.kind === 'message') return messageResponse(screen.text);
        if (screen.kind === 'pack') {
          const link = this.deps.links.issue({ practiceId: screen.incident.practiceId, reference: screen.incident.reference, issuedTo: aadObjectId, issuedToName: reporter.name }, this.deps.now());
          // A card answered in a channel may be seen by others: there the link goes to the person's 1:1 chat.
          if (via === 'review channel card') {
            const sent = await this.deps.privateLink(screen.incident.practiceId, aadObjectId, screen.incident.reference, link.url, link.expiresAt);
            return messageResponse(sent ? SAY.packSentPrivately : SAY.packNeedsPrivateChat);
          }
          return cardResponse(evidencePackCard({ reference: screen.incident.reference, url: link.url, expiresAt: link.expiresAt, sha256: 'listed in the pack (manifest.json)', fileName: `${screen.incident.reference}-evidence.zip` }));
        }
        return cardResponse(await this.deps.incidentCards.card(screen));
      }
      const practice = await this.deps.membership.forPerson(aadObjectId);
      if (!practice) return messageResponse(SAY.unknownPractice);
      if (parsed.value.verb === REGISTER_VERBS.page) {
        const page = typeof parsed.value.data.page === 'number' ? parsed.value.data.page : Number(parsed.value.data.page ?? 0);
        const card = await this.registerPage(practice, reporter, Number.isFinite(page) ? page : 0);
        return typeof card === 'string' ? messageResponse(card) : cardResponse(card);
      }
      if (context.activity.conversation?.conversationType === 'personal') await this.rememberChat(context, practice, aadObjectId);
      const screen = await this.deps.reporting.act({
        practiceId: practice.id,
        reporter,
        verb: parsed.value.verb,
        data: parsed.value.data,
        ...(context.activity.replyToId ? { cardActivityId: context.activity.replyToId } : {}),
      });
      return cardResponse(cardFor(screen, practice));
    } catch (error) {
      this.deps.log.error({ ...describeError(error), verb: parsed.value.verb }, 'card action failed');
      // Answering with a message leaves the card, and every answer on it, as it was.
      return messageResponse(error instanceof StorageUnavailableError ? SAY.storageDown : SAY.somethingWentWrong);
    }
  }

  /** "incident PW-2026-0042": deciders see the card; the reporter sees the status of their own only. */
  private async showIncident(context: TurnContext, practice: Practice, person: Reporter, reference: string | undefined): Promise<void> {
    if (!reference) {
      await context.sendActivity(SAY.incidentUsage);
      return;
    }
    const screen = await this.deps.deciding.view(practice.id, reference, person);
    if (screen.kind === 'incident' && screen.view === 'decider') {
      await context.sendActivity(MessageFactory.attachment(CardFactory.adaptiveCard(await this.deps.incidentCards.card(screen))));
      return;
    }
    if (screen.kind === 'incident' && screen.incident.reporter.aadObjectId.toLowerCase() === person.aadObjectId.toLowerCase()) {
      await context.sendActivity(SAY.incidentStatus(screen.incident.reference, statusLabel(screen.incident.status)));
      return;
    }
    await context.sendActivity(SAY.incidentNotFound);
  }

  private async useChannel(context: TurnContext, practice: Practice, person: Reporter): Promise<string> {
    const data = context.activity.channelData as { channel?: { id?: string; name?: string } } | undefined;
    const channelId = data?.channel?.id;
    if (!channelId) return SAY.useChannelOnlyInChannel;
    const reference = TurnContext.getConversationReference(context.activity);
    const address: ConversationAddress = {
      reference: { ...reference, conversation: { ...reference.conversation, id: channelId, isGroup: true, conversationType: 'channel' } } as Record<string, unknown>,
    };
    return this.deps.setup.useChannelForReview(practice, person, address, data?.channel?.name ?? '');
  }

  private async changeRole(context: TurnContext, practice: Practice, actor: Reporter, add: boolean, role: RoleId | undefined): Promise<string> {
    const mentioned = (context.activity.entities ?? []).filter(
      (e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id !== context.activity.recipient.id,
    ) as Array<{ mentioned?: { id?: string; name?: string } }>;
    const target = mentioned[0]?.mentioned;
    if (!role || !target?.id || mentioned.length !== 1) return SAY.roleUsage;
    let aadObjectId: string | undefined;
    try {
      aadObjectId = (await TeamsInfo.getMember(context, target.id)).aadObjectId;
    } catch (error) {
      this.deps.log.warn({ ...describeError(error) }, 'could not look up the mentioned member');
    }
    if (!aadObjectId) return SAY.roleMemberUnknown;
    return this.deps.setup.changeRole(practice, actor, { add, role, person: { aadObjectId, name: target.name ?? '' } });
  }

  /** The conversation reference of a 1:1 chat, kept so the bot can write to the person later. */
  private async rememberChat(context: TurnContext, practice: Practice, aadObjectId: string): Promise<void> {
    const reference = TurnContext.getConversationReference(context.activity) as Record<string, unknown> & { conversation?: { id?: string }; serviceUrl?: string };
    const known = await this.deps.chats.userChat(practice.id, aadObjectId);
    const knownRef = known?.reference as { conversation?: { id?: string }; serviceUrl?: string } | undefined;
    if (knownRef?.conversation?.id === reference.conversation?.id && knownRef?.serviceUrl === reference.serviceUrl) return;
    await this.deps.chats.rememberUserChat(practice.id, aadObjectId, { reference, teamsUserId: context.activity.from.id });
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

  /** Everyone in the practice's Team can then report from 1:1 chat straight away. */
  private async learnTeamMembers(membersAdded: TeamsChannelAccount[], teamInfo: TeamInfo, context: TurnContext): Promise<void> {
    const teamId = teamInfo?.id;
    const practice = teamId ? this.deps.membership.forTeam(teamId) : undefined;
    if (!teamId || !practice) return;
    const botJoined = membersAdded.some((m) => m.id === context.activity.recipient.id);
    const people = botJoined ? await this.allTeamMembers(context, teamId) : membersAdded;
    for (const person of people) {
      if (person.aadObjectId && person.id !== context.activity.recipient.id) {
        await this.deps.membership.remember(person.aadObjectId, practice);
      }
    }
  }

  private async allTeamMembers(context: TurnContext, teamId: string): Promise<TeamsChannelAccount[]> {
    const members: TeamsChannelAccount[] = [];
    try {
      let token: string | undefined;
      do {
        const page = await TeamsInfo.getPagedTeamMembers(context, teamId, 200, token);
        members.push(...page.members);
        token = page.continuationToken;
      } while (token);
    } catch (error) {
      this.deps.log.warn({ ...describeError(error) }, 'could not list the team members; they will be learnt as they write');
    }
    return members;
  }
}

function teamIdOf(context: TurnContext): string | undefined {
  const data = context.activity.channelData as { team?: { id?: unknown } } | undefined;
  return typeof data?.team?.id === 'string' ? data.team.id : undefined;
}

function cardResponse(card: object): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as Record<string, unknown> };
}

/** Teams shows the text and leaves the card as it was. */
function messageResponse(text: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as unknown as Record<string, unknown> };
}

export const INVOKE_BUDGET_MS = 4_000;

async function withinInvokeBudget<T>(work: Promise<T>, onLateFailure: (error: unknown) => void): Promise<T | 'slow'> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), INVOKE_BUDGET_MS);
  });
  try {
    const result = await Promise.race([work, slow]);
    if (result === 'slow') work.catch(onLateFailure);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
