import { readFileSync } from 'node:fs';
import { BREACH_CLASSES, type CorpusCase } from './context.ts';

/**
 * The red-team parts of the corpus (redteam.json, redteam2.json): drafts written without reading the rules or the
 * other parts, so its first score is an honest measure of how the guard generalises. Kept as JSON
 * so it can be written and reviewed by people who do not read TypeScript; checked on load so a
 * mistyped class fails loudly instead of silently scoring as clean.
 */
const classes = new Set<string>([...BREACH_CLASSES, 'clean']);

function loadRedteam(file: string): CorpusCase[] {
  const raw: unknown = JSON.parse(readFileSync(new URL(`./${file}`, import.meta.url), 'utf8'));
  if (!Array.isArray(raw)) throw new Error(`${file}: expected an array of cases`);
  return raw.map((entry: unknown, i) => {
    const c = entry as Partial<CorpusCase>;
    if (typeof c.draft !== 'string' || typeof c.cls !== 'string' || !classes.has(c.cls)) {
      throw new Error(`${file}: case ${i} needs a draft and a class from ${[...classes].join(', ')}`);
    }
    return { cls: c.cls, draft: c.draft, ...(typeof c.trick === 'string' ? { trick: c.trick } : {}) };
  });
}

export const REDTEAM: CorpusCase[] = loadRedteam('redteam.json');
/** A second blind red team (guard3), written as ten different practice managers would write. */
export const REDTEAM2: CorpusCase[] = loadRedteam('redteam2.json');
