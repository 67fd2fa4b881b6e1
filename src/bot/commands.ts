import { parseReference } from '../domain/reference.ts';
import type { RoleId } from '../domain/roles.ts';

/**
 * What people can type to the bot. The Teams manifest's command menu is built from this list
 * (scripts/package.ts), so the menu and the bot can never disagree; so is **help**, which shows
 * each person the entries for their audience: `staff` (everyone), `deciders` (managers, deputies,
 * DPOs and safeguarding leads), `records` (practice managers and the DPO: subject access and
 * erasure requests) and `setup` (practice managers, asking in a channel). What the bot does with
 * each, and where, is its route (src/bot/routes/commandRoutes.ts), which must agree with `scopes`.
 */
export const COMMANDS = [
  { title: 'report a post', description: 'Report a social media post about the practice or a colleague', scopes: ['personal', 'team', 'groupChat'], audience: 'staff' },
  { title: 'my reports', description: 'See the posts you have reported and where they are', scopes: ['personal', 'team'], audience: 'staff' },
  { title: 'open incidents', description: 'Practice managers: the incidents waiting for a decision or action', scopes: ['personal', 'team'], audience: 'deciders' },
  { title: 'incident', description: 'Show one incident, e.g. "incident PW-2026-0042"; managers: "incident PW-2026-0042 hold: <reason>" or "… release hold"', scopes: ['personal'], audience: 'deciders' },
  { title: 'summary', description: 'Practice managers: incidents and trends over the last 12 months', scopes: ['personal'], audience: 'deciders' },
  { title: 'retention report', description: 'Practice managers: which closed incidents are due for deletion, held or next', scopes: ['personal'], audience: 'deciders' },
  { title: 'export register', description: 'Practice managers: the register as a spreadsheet (CSV), e.g. "export register 2026"', scopes: ['personal'], audience: 'deciders' },
  { title: 'subject access', description: 'Managers and DPO: "subject access <name, @handle or id>"; also "erasure request <name>"', scopes: ['personal'], audience: 'records' },
  { title: 'verify audit', description: 'Practice managers: check that every audit trail is intact', scopes: ['personal'], audience: 'deciders' },
  { title: 'use this channel for incident review', description: 'Practice managers: post new incident cards in this channel', scopes: ['team'], audience: 'setup' },
  { title: 'add deputy', description: 'Practice managers: "add deputy @name" (also: add manager, add dpo, add safeguarding lead)', scopes: ['team'], audience: 'deciders' },
  { title: 'remove deputy', description: 'Practice managers: "remove deputy @name" (also: remove manager, remove dpo)', scopes: ['team'], audience: 'deciders' },
  { title: 'help', description: 'What Postwatch can do', scopes: ['personal', 'team', 'groupChat'], audience: 'staff' },
] as const;

export type Audience = (typeof COMMANDS)[number]['audience'];
export type CommandTitle = (typeof COMMANDS)[number]['title'];
/** Where a command can be asked, in the manifest's words: 1:1 chat, a team channel, a group chat. */
export type Scope = (typeof COMMANDS)[number]['scopes'][number];

/** Who is asking for help, and where. */
export interface Asker {
  decider: boolean;
  manager: boolean;
  /** A practice manager or the DPO: answers subject access and erasure requests. */
  answersRequests?: boolean;
  inChannel: boolean;
}

/** What deciders do from a card rather than a command. */
const DECIDER_EXTRAS = ['Evidence packs: press **Evidence pack** on an incident card for one file with its audit trail and screenshots.'];

/**
 * **help**, for the person asking: the commands for their audience, from COMMANDS (so a new
 * command appears here as soon as it is listed), each with where it works when not here.
 */
export function helpFor(asker: Asker): string {
  const shown = (audience: Audience) => audience === 'staff' || (audience === 'deciders' && asker.decider) || (audience === 'records' && asker.answersRequests === true) || (audience === 'setup' && asker.manager && asker.inChannel);
  const here = asker.inChannel ? 'team' : 'personal';
  const lines = COMMANDS.filter((c) => shown(c.audience)).map((c) => {
    const scopes = c.scopes as readonly string[];
    const where = scopes.includes(here) ? '' : scopes.includes('personal') ? ' (in a 1:1 chat with me)' : ' (in the practice channel, with @Postwatch)';
    return `- **${c.title}**: ${c.description}${where}`;
  });
  const extras = asker.decider ? DECIDER_EXTRAS.map((t) => `- ${t}`) : [];
  return ['Here is what you can ask me:', ...lines, ...extras, '', 'If anyone is in immediate danger, call 999.'].join('\n');
}

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
