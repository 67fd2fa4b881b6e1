import { handlingOf, type Handling } from './handling.ts';
import { authorKey, type Incident } from './incident.ts';
import type { ReportFacts } from './report.ts';

/**
 * The same post reported twice (two receptionists saw it): the second report is linked to the first
 * incident ("also reported by …") and is not another post by the author, so the BMA's repeat-poster
 * flag counts distinct posts. The same post is the same link, or the same author and the same words.
 */

/** The link, compared without case in the host, a fragment or a trailing slash. */
export function postKeyOf(facts: ReportFacts): string | undefined {
  const raw = facts.where.postUrl?.trim();
  if (!raw) return undefined;
  try {
    const url = new URL(raw);
    url.hash = '';
    return `${url.protocol}//${url.host.toLowerCase()}${url.pathname.replace(/\/+$/, '')}${url.search}`;
  } catch {
    return raw.toLowerCase();
  }
}

function words(facts: ReportFacts): string {
  return (facts.what.postText ?? '').toLowerCase().replace(/[^\p{L}\p{N}]+/gu, ' ').trim();
}

export function samePost(a: ReportFacts, b: ReportFacts): boolean {
  const link = postKeyOf(a);
  if (link && link === postKeyOf(b)) return true;
  const author = authorKey(a);
  return !!author && author === authorKey(b) && words(a) !== '' && words(a) === words(b);
}

/** The first report of this post among earlier incidents, if this one is a re-report. */
export function firstReportOf(facts: ReportFacts, earlier: readonly Incident[]): Incident | undefined {
  const same = earlier.filter((i) => samePost(facts, i.facts)).sort((x, y) => x.reportedAt.localeCompare(y.reportedAt) || x.reference.localeCompare(y.reference));
  // A link made earlier is followed, so every re-report points at the very first.
  const first = same.find((i) => !handlingOf(i).sameAs) ?? same[0];
  const linked = first && handlingOf(first).sameAs;
  return (linked && earlier.find((i) => i.reference === linked)) || first;
}

/** Earlier distinct posts by the same author, not counting this post or any re-report. */
export function distinctPriorPosts(facts: ReportFacts, earlier: readonly Incident[]): number {
  const author = authorKey(facts);
  if (!author) return 0;
  const posts: ReportFacts[] = [];
  for (const i of [...earlier].sort((x, y) => x.reportedAt.localeCompare(y.reportedAt))) {
    if (authorKey(i.facts) !== author || handlingOf(i).sameAs || samePost(facts, i.facts)) continue;
    if (!posts.some((p) => samePost(p, i.facts))) posts.push(i.facts);
  }
  return posts.length;
}

export interface AlsoReported {
  reference: string;
  name: string;
  at: string;
}

/** The first incident, told that its post was reported again (kept once per re-report). */
export function withAlsoReported(first: Incident, by: AlsoReported): Incident {
  const handling: Handling = handlingOf(first);
  const list = handling.alsoReportedBy ?? [];
  if (list.some((r) => r.reference === by.reference)) return first;
  return { ...first, handling: { ...handling, version: handling.version + 1, alsoReportedBy: [...list, by] } };
}
