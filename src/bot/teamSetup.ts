import { TeamsInfo, TurnContext, type TeamsChannelAccount, type TeamInfo } from 'botbuilder';
import type { Practice } from '../domain/practice.ts';
import type { Reporter } from '../domain/report.ts';
import type { RoleId } from '../domain/roles.ts';
import { describeError } from '../log.ts';
import type { ConversationAddress } from '../store/ports.ts';
import type { BotDeps } from './deps.ts';
import { SAY } from './messages.ts';

/** Set-up done in the practice's Team: the review channel, roles, and learning who is in the team. */
export async function useChannel(deps: BotDeps, context: TurnContext, practice: Practice, person: Reporter): Promise<string> {
  const data = context.activity.channelData as { channel?: { id?: string; name?: string } } | undefined;
  const channelId = data?.channel?.id;
  if (!channelId) return SAY.useChannelOnlyInChannel;
  const reference = TurnContext.getConversationReference(context.activity);
  const address: ConversationAddress = {
    reference: { ...reference, conversation: { ...reference.conversation, id: channelId, isGroup: true, conversationType: 'channel' } } as Record<string, unknown>,
  };
  return deps.setup.useChannelForReview(practice, person, address, data?.channel?.name ?? '');
}

export async function changeRole(deps: BotDeps, context: TurnContext, practice: Practice, actor: Reporter, add: boolean, role: RoleId | undefined): Promise<string> {
  const mentioned = (context.activity.entities ?? []).filter(
    (e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id !== context.activity.recipient.id,
  ) as Array<{ mentioned?: { id?: string; name?: string } }>;
  const target = mentioned[0]?.mentioned;
  if (!role || !target?.id || mentioned.length !== 1) return SAY.roleUsage;
  let aadObjectId: string | undefined;
  try {
    aadObjectId = (await TeamsInfo.getMember(context, target.id)).aadObjectId;
  } catch (error) {
    deps.log.warn({ ...describeError(error) }, 'could not look up the mentioned member');
  }
  if (!aadObjectId) return SAY.roleMemberUnknown;
  return deps.setup.changeRole(practice, actor, { add, role, person: { aadObjectId, name: target.name ?? '' } });
}

/** Everyone in the practice's Team can then report from 1:1 chat straight away. */
export async function learnTeamMembers(deps: BotDeps, membersAdded: TeamsChannelAccount[], teamInfo: TeamInfo, context: TurnContext): Promise<void> {
  const teamId = teamInfo?.id;
  const practice = teamId ? deps.membership.forTeam(teamId) : undefined;
  if (!teamId || !practice) return;
  const botJoined = membersAdded.some((m) => m.id === context.activity.recipient.id);
  const people = botJoined ? await allTeamMembers(deps, context, teamId) : membersAdded;
  for (const person of people) {
    if (person.aadObjectId && person.id !== context.activity.recipient.id) {
      await deps.membership.remember(person.aadObjectId, practice);
    }
  }
}

async function allTeamMembers(deps: BotDeps, context: TurnContext, teamId: string): Promise<TeamsChannelAccount[]> {
  const members: TeamsChannelAccount[] = [];
  try {
    let token: string | undefined;
    do {
      const page = await TeamsInfo.getPagedTeamMembers(context, teamId, 200, token);
      members.push(...page.members);
      token = page.continuationToken;
    } while (token);
  } catch (error) {
    deps.log.warn({ ...describeError(error) }, 'could not list the team members; they will be learnt as they write');
  }
  return members;
}
