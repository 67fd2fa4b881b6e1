import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { Policy, Source } from '../../src/domain/policy/schema.ts';
import { loadPolicy, presetPath, PRESETS } from '../../src/policy/load.ts';

/**
 * Every rule must be traceable to a sentence in one of the policies: each quote in the default
 * policy and the presets is checked, word for word, against the document it cites.
 */

// CI always has ../shared beside the clone: a missing copy is a failure, never a silent skip.
const shared = [resolve(process.cwd(), '../shared'), '/work/shared'].find((dir) => existsSync(join(dir, 'policies')));

it('finds the practice policies in ../shared', () => {
  expect(shared, 'the quote check needs ../shared/policies beside the repository').toBeDefined();
});

function normalise(text: string): string {
  return text.replace(/[\u2018\u2019]/g, "'").replace(/[\u201c\u201d]/g, '"').replace(/\s+/g, ' ').trim();
}

function sourcesOf(policy: Policy): { where: string; source: Source }[] {
  return [
    ...policy.categories.map((c) => ({ where: `categories[${c.id}]`, source: c.source })),
    ...policy.deciders.map((d) => ({ where: `deciders[${d.id}]`, source: d.source })),
    ...Object.entries(policy.severities).map(([id, s]) => ({ where: `severities.${id}`, source: s.source })),
    ...policy.actions.map((a) => ({ where: `actions[${a.id}]`, source: a.source })),
    ...policy.warnings.map((w) => ({ where: `warnings[${w.id}]`, source: w.source })),
    ...policy.templates.map((t) => ({ where: `templates[${t.id}]`, source: t.source })),
    ...policy.rules.flatMap((r) => [
      { where: `rules[${r.id}]`, source: r.source },
      ...(r.then.actions ?? []).flatMap((a) => (a.source ? [{ where: `rules[${r.id}].then.actions[${a.id}]`, source: a.source }] : [])),
    ]),
  ];
}

describe('policy sources are quoted verbatim', () => {
  for (const name of ['default', ...PRESETS] as const) {
    it(`${name}: every quote is in the document it cites`, () => {
      expect(shared, 'the quote check needs ../shared/policies beside the repository').toBeDefined();
      const policy = loadPolicy(name === 'default' ? undefined : presetPath(name));
      const texts = new Map(policy.documents.map((d) => [d.id, d.recordedIn ? normalise(readFileSync(join(shared!, d.recordedIn), 'utf8')) : undefined]));
      const sources = sourcesOf(policy);
      expect(sources.length).toBeGreaterThan(0);
      // A quote whose document has no text to check it against is a failure too, not a skip.
      const missing = sources
        .filter(({ source }) => !texts.get(source.document)?.includes(normalise(source.quote)))
        .map(({ where, source }) => `${where}: "${source.quote}" is not in ${source.document}${texts.get(source.document) === undefined ? ' (no recorded text)' : ''}`);
      expect(missing).toEqual([]);
    });
  }

  it('draws on all five documents', () => {
    const cited = new Set(sourcesOf(loadPolicy()).map((s) => s.source.document));
    for (const doc of ['wickersley', 'millbrook', 'cockhedge', 'caergwrle', 'lmc']) expect(cited, doc).toContain(doc);
  });
});
