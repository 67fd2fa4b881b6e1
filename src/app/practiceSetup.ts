import type { Practice } from '../domain/practice.ts';
import { changeRole, holdsRole, isConfiguredIn, isManager, ROLES, withoutConfigured, type RoleId } from '../domain/roles.ts';
import type { AuditActor, ConversationAddress, Stores } from '../store/ports.ts';
import { CONFLICT_ATTEMPTS, retryOnConflict } from './retryOnConflict.ts';
import { bootstrapRoles, rolesOf } from './practiceRoles.ts';
import { answersRequests } from './subjectAccess.ts';

/**
 * Day-to-day set-up in Teams, by a practice manager: who the deputy and DPO are, and which channel
 * gets the incident cards. Every change is audited; nobody can give themselves a role.
 */
export class PracticeSetup {
  constructor(private readonly stores: Pick<Stores, 'practices'>) {}

  async changeRole(practice: Practice, actor: AuditActor, change: { add: boolean; role: RoleId; person: { aadObjectId: string; name: string } }): Promise<string> {
    const label = ROLES.find((r) => r.id === change.role)!.label;
    // Another manager changed the roles meanwhile: read them again and apply this change on top.
    return retryOnConflict({ attempts: CONFLICT_ATTEMPTS, message: 'Roles changed too often at once' }, async () => {
      const configured = bootstrapRoles(practice);
      if (!change.add && isConfiguredIn(configured, change.role, change.person.aadObjectId)) {
        return `${change.person.name || 'They'} is ${label} in Postwatch's configuration (POSTWATCH_MANAGERS or the practices file), so cannot be removed in Teams. Ask whoever runs Postwatch to change the configuration.`;
      }
      const current = await this.stores.practices.roles(practice.id, configured);
      const next = changeRole(current.value, actor.aadObjectId, { add: change.add, role: change.role, person: change.person.aadObjectId });
      if (!next.ok) {
        switch (next.error.kind) {
          case 'not-a-manager':
            return 'Only a practice manager can change who the deputy, manager or Data Protection Officer is.';
          case 'self-change':
            return 'Nobody can change their own role. Ask another practice manager.';
          case 'already':
            return `${change.person.name || 'They'} is already ${label}.`;
          case 'not-in-role':
            return `${change.person.name || 'They'} is not ${label}.`;
          case 'last-manager':
            return 'The practice must keep at least one practice manager.';
        }
      }
      await this.stores.practices.saveRoles(practice.id, withoutConfigured(next.value, configured), current.etag, {
        actor,
        action: change.add ? 'role.added' : 'role.removed',
        summary: `${change.add ? 'Made' : 'Removed'} ${change.person.name || change.person.aadObjectId} ${change.add ? '' : 'as '}${label}.`,
      });
      return change.add ? `${change.person.name || 'They'} is now ${label}.` : `${change.person.name || 'They'} is no longer ${label}.`;
    });
  }

  /** Which help a person gets: deciders (any role), practice managers and the DPO see more. */
  async standing(practice: Practice, aadObjectId: string): Promise<{ decider: boolean; manager: boolean; answersRequests: boolean }> {
    const roles = await rolesOf(this.stores.practices, practice);
    return { decider: holdsRole(roles, aadObjectId), manager: isManager(roles, aadObjectId), answersRequests: answersRequests(roles, aadObjectId) };
  }

  async useChannelForReview(practice: Practice, actor: AuditActor, address: ConversationAddress, channelName: string): Promise<string> {
    const roles = await this.stores.practices.roles(practice.id, bootstrapRoles(practice));
    if (!isManager(roles.value, actor.aadObjectId)) {
      return 'Only a practice manager can choose the incident-review channel.';
    }
    await this.stores.practices.setReviewChannel(practice.id, address, {
      actor,
      action: 'review-channel.set',
      summary: `Incident review channel set to ${channelName || 'this channel'}.`,
    });
    return `Done: new incidents for ${practice.name} will be posted in this channel. Only the post's details, never the reporter's private chat, appear here.`;
  }
}
