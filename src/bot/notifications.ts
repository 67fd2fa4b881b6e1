import { audienceOf } from '../app/audience.ts';
import type { Deciding, IncidentScreen } from '../app/deciding.ts';
import type { OutgoingMessage } from '../app/outbox.ts';
import { handlingOf } from '../domain/handling.ts';
import type { Practice } from '../domain/practice.ts';
import { CITED_DOCUMENTS } from '../policy/sources.ts';
import type { OutboxItem, Stores } from '../store/ports.ts';
import { incidentCard, noticeCard, reporterQuestionCard, reporterUpdateCard, reporterViewCard } from '../views/index.ts';

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

  /** What a queued notification looks like at the moment it is sent (always the current state). */
  async render(item: OutboxItem): Promise<OutgoingMessage | undefined> {
    if (item.kind === 'message') return item.text ? { text: item.text } : undefined;
    if (item.kind === 'notice-card') return noticeOf(item.text);
    const incident = item.reference ? await this.stores.incidents.get(item.practiceId, item.reference) : undefined;
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
    // a person sees what the one rule gives them (src/domain/sight.ts).
    const viewer = item.target.startsWith('user:') ? { aadObjectId: item.target.slice('user:'.length), name: '' } : 'channel';
    const screen = await this.deciding.viewOf(incident, viewer);
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
