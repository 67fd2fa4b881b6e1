import type { Person } from '../domain/handling.ts';
import type { Incident } from '../domain/incident.ts';
import type { Finding } from '../domain/policy/guard.ts';
import type { Practice } from '../domain/practice.ts';
import type { PracticeRoles } from '../domain/roles.ts';
import type { DigestPress, IncidentPress, IncidentVerb } from '../contract/cards.ts';
import type { Notice } from './reporting.ts';

/** What an incident verb answers with, and who asked: the edge draws the first, finds out the second. */
export type IncidentScreen =
  | {
      kind: 'incident';
      incident: Incident;
      /** decider: the full card; readonly: the review channel's card. */
      view: 'decider' | 'readonly';
      replyText: string;
      replyFindings: Finding[];
      /** The reply's sentences that are not approved sentences: listed for the manager to attest. */
      replyFreeText: string[];
      errors?: Record<string, string>;
      notice?: Notice;
      /** Who is looking (task owners can mark their own tasks done); '' on the channel card. */
      viewerAadObjectId: string;
      canClose: boolean;
      canReopen: boolean;
      /** The practice's roles as read for this screen, so drawing the card need not read them again. */
      roles: PracticeRoles;
      /** "Check reply" answers with the reply section still open. */
      openSection?: 'reply';
    }
  /** The reporter's own view: status and what they were told (src/domain/sight.ts). */
  | { kind: 'reporter'; incident: Incident; told: string[]; replyToPost?: string; viewerAadObjectId: string; errors?: Record<string, string>; notice?: Notice }
  | { kind: 'question'; incident: Incident; error?: string }
  /** A decider asked for the evidence pack: the bot makes the short-lived link. */
  | { kind: 'pack'; incident: Incident }
  | { kind: 'message'; text: string };

/** Who is asking, as the Teams edge found out: never anything the card carries. */
export interface Asking {
  /** The practice the asker acts for: from their membership in 1:1 chat, from the Team in a channel. */
  practice: Practice | undefined;
  /** The Teams conversation the press came from (the review channel's card is read-only for all). */
  conversationId?: string;
  inChannel?: boolean;
}

/** Which card a press came from, as the audit trail says it: "Refused … (from the review channel card)". */
export const VIA = {
  reviewChannelCard: 'review channel card',
  chatCard: '1:1 card',
  reviewChannelDigest: 'review channel digest',
} as const;

type Via = (typeof VIA)[keyof typeof VIA];

/** A press on an incident (its card data checked by the contract's schema), or the digest's "Open privately". */
export interface IncidentActionRequest<Data = IncidentPress> {
  verb: IncidentVerb;
  data: Data;
  actor: Person;
  /** Resolved only after the refusal limit is checked, so a limited person costs no storage read. */
  asking: Asking | (() => Promise<Asking>);
  /** Which card the press came from, for the audit trail. */
  via?: Via;
}

/** The digest's "Open privately": which incident, and who is asking (the verb is not an incident verb). */
export type OpeningRequest = Omit<IncidentActionRequest<DigestPress>, 'verb'>;
