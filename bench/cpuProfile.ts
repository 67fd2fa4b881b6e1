import { readFileSync } from 'node:fs';

/**
 * `npx tsx bench/cpuProfile.ts <file.cpuprofile>`: where a server's CPU went, by package or
 * source folder and by function (self time). Record one with
 * BENCH_SERVER_EXEC_ARGV="--cpu-prof --cpu-prof-dir=/tmp/prof" npm run bench.
 */

interface Node {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

const file = process.argv[2];
if (!file) {
  console.error('usage: tsx bench/cpuProfile.ts <file.cpuprofile> [top]');
  process.exit(2);
}
const top = Number(process.argv[3] ?? 25);
const profile = JSON.parse(readFileSync(file, 'utf8')) as { nodes: Node[]; samples: number[]; timeDeltas: number[] };
const byId = new Map(profile.nodes.map((n) => [n.id, n]));
const self = new Map<number, number>();
profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
const total = [...self.values()].reduce((a, b) => a + b, 0);

function area(url: string): string {
  if (!url) return '(native/gc/idle)';
  const nm = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const src = /\/(src|bench)\/([^/]+)/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (url.startsWith('node:')) return url;
  return url.split('/').slice(-2).join('/');
}

const areas = new Map<string, number>();
const functions = new Map<string, number>();
for (const [id, us] of self) {
  const node = byId.get(id)!;
  const name = node.callFrame.functionName || '(anonymous)';
  const a = node.callFrame.url ? area(node.callFrame.url) : name.startsWith('(') ? name : '(native)';
  areas.set(a, (areas.get(a) ?? 0) + us);
  const f = `${name} ${a}${node.callFrame.url ? `:${node.callFrame.lineNumber + 1}` : ''}`;
  functions.set(f, (functions.get(f) ?? 0) + us);
}
const pct = (us: number) => `${((us / total) * 100).toFixed(1).padStart(5)}%`;
console.log(`total sampled ${(total / 1000).toFixed(0)} ms`);
console.log('\nby package / source folder (self time):');
for (const [a, us] of [...areas].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us)}  ${a}`);
console.log('\nby function (self time):');
for (const [f, us] of [...functions].sort((x, y) => y[1] - x[1]).slice(0, top)) console.log(`  ${pct(us)}  ${f}`);
