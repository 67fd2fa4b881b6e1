import type { AuditCheck } from '../app/auditCheck.ts';
import type { Deciding } from '../app/deciding.ts';
import type { Membership } from '../app/membership.ts';
import type { PracticeSetup } from '../app/practiceSetup.ts';
import type { Records } from '../app/records.ts';
import type { Register, Summary } from '../app/register.ts';
import type { RegisterExport } from '../app/registerExport.ts';
import type { SubjectAccess } from '../app/subjectAccess.ts';
import type { Reporting } from '../app/reporting.ts';
import type { Logger } from '../log.ts';
import type { PracticeStore } from '../store/ports.ts';
import type { SafeFetch } from './download/safeFetch.ts';
import type { EvidenceLinks } from './evidenceLinks.ts';
import type { IncidentCards } from '../presenters/incidentCards.ts';
import type { PrivateChats } from './privateChat.ts';

/** Everything the Teams edge uses, wired in src/compose.ts. */
export interface BotDeps {
  reporting: Reporting;
  deciding: Deciding;
  setup: PracticeSetup;
  register: Register;
  summary: Summary;
  links: EvidenceLinks;
  auditCheck: AuditCheck;
  /** Legal holds and the retention report. */
  records: Records;
  registerExport: RegisterExport;
  subjectAccess: SubjectAccess;
  /** Sends an evidence pack link to the person's 1:1 chat; false if they have none yet. */
  privateLink: (practiceId: string, aadObjectId: string, reference: string, url: string, expiresAt: Date) => Promise<boolean>;
  /**
   * Queues an incident's card for the person's 1:1 chat (from the channel's digest), their own view
   * or the review channel's card as sightOf gave them; false if they have no chat with the bot yet.
   */
  openPrivately: (practiceId: string, aadObjectId: string, reference: string, view: 'own' | 'channel') => Promise<boolean>;
  now: () => Date;
  incidentCards: IncidentCards;
  /** Where each person's 1:1 chat is, so notifications can reach them later. */
  chats: Pick<PracticeStore, 'userChat' | 'rememberUserChat'>;
  membership: Membership;
  privateChats: PrivateChats;
  log: Logger;
  /** Whether Bot Framework authentication is on (then attachments on the connector need our token). */
  authEnabled: boolean;
  /** Fetches screenshots named by attachments: allowed hosts, public addresses and bounded sizes only. */
  downloads: SafeFetch;
}
