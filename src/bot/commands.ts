import { parseReference } from '../domain/reference.ts';

/**
 * What people can type to the bot. The Teams manifest's command menu is built from this list
 * (scripts/package.ts), so the menu and the bot can never disagree.
 */
export const COMMANDS = [
  { title: 'report a post', description: 'Report a social media post about the practice or a colleague', scopes: ['personal', 'team', 'groupChat'] },
  { title: 'my reports', description: 'See the posts you have reported and where they are', scopes: ['personal'] },
  { title: 'open incidents', description: 'Practice managers: the incidents waiting for a decision or action', scopes: ['personal', 'team'] },
  { title: 'incident', description: 'Show one incident, e.g. "incident PW-2026-0042"', scopes: ['personal', 'team'] },
  { title: 'help', description: 'What Postwatch can do', scopes: ['personal', 'team', 'groupChat'] },
] as const;

export type Command =
  | { kind: 'report' }
  | { kind: 'myReports' }
  | { kind: 'openIncidents' }
  | { kind: 'incident'; reference: string | undefined }
  | { kind: 'help' }
  | { kind: 'unknown' };

const REPORT_WORDS = new Set(['report a post', 'report', 'new report', 'report post', 'report a new post']);

/** Text after Teams has removed the @mention; case, punctuation and spacing are forgiven. */
export function parseCommand(text: string): Command {
  const words = text
    .replace(/<at>.*?<\/at>/gi, ' ')
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
  if (words === 'help' || words === '?' || words === 'hi' || words === 'hello') return { kind: 'help' };
  return { kind: 'unknown' };
}
