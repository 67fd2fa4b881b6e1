import { parseReference } from '../domain/reference.ts';
import type { RoleId } from '../domain/roles.ts';

/**
 * What people can type to the bot. The Teams manifest's command menu is built from this list
 * (scripts/package.ts), so the menu and the bot can never disagree.
 */
export const COMMANDS = [
  { title: 'report a post', description: 'Report a social media post about the practice or a colleague', scopes: ['personal', 'team', 'groupChat'] },
  { title: 'my reports', description: 'See the posts you have reported and where they are', scopes: ['personal'] },
  { title: 'open incidents', description: 'Practice managers: the incidents waiting for a decision or action', scopes: ['personal', 'team'] },
  { title: 'incident', description: 'Show one incident, e.g. "incident PW-2026-0042"; managers: "incident PW-2026-0042 hold: <reason>" or "… release hold"', scopes: ['personal', 'team'] },
  { title: 'summary', description: 'Practice managers: incidents and trends over the last 12 months', scopes: ['personal'] },
  { title: 'retention report', description: 'Practice managers: which closed incidents are due for deletion, held or next', scopes: ['personal'] },
  { title: 'export register', description: 'Practice managers: the register as a spreadsheet (CSV), e.g. "export register 2026"', scopes: ['personal'] },
  { title: 'subject access', description: 'Managers and DPO: "subject access <name, @handle or id>"; also "erasure request <name>"', scopes: ['personal'] },
  { title: 'verify audit', description: 'Practice managers: check that every audit trail is intact', scopes: ['personal'] },
  { title: 'use this channel for incident review', description: 'Practice managers: post new incident cards in this channel', scopes: ['team'] },
  { title: 'add deputy', description: 'Practice managers: "add deputy @name" (also: add manager, add dpo, add safeguarding lead)', scopes: ['team'] },
  { title: 'remove deputy', description: 'Practice managers: "remove deputy @name" (also: remove manager, remove dpo)', scopes: ['team'] },
  { title: 'help', description: 'What Postwatch can do', scopes: ['personal', 'team', 'groupChat'] },
] as const;

export type Command =
  | { kind: 'report' }
  | { kind: 'myReports' }
  | { kind: 'openIncidents' }
  | { kind: 'incident'; reference: string | undefined }
  | { kind: 'hold'; reference: string; reason: string }
  | { kind: 'releaseHold'; reference: string }
  | { kind: 'retentionReport' }
  | { kind: 'exportRegister'; period: string }
  | { kind: 'subjectAccess'; subject: string }
  | { kind: 'erasureRequest'; subject: string }
  | { kind: 'requestAnswered'; requestId: string; decision: string }
  | { kind: 'deleteEarly'; reference: string; reason: string }
  | { kind: 'verifyAudit' }
  | { kind: 'summary' }
  | { kind: 'useChannelForReview' }
  | { kind: 'role'; add: boolean; role: RoleId | undefined }
  | { kind: 'help' }
  | { kind: 'unknown' };

const REPORT_WORDS = new Set(['report a post', 'report', 'new report', 'report post', 'report a new post']);

const REFERENCE = String.raw`(PW[-\s]?\d{4}[-\s]?\d{1,6})`;
/** "incident PW-2026-0042 hold: police investigation" (the reason is kept as written). */
const HOLD = new RegExp(String.raw`^incident\s+${REFERENCE}\s+(?:legal\s+)?hold\s*:\s*([\s\S]*)$`, 'i');
const DELETE_EARLY = new RegExp(String.raw`^incident\s+${REFERENCE}\s+delete(?:\s+early)?\s*:\s*([\s\S]*)$`, 'i');
const REQUEST_ID = String.raw`((?:SAR|ERA)-\d{8}-[0-9a-f]{4})`;
const ANSWERED = new RegExp(String.raw`^(?:subject access|erasure)\s+(?:answered|decision)\s+${REQUEST_ID}(?:\s*:\s*([\s\S]*))?$`, 'i');
const SUBJECT_ACCESS = /^subject access(?:\s+request)?(?:\s+(?:for|about))?\s*:?\s*([\s\S]*)$/i;
const ERASURE = /^erasure request(?:\s+(?:for|about))?\s*:?\s*([\s\S]*)$/i;
const RELEASE = new RegExp(String.raw`^incident\s+${REFERENCE}\s+(?:release|lift|remove)\s+(?:the\s+)?(?:legal\s+)?hold[.!]?$`, 'i');

/** Text after Teams has removed the @mention; case, punctuation and spacing are forgiven. */
export function parseCommand(text: string): Command {
  const written = text.replace(/<at>.*?<\/at>/gi, ' ').trim();
  const hold = HOLD.exec(written);
  const holdReference = hold && parseReference(hold[1] ?? '');
  if (hold && holdReference) return { kind: 'hold', reference: holdReference, reason: (hold[2] ?? '').trim() };
  const release = RELEASE.exec(written);
  const releaseReference = release && parseReference(release[1] ?? '');
  if (releaseReference) return { kind: 'releaseHold', reference: releaseReference };
  const early = DELETE_EARLY.exec(written);
  const earlyReference = early && parseReference(early[1] ?? '');
  if (early && earlyReference) return { kind: 'deleteEarly', reference: earlyReference, reason: (early[2] ?? '').trim() };
  const answered = ANSWERED.exec(written);
  if (answered) return { kind: 'requestAnswered', requestId: (answered[1] ?? '').toUpperCase().replace(/-([0-9A-F]{4})$/, (m) => m.toLowerCase()), decision: (answered[2] ?? '').trim() };
  const subject = SUBJECT_ACCESS.exec(written);
  if (subject) return { kind: 'subjectAccess', subject: (subject[1] ?? '').trim() };
  const erasure = ERASURE.exec(written);
  if (erasure) return { kind: 'erasureRequest', subject: (erasure[1] ?? '').trim() };
  const words = written
    .toLowerCase()
    .replace(/[.!?]+$/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  if (REPORT_WORDS.has(words)) return { kind: 'report' };
  if (words === 'my reports' || words === 'my report') return { kind: 'myReports' };
  if (words === 'open incidents' || words === 'open') return { kind: 'openIncidents' };
  if (words === 'incident' || words.startsWith('incident ')) {
    return { kind: 'incident', reference: parseReference(words.slice('incident'.length)) };
  }
  if (words === 'summary' || words === 'trends') return { kind: 'summary' };
  if (words === 'retention report' || words === 'retention') return { kind: 'retentionReport' };
  const exportRegister = /^export (?:the )?register\b:?\s*(.*)$/.exec(words);
  if (exportRegister) return { kind: 'exportRegister', period: exportRegister[1] ?? '' };
  if (words === 'verify audit' || words === 'verify audit trail' || words === 'check audit') return { kind: 'verifyAudit' };
  if (/^use this channel( for (incident )?review)?$/.test(words)) return { kind: 'useChannelForReview' };
  const role = /^(add|remove) (deputy|manager|practice manager|dpo|data protection officer|safeguarding lead)\b/.exec(words);
  if (role) return { kind: 'role', add: role[1] === 'add', role: roleOf(role[2] ?? '') };
  if (words === 'help' || words === '?' || words === 'hi' || words === 'hello') return { kind: 'help' };
  return { kind: 'unknown' };
}

function roleOf(word: string): RoleId | undefined {
  if (word === 'deputy') return 'deputy';
  if (word === 'manager' || word === 'practice manager') return 'manager';
  if (word === 'dpo' || word === 'data protection officer') return 'dpo';
  if (word === 'safeguarding lead') return 'safeguarding';
  return undefined;
}
