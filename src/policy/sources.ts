import { DEFAULT_POLICY } from './default.ts';

/**
 * The documents the default policy is drawn from are listed in its "documents" (default.json). The
 * five practice documents are kept in the shared `policies/` folder; the facts from outside them
 * (BMA, GMC, MDU, NHS website, platforms, the Defamation Act) are recorded, checked 2026-11, in the
 * design notes ("Facts from outside the policies"). Every quote is verbatim from the file named in
 * `recordedIn` (test/policy/sources.test.ts checks this).
 */

/** The practices whose own policies the default policy quotes: never named to another practice. */
const PRACTICE_POLICIES: ReadonlySet<string> = new Set(['wickersley', 'millbrook', 'cockhedge', 'caergwrle']);

/** How a card names each cited document: its short title, and whether it is a practice's own policy. */
export const CITED_DOCUMENTS: readonly { id: string; name: string; practicePolicy: boolean }[] = DEFAULT_POLICY.documents.map((d) => ({
  id: d.id,
  name: d.title.split(':')[0]!.trim(),
  practicePolicy: PRACTICE_POLICIES.has(d.id),
}));
