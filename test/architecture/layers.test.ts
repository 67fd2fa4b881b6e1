import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

/**
 * The shape of the code, checked on every run so it cannot bend quietly: which layer may import
 * which, where the SDKs may appear, and how long a source file may grow. The rules are the ones in
 * README.md's Layout and the developers' guide: arrows point down only.
 */
const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
const SRC = join(ROOT, 'src');

interface SourceFile {
  /** Path from the repository root, with forward slashes: "src/app/deciding.ts". */
  path: string;
  lines: number;
  /** Relative imports resolved to repository paths; packages as written ("botbuilder", "node:fs"). */
  imports: string[];
}

function sources(dir: string): SourceFile[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = join(dir, entry.name);
    if (entry.isDirectory()) return sources(full);
    if (!entry.name.endsWith('.ts')) return [];
    const text = readFileSync(full, 'utf8');
    // Static imports and re-exports (also over several lines), dynamic import() and type imports.
    const specifiers = [...text.matchAll(/(?:\bfrom\s*|\bimport\s*\(?\s*)'([^']+)'/g)].map((m) => m[1]!);
    const imports = specifiers.map((s) => (s.startsWith('.') ? relative(ROOT, resolve(dirname(full), s)).split('\\').join('/') : s));
    return [{ path: relative(ROOT, full).split('\\').join('/'), lines: text.split('\n').length, imports }];
  });
}

const FILES = sources(SRC);
const inLayer = (path: string, layer: string) => path === layer || path.startsWith(`${layer}/`);
const local = (imports: string[]) => imports.filter((i) => i.startsWith('src/'));
const packages = (imports: string[]) => imports.filter((i) => !i.startsWith('src/'));

/** Each layer and the layers (and packages) it may import. */
const MAY_IMPORT: Array<{ layer: string; layers: string[]; packages: RegExp }> = [
  { layer: 'src/domain', layers: ['src/domain'], packages: /^(node:crypto|zod)$/ },
  { layer: 'src/contract', layers: ['src/contract', 'src/domain'], packages: /^zod$/ },
  { layer: 'src/policy', layers: ['src/policy', 'src/domain'], packages: /^(node:(fs|path|url)|zod)$/ },
  { layer: 'src/views', layers: ['src/views', 'src/domain', 'src/contract'], packages: /^(adaptivecards|adaptivecards-templating|node:(fs|path|url))$/ },
  { layer: 'src/app', layers: ['src/app', 'src/domain', 'src/contract', 'src/policy', 'src/store/ports.ts', 'src/log.ts'], packages: /^(node:[a-z/]+|zod|yazl|csv-stringify\/sync|pino)$/ },
  // Screens of the use cases drawn as cards: the one place app and views meet, with no botbuilder.
  { layer: 'src/presenters', layers: ['src/presenters', 'src/app', 'src/views', 'src/domain', 'src/contract', 'src/policy', 'src/store/ports.ts', 'src/store/outboxPort.ts'], packages: /^$/ },
  { layer: 'src/store/ports.ts', layers: ['src/domain', 'src/store/ports.ts', 'src/store/outboxPort.ts'], packages: /^$/ },
  { layer: 'src/store/outboxPort.ts', layers: ['src/store/ports.ts'], packages: /^$/ },
];

describe('the import graph', () => {
  it('reads every source file (the check is not vacuous)', () => {
    expect(FILES.length).toBeGreaterThan(100);
    for (const layer of ['src/domain', 'src/app', 'src/views', 'src/presenters', 'src/bot', 'src/store/azure', 'src/contract', 'src/policy']) {
      expect(FILES.filter((f) => inLayer(f.path, layer)).some((f) => f.imports.length > 0), layer).toBe(true);
    }
  });

  for (const rule of MAY_IMPORT) {
    it(`${rule.layer} imports only ${rule.layers.join(', ')}`, () => {
      const wrong = FILES.filter((f) => inLayer(f.path, rule.layer)).flatMap((f) => [
        ...local(f.imports).filter((i) => !rule.layers.some((l) => inLayer(i, l))).map((i) => `${f.path} -> ${i}`),
        ...packages(f.imports).filter((p) => !rule.packages.test(p)).map((p) => `${f.path} -> ${p}`),
      ]);
      expect(wrong).toEqual([]);
    });
  }

  it('no arrow between app and views, either way', () => {
    const across = FILES.flatMap((f) =>
      local(f.imports)
        .filter((i) => (inLayer(f.path, 'src/app') && inLayer(i, 'src/views')) || (inLayer(f.path, 'src/views') && inLayer(i, 'src/app')))
        .map((i) => `${f.path} -> ${i}`),
    );
    expect(across).toEqual([]);
  });

  it('botbuilder (past its end of support) only at the edge: src/bot and src/server.ts', () => {
    const outside = FILES.filter((f) => !inLayer(f.path, 'src/bot') && f.path !== 'src/server.ts').flatMap((f) =>
      packages(f.imports).filter((p) => /^(botbuilder|botframework-)/.test(p)).map((p) => `${f.path} -> ${p}`),
    );
    expect(outside).toEqual([]);
  });

  it('the Azure SDKs only in src/store, and the Azure adapters known only to compose.ts (and the start-up that opens storage)', () => {
    const sdk = FILES.filter((f) => !inLayer(f.path, 'src/store')).flatMap((f) => packages(f.imports).filter((p) => p.startsWith('@azure/')).map((p) => `${f.path} -> ${p}`));
    expect(sdk).toEqual([]);
    const adapters = FILES.filter((f) => !inLayer(f.path, 'src/store')).flatMap((f) => local(f.imports).filter((i) => inLayer(i, 'src/store/azure')).map((i) => `${f.path} -> ${i}`));
    expect(adapters.filter((a) => !/^src\/(compose|startup|main)\.ts -> /.test(a))).toEqual([]);
  });

  it('no source file over 400 lines', () => {
    expect(FILES.filter((f) => f.lines > 400).map((f) => `${f.path}: ${f.lines}`)).toEqual([]);
  });
});
