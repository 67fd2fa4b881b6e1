import { normalise, originalSpan } from './reply-guard/normalise.ts';
import { birthRule } from './reply-guard/rules/birth.ts';
import { clinicalRule } from './reply-guard/rules/clinical.ts';
import { addressRule, emailRule, numberRule } from './reply-guard/rules/contact.ts';
import { nameRule, namesInPost } from './reply-guard/rules/names.ts';
import { encounterRule, pinnedToADayRule } from './reply-guard/rules/encounter.ts';
import { withoutGeneralInformation } from './reply-guard/rules/general.ts';
import { relationshipRule } from './reply-guard/rules/relationship.ts';
import { Findings, type Finding } from './reply-guard/rules/shared.ts';
import { DEFAULT_BRIEF_WORD_LIMIT, toneRule } from './reply-guard/rules/tone.ts';
import { approvedMatchers, isApproved, splitSentences } from './reply-guard/sentences.ts';
import type { Policy } from './schema.ts';
import { contactVariants, PUBLIC_REPLY_TEMPLATES } from './templates.ts';

/**
 * The reply guard: checks a draft public reply before a manager can approve it. It works as a
 * process, as the GMC guidance reads (a reply is limited to general information):
 *
 * 1. Normalise the draft (disguises removed: lookalike letters, invisible characters, digits of
 *    any script or spelled out), keeping a map back to the characters the manager typed.
 * 2. Split it into sentences. A sentence the practice approved in advance is approved; every
 *    other sentence is free text, which the manager attests to, sentence by sentence, on approval.
 * 3. Run the blocking rules, by class, over the whole draft: the patient relationship, clinical
 *    information, names, NHS numbers, phone numbers, email and home addresses, dates of birth and
 *    ages. Blocking findings must be fixed; advisory ones (a bare date, tone, length) are weighed.
 *
 * Each finding carries the offending span as offsets into the draft as typed ([start, end)).
 */

export { GUARD_RULES, type Finding, type FindingSeverity, type GuardRule } from './reply-guard/rules/shared.ts';
export { DEFAULT_BRIEF_WORD_LIMIT } from './reply-guard/rules/tone.ts';
export { usableNameParts } from './reply-guard/rules/names.ts';

export interface ReplyContext {
  /** The practice's staff list, and colleagues the reporter named (filtered before use). */
  staffNames: readonly string[];
  /** Names typed in the report (colleagues named): filtered like staff names, reported as staff. */
  reportedNames?: readonly string[];
  /** The post's author (their name or handle) and the post itself: names in it never go in a reply. */
  authorName?: string;
  postText?: string;
  /** The practice's own name, number and address may appear in a reply; any other may not. */
  practiceName?: string;
  practicePhone?: string;
  practiceEmail?: string;
  /** The practice's approved sentences (with {{practiceName}}, {{practicePhone}}, {{practiceEmail}}, {{role}} slots). */
  approvedSentences?: readonly string[];
  /** Role names a {{role}} slot may hold ("practice manager"): a role, never a person. */
  roles?: readonly string[];
  /** Default 80 words. */
  briefWordLimit?: number;
  /** Added to the built-in clinical word list. */
  extraClinicalTerms?: readonly string[];
  /** Kept for callers that pass it; a bare date is advisory whatever its year. */
  today?: Date;
}

export interface ReplySentence {
  /** The sentence as typed. */
  text: string;
  start: number;
  end: number;
  approved: boolean;
}

export interface ReplyReview {
  findings: Finding[];
  sentences: ReplySentence[];
  /** The sentences not from the approved list: the manager attests to each before approval. */
  freeText: ReplySentence[];
}

export function guardContextFrom(
  policy: Policy,
  practice: Omit<ReplyContext, 'briefWordLimit' | 'extraClinicalTerms' | 'approvedSentences' | 'roles'>,
): ReplyContext {
  return {
    ...practice,
    briefWordLimit: policy.replyGuard.briefWordLimit,
    extraClinicalTerms: policy.replyGuard.extraClinicalTerms,
    approvedSentences: approvedSentencesOf(policy),
    roles: policy.replyGuard.roles,
  };
}

/**
 * The practice's approved sentences: its approved list and the sentences of its public reply
 * templates, as drafted for a practice with or without a phone or e-mail (renderReplyDraft), so
 * the practice's own drafted reply never needs an attestation.
 */
export function approvedSentencesOf(policy: Policy): readonly string[] {
  // One list per policy, so the guard's compiled patterns of it (approvedMatchers) are made once.
  let sentences = approvedLists.get(policy);
  if (!sentences) {
    const templates = policy.templates.filter((t) => PUBLIC_REPLY_TEMPLATES.includes(t.id));
    sentences = Object.freeze([...policy.replyGuard.approvedSentences, ...templates.flatMap((t) => contactVariants(t.text))]);
    approvedLists.set(policy, sentences);
  }
  return sentences;
}
const approvedLists = new WeakMap<Policy, readonly string[]>();

