import type { Practice } from '../domain/practice.ts';
import { canDecide } from '../domain/roles.ts';
import type { Logger } from '../log.ts';
import { describeError, logEvent } from '../log.ts';
import type { ConversationAddress, Stores } from '../store/ports.ts';
import { checkAgainstSeal, describeSealCheck } from './auditSeal.ts';
import { describeChainReport, summariseChainReports, verifyAuditChains } from './auditVerify.ts';
import { personKey, personTarget } from './outboxTargets.ts';
import { rolesOf } from './practiceRoles.ts';

/**
 * "verify audit" in Teams: checks every audit chain of the practice (the same check as
 * `npm run audit:verify`) and sends the result to the person's 1:1 chat when it is done, because
 * a large register takes longer than a chat turn may.
 */
export class AuditCheck {
  constructor(
    private readonly stores: Stores,
    private readonly now: () => Date,
    private readonly log: Logger,
    private readonly queued: () => void,
  ) {}

  /** Starts the check if the person may ask for it; returns what to say straight away. */
  async start(practice: Practice, person: { aadObjectId: string }, address: ConversationAddress): Promise<string> {
    const roles = await rolesOf(this.stores.practices, practice);
    // Managers, deputies and the DPO (who answers for the trail's integrity): the report names every
    // incident of the practice, so a safeguarding lead, who decides only some, is not given it.
    if (!canDecide(roles, person.aadObjectId, true)) return 'Only the practice manager, deputy or Data Protection Officer can check the audit trail.';
    const startedAt = this.now();
    void this.check(practice, person.aadObjectId, address, startedAt).catch((error: unknown) =>
      this.log.error({ ...describeError(error) }, 'audit check failed'),
    );
    return `Checking every audit trail for ${practice.name}. I will message you the result here.`;
  }

  private async check(practice: Practice, aad: string, address: ConversationAddress, startedAt: Date): Promise<void> {
    const reports = await verifyAuditChains(this.stores, { practiceId: practice.id });
    const summary = summariseChainReports(reports);
    logEvent(this.log, 'audit.verified', { practice: practice.id, incidents: summary.incidents, broken: summary.broken }, summary.broken === 0 ? 'info' : 'warn');
    const sealed = await checkAgainstSeal(this.stores, await this.stores.seals.latest(practice.id));
    const deleted = summary.deleted > 0 ? ` ${summary.deleted} of them end in a tombstone: deleted by Postwatch under the records policy.` : '';
    const chains =
      summary.broken === 0
        ? `Audit check for ${practice.name}: all ${summary.incidents} incident audit trails are intact (checked ${startedAt.toISOString()}).${deleted}`
        : `Audit check for ${practice.name}: ${summary.broken} of ${summary.incidents} audit trails are NOT intact.\n\n${reports
            .filter((r) => !r.ok)
            .slice(0, 20)
            .map(describeChainReport)
            .join('\n\n')}\n\nKeep this message and tell your Data Protection Officer.`;
    const text = `${chains}\n\n${describeSealCheck(sealed)}`;
    await this.stores.outbox.enqueue(
      [{ practiceId: practice.id, id: `audit-check|${personKey(aad)}|${startedAt.toISOString()}`, kind: 'message', target: personTarget(aad), address, text }],
      this.now(),
    );
    this.queued();
  }
}
