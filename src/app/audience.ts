import type { Incident } from '../domain/incident.ts';
import type { Practice } from '../domain/practice.ts';
import { isDecider } from '../domain/handling.ts';
import { uniquePeople, type PracticeRoles } from '../domain/roles.ts';
import type { Stores } from '../store/ports.ts';
import { chatPersonName } from './outboxTargets.ts';

/**
 * Who sees an incident card how: the Teams ids whose clients refresh to the decider view (at most
 * 60, Teams' limit), and the people a manager can assign to.
 */
export interface Audience {
  refreshUserIds: string[];
  assignees: Array<{ aadObjectId: string; name: string }>;
}

export async function audienceOf(stores: Pick<Stores, 'practices'>, practice: Practice, incident: Incident, roles: PracticeRoles): Promise<Audience> {
  const everyone = [...roles.managers, ...roles.deputies, ...roles.dataProtectionOfficers, ...(roles.safeguardingLeads ?? [])];
  const people = uniquePeople(everyone);
  const refreshUserIds: string[] = [];
  const assignees: Audience['assignees'] = [];
  for (const aad of people) {
    const chat = await stores.practices.userChat(practice.id, aad);
    const name = (chat && chatPersonName(chat)) ?? '';
    if (chat?.teamsUserId && isDecider(incident, roles, aad) && refreshUserIds.length < 60) refreshUserIds.push(chat.teamsUserId);
    if (roles.deputies.includes(aad) || roles.managers.includes(aad)) assignees.push({ aadObjectId: aad, name }); // no name yet: the card leaves them out
  }
  return { refreshUserIds, assignees };
}
