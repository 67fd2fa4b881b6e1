import { handlingOf, type Person } from './handling.ts';
import type { Incident } from './incident.ts';

/**
 * A subject access request (UK GDPR Art. 15), answered from the register: everything held about a
 * person across a practice's incidents — as the author of a post (by the handle or name reported),
 * as the reporter, as a named colleague, as someone who decided or acted, or mentioned anywhere in
 * the record. Pure: the use case (src/app/subjectAccess.ts) reads the incidents and audit trails.
 *
 * Nothing is silently removed. Every item is marked for the DPO:
 *   - 'subject': the person's own identity (their name, handle or id where it stands alone);
 *   - 'third-party': another person's name or id: redact before disclosure unless an exemption
 *     or consent applies (Data Protection Act 2018, Sch. 2 para. 16);
 *   - 'review': free text that may name or describe other people (a post, a reason, an outcome):
 *     the DPO reads it and redacts what is about someone else.
 */

export type Marking = 'subject' | 'third-party' | 'review';

export interface PackItem {
  field: string;
  value: string;
  marking: Marking;
}

export interface IncidentExtract {
  reference: string;
  reportedAt: string;
  status: string;
  /** How the person appears, e.g. "author of the post", "reporter", "named colleague", "decider". */
  appearsAs: string[];
  items: PackItem[];
}

/** The audit entries of an incident, as the pack needs them. */
export interface TrailEntry {
  sequence: number;
  at: string;
  actor: Person;
  action: string;
  summary: string;
}

/** How a name, a @handle or an object id is compared: case, a leading @ and spacing forgiven. */
export function normalise(text: string): string {
  return text.normalize('NFKC').trim().toLowerCase().replace(/^@+/, '').replace(/\s+/g, ' ');
}

export class SubjectMatcher {
  private readonly wanted: string;
  private readonly mention: RegExp;

  constructor(query: string) {
    this.wanted = normalise(query);
    if (this.wanted.length < 2) throw new Error('A subject needs at least two characters.');
    const escaped = this.wanted.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/ /g, '\\s+');
    // As a whole word (or handle): "sam" does not match "Samuel", "@sam" matches "sam".
    this.mention = new RegExp(`(^|[^\\p{L}\\p{N}_.])@?${escaped}(?![\\p{L}\\p{N}_])`, 'iu');
  }

  /** The person's identity: a name, handle or object id equal to what was asked for. */
  is(value: string | undefined): boolean {
    return value !== undefined && normalise(value) === this.wanted;
  }

  isPerson(person: Person | undefined): boolean {
    return person !== undefined && (this.is(person.aadObjectId) || this.is(person.name));
  }

  /** Named anywhere in a piece of text. */
  mentionedIn(text: string | undefined): boolean {
    return text !== undefined && this.mention.test(text.normalize('NFKC'));
  }
}

/** One incident's extract, or undefined when the person appears nowhere in it. */
export function extractFor(incident: Incident, trail: readonly TrailEntry[], match: SubjectMatcher): IncidentExtract | undefined {
  const h = handlingOf(incident);
  const f = incident.facts;
  const appearsAs = new Set<string>();
  const items: PackItem[] = [];
  const person = (field: string, p: Person | undefined, role: string) => {
    if (!p) return;
    const mine = match.isPerson(p);
    if (mine) appearsAs.add(role);
    items.push({ field, value: p.name || p.aadObjectId, marking: mine ? 'subject' : 'third-party' });
  };
  const text = (field: string, value: string | undefined, role?: string) => {
    if (!value) return;
    if (match.mentionedIn(value)) appearsAs.add(role ?? `mentioned in ${field.toLowerCase()}`);
    items.push({ field, value, marking: 'review' });
  };

  person('Reporter', incident.reporter, 'reporter');
  if (f.where.authorName) {
    const author = match.is(f.where.authorName) || match.mentionedIn(f.where.authorName);
    if (author) appearsAs.add('author of the post');
    items.push({ field: 'Author of the post (as reported)', value: f.where.authorName, marking: match.is(f.where.authorName) ? 'subject' : 'review' });
  }
  items.push({ field: 'Platform', value: f.where.platform, marking: 'review' });
  if (f.where.postUrl) text('Link to the post', f.where.postUrl);
  text('Post text', f.what.postText);
  text('Named colleagues', f.what.namedColleagues, 'named colleague');
  text('Risk details', f.risk.riskDetails);
  text('Reason for no screenshot', f.evidence.noScreenshotReason);
  for (const s of f.evidence.screenshots) items.push({ field: 'Screenshot (in the incident evidence pack)', value: `${s.fileName} (SHA-256 ${s.sha256})`, marking: 'review' });

  person('Assigned to', h.assignedTo, 'decider');
  if (h.decision) {
    person('Decided by', h.decision.by, 'decider');
    text('Decision reason', h.decision.reason);
    text('Approved public reply', h.decision.replyText);
  }
  text('Reply being prepared', h.replyDraft);
  for (const q of h.questions ?? []) {
    person('Question asked by', q.askedBy, 'decider');
    text('Question to the reporter', q.question);
    text("Reporter's answer", q.answer);
  }
  for (const t of h.tasks ?? []) {
    person(`Action "${t.title}" owned by`, t.owner, 'owner of an action');
    person(`Action "${t.title}" done by`, t.doneBy, 'owner of an action');
    text(`Action "${t.title}" outcome`, t.outcome);
  }
  if (h.closure) {
    person('Closed by', h.closure.closedBy, 'decider');
    text('Closure outcome', h.closure.outcome);
    text('Lessons learnt', h.closure.lessonsLearnt);
  }
  for (const r of h.reopenings ?? []) {
    person('Reopened by', r.by, 'decider');
    text('Reason for reopening', r.reason);
  }
  if (h.legalHold) {
    person('Legal hold placed by', h.legalHold.by, 'decider');
    text('Legal hold reason', h.legalHold.reason);
  }
  for (const e of trail) {
    person(`Audit entry ${e.sequence} (${e.action}) by`, e.actor, 'named in the audit trail');
    text(`Audit entry ${e.sequence} (${e.action}) at ${e.at}`, e.summary, 'named in the audit trail');
  }
  if (appearsAs.size === 0) return undefined;
  return { reference: incident.reference, reportedAt: incident.reportedAt, status: incident.status, appearsAs: [...appearsAs], items };
}

/** One calendar month from receipt (UK GDPR Art. 12(3); ICO: the corresponding date next month, or its last day). */
export function subjectAccessDeadline(receivedAt: Date): Date {
  const due = new Date(receivedAt);
  const day = due.getUTCDate();
  due.setUTCDate(1);
  due.setUTCMonth(due.getUTCMonth() + 1);
  const last = new Date(Date.UTC(due.getUTCFullYear(), due.getUTCMonth() + 1, 0)).getUTCDate();
  due.setUTCDate(Math.min(day, last));
  return due;
}
