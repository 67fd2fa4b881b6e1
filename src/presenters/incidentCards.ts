import { audienceOf } from '../app/audience.ts';
import type { Deciding, IncidentScreen } from '../app/deciding.ts';
import { PASS_KEYS, type OutgoingMessage, type PassReads } from '../app/outbox.ts';
import { personOf } from '../app/outboxTargets.ts';
import { rolesOf } from '../app/practiceRoles.ts';
import { handlingOf } from '../domain/handling.ts';
import type { Practice } from '../domain/practice.ts';
import { CITED_DOCUMENTS } from '../policy/sources.ts';
import type { OutboxItem, Stores } from '../store/ports.ts';
import { digestCard, incidentCard, noticeCard, reporterQuestionCard, reporterUpdateCard, reporterViewCard, type DigestLine } from '../views/index.ts';
import { labelOf, PLATFORMS } from '../domain/vocabulary.ts';

/** Draws incident screens as cards, with the audience (refresh ids, assignees) read from storage. */
export class IncidentCards {
  constructor(
    private readonly stores: Pick<Stores, 'practices' | 'incidents'>,
    private readonly deciding: Deciding,
    private readonly practice: (id: string) => Practice | undefined,
    private readonly now: () => Date,
  ) {}

  async card(screen: IncidentScreen): Promise<object> {
    switch (screen.kind) {
      case 'message':
        return noticeCard('Postwatch', screen.text);
      case 'pack':
        return noticeCard('Evidence pack', 'Ask for the evidence pack from the incident card.');
      case 'reporter': {
        const practice = this.practice(screen.incident.practiceId);
        return reporterViewCard(screen.incident, {
          practiceName: practice?.name ?? '',
          told: screen.told,
          ...(screen.replyToPost ? { replyToPost: screen.replyToPost } : {}),
          ...(screen.errors ? { errors: screen.errors } : {}),
          ...(screen.notice ? { notice: screen.notice } : {}),
          viewerAadObjectId: screen.viewerAadObjectId,
        });
      }
      case 'question': {
        const practice = this.practice(screen.incident.practiceId);
        const open = [...(handlingOf(screen.incident).questions ?? [])].reverse().find((q) => q.answer === undefined);
        if (!practice || !open) return noticeCard('Postwatch', 'There is no open question on this report.');
        return reporterQuestionCard(screen.incident, open, { practiceName: practice.name, ...(screen.error ? { error: screen.error } : {}) });
      }
      case 'incident': {
        const practice = this.practice(screen.incident.practiceId);
        if (!practice) return noticeCard('Postwatch', 'That practice is not set up.');
        const audience = await audienceOf(this.stores, practice, screen.incident, screen.roles);
        return incidentCard(screen.incident, {
          practiceName: practice.name,
          view: screen.view,
          refreshUserIds: audience.refreshUserIds,
          now: this.now(),
          assignees: audience.assignees,
          replyFindings: screen.replyFindings,
          replyFreeText: screen.replyFreeText,
          replyText: screen.replyText,
          ...(screen.errors ? { errors: screen.errors } : {}),
          ...(screen.notice ? { notice: screen.notice } : {}),
          viewerAadObjectId: screen.viewerAadObjectId,
          canClose: screen.canClose,
          canReopen: screen.canReopen,
          ownPolicy: Boolean(practice.policyFile),
          documents: CITED_DOCUMENTS,
          ...(screen.openSection ? { openSection: screen.openSection } : {}),
        });
      }
    }
  }

  /** One card listing several new incidents for a channel (the outbox's burst digest). */
  async digest(items: OutboxItem[], reads: PassReads = (_key, read) => read()): Promise<OutgoingMessage | undefined> {
    const lines: DigestLine[] = [];
    for (const item of items) {
      const reference = item.reference;
      if (!reference) continue;
      const incident = await reads(PASS_KEYS.incident(item.practiceId, reference), () => this.stores.incidents.get(item.practiceId, reference));
      if (!incident) continue;
      const severity = handlingOf(incident).grading?.severity;
      lines.push({
        practiceId: incident.practiceId,
        reference: incident.reference,
        ...(severity ? { severity } : {}),
        platformLabel: labelOf(PLATFORMS, incident.facts.where.platform),
        reportedAt: incident.reportedAt,
        urgent: incident.facts.risk.atRisk,
      });
    }
    const practice = items[0] ? this.practice(items[0].practiceId) : undefined;
    if (lines.length === 0 || !practice) return undefined;
    const urgent = lines.filter((l) => l.urgent).map((l) => l.reference);
    return { card: digestCard(lines, { practiceName: practice.name }), ...(urgent.length > 0 ? { text: `URGENT: someone may be at risk (${urgent.join(', ')}).` } : {}) };
  }

  /** What a queued notification looks like at the moment it is sent (always the current state). */
  async render(item: OutboxItem, reads: PassReads = (_key, read) => read()): Promise<OutgoingMessage | undefined> {
    if (item.kind === 'message') return item.text ? { text: item.text } : undefined;
    if (item.kind === 'notice-card') return noticeOf(item.text);
    const reference = item.reference;
    const incident = reference ? await reads(PASS_KEYS.incident(item.practiceId, reference), () => this.stores.incidents.get(item.practiceId, reference)) : undefined;
    const practice = this.practice(item.practiceId);
    if (!incident || !practice) return undefined;
    if (item.kind === 'reporter-question') return { card: await this.card({ kind: 'question', incident }) };
    if (item.kind === 'reporter-update') {
      const decision = handlingOf(incident).decision;
      return {
        card: reporterUpdateCard(incident, {
          practiceName: practice.name,
          summary: item.text ?? '',
          ...(decision?.reporterPostsReply && decision.replyText ? { replyToPost: decision.replyText } : {}),
        }),
      };
    }
    // incident-card and card-update: the channel sees its read-only card (deciders refresh to theirs);
    // a person sees what the one rule gives them (src/domain/sight.ts); 'channel|user:…' is the
    // channel's card opened privately from its digest (compose.ts). Roles are read once per pass.
    const person = personOf(item.target);
    const viewer = person !== undefined ? { aadObjectId: person, name: '' } : 'channel';
    const roles = () => reads(PASS_KEYS.roles(practice.id), () => rolesOf(this.stores.practices, practice));
    const screen = await this.deciding.viewOf(incident, viewer, roles);
    return { card: await this.card(screen), ...(item.urgent && item.kind === 'incident-card' ? { text: `URGENT: someone may be at risk (${incident.reference}).` } : {}) };
  }
}

/** A notice card from its stored {"title","text"}; nothing (not a crash) if the row was damaged. */
function noticeOf(stored: string | undefined): OutgoingMessage | undefined {
  try {
    const notice = JSON.parse(stored ?? '') as { title?: unknown; text?: unknown };
    if (typeof notice.title !== 'string' || typeof notice.text !== 'string') return undefined;
    return { card: noticeCard(notice.title, notice.text) };
  } catch {
    return undefined;
  }
}