export function hasBlocking(findings: readonly Finding[]): boolean {
  return findings.some((f) => f.severity === 'blocking');
}

export function checkReply(draft: string, context: ReplyContext): Finding[] {
  return reviewReply(draft, context).findings;
}

/** Words of the practice's name that are its own, not a person's ("Millbrook" in "Millbrook Medical Centre"). */
function practiceWordsOf(name: string | undefined): Set<string> {
  return new Set(
    (name ?? '')
      .normalize('NFKC')
      .toLowerCase()
      .split(/[^\p{L}]+/u)
      .filter((w) => w.length >= 3),
  );
}

export function reviewReply(draft: string, context: ReplyContext): ReplyReview {
  const n = normalise(draft);
  const findings = new Findings((start, end) => {
    const span = originalSpan(n, start, end);
    return draft.slice(span.start, span.end);
  });
  const practice = { phone: context.practicePhone, email: context.practiceEmail };
  // The practice's own name, also as its email address gives it ("reception.millbrook@nhs.net").
  const practiceWords = practiceWordsOf(`${context.practiceName ?? ''} ${(context.practiceEmail ?? '').replace(/\b(?:nhs|net|org|co|uk|com|gov|reception|admin|enquiries|info)\b/gi, ' ')}`);

  const claimed = [...emailRule(n.text, practice, findings), ...birthRule(n.text, findings, n.words), ...addressRule(n.text, findings)];
  numberRule(n.text, practice, claimed, findings);
  relationshipRule(n.words, findings);
  encounterRule(n.words, findings);
  clinicalRule(n.text, n.words, context.extraClinicalTerms ?? [], findings);
  nameRule(
    n.text,
    {
      staff: [...context.staffNames, ...(context.reportedNames ?? [])],
      others: [...(context.authorName ? [context.authorName] : []), ...namesInPost(context.postText ?? '', practiceWords)],
      practiceWords,
    },
    findings,
    n.words,
  );
  pinnedToADayRule(n.words, findings);
  toneRule(n.text, context.briefWordLimit ?? DEFAULT_BRIEF_WORD_LIMIT, findings);

  // The practice's own name is never a finding (a practice may be called "Dr Khan's Surgery").
  const own = context.practiceName ? ownNameSpans(n.text, context.practiceName) : [];
  // General information about normal practice ("cervical screening is offered to women aged 25 to 64") speaks of no one.
  // The words a practice added as clinical stay clinical whatever the sentence.
  const extra = (context.extraClinicalTerms ?? []).map((t) => normalise(t).words.trim().toLowerCase()).filter((t) => t.length > 0);
  const practiceTerm = (f: Finding) => f.rule === 'clinical-information' && extra.some((t) => n.words.slice(f.start, f.end).toLowerCase().includes(t));
  const kept = withoutGeneralInformation(n.words, findings.list, practiceTerm).filter((f) => !own.some((o) => o.start <= f.start && f.end <= o.end));

  const rank = (f: Finding) => (f.severity === 'blocking' ? 0 : 1);
  const mapped = kept
    .map((f) => ({ ...f, ...originalSpan(n, f.start, f.end) }))
    .filter((f, i, all) => all.findIndex((g) => g.rule === f.rule && g.start === f.start && g.end === f.end) === i)
    .sort((a, b) => a.start - b.start || rank(a) - rank(b) || a.end - b.end || a.rule.localeCompare(b.rule));

  const matchers = approvedMatchers(context.approvedSentences ?? [], {
    ...(context.practiceName ? { practiceName: context.practiceName } : {}),
    ...(context.practicePhone ? { practicePhone: context.practicePhone } : {}),
    ...(context.practiceEmail ? { practiceEmail: context.practiceEmail } : {}),
    roles: context.roles ?? [],
  });
  const sentences = splitSentences(n.text).map((s) => {
    const span = originalSpan(n, s.start, s.end);
    return { text: draft.slice(span.start, span.end), ...span, approved: isApproved(n.text.slice(s.start, s.end), matchers) };
  });
  return { findings: mapped, sentences, freeText: sentences.filter((s) => !s.approved) };
}

function ownNameSpans(text: string, name: string): { start: number; end: number }[] {
  const wanted = normalise(name).text.trim().toLowerCase();
  if (!wanted) return [];
  const spans: { start: number; end: number }[] = [];
  const lower = text.toLowerCase();
  for (let at = lower.indexOf(wanted); at >= 0; at = lower.indexOf(wanted, at + 1)) {
    spans.push({ start: at, end: at + wanted.length + (lower.startsWith("'s", at + wanted.length) ? 2 : 0) });
  }
  return spans;
}
