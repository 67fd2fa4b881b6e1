import { readFileSync } from 'node:fs';
import { pathToFileURL } from 'node:url';

/**
 * Where a server's CPU went, from a V8 CPU profile: self time grouped by what the bench asks
 * about (the Azure SDK's request pipeline, request signing, HTTP, card validation and templating,
 * zod, Postwatch's own code, garbage collection) and the top functions by self time.
 * The bench records one during a measured window (BENCH_ONLY=cpu); a profile written with
 * `--cpu-prof` can be read too: `npx tsx bench/cpuProfile.ts <file.cpuprofile> [top]`.
 */

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface CpuSummary {
  /** Sampled time the process was busy (idle left out), ms. */
  busyMs: number;
  groups: Array<{ group: string; ms: number }>;
  functions: Array<{ name: string; group: string; ms: number }>;
  /** Busy time by package or source folder, for a closer look. */
  areas: Array<{ area: string; ms: number }>;
}

export const GROUPS = {
  sdk: 'Azure SDK request pipeline (@azure/*, @typespec/ts-http-runtime)',
  signing: 'signing and hashing (SharedKey HMAC, node:crypto)',
  http: 'HTTP, sockets and streams (node internals)',
  cards: 'adaptivecards validation and templating',
  zod: 'zod',
  ours: 'Postwatch (src/)',
  bot: 'botbuilder, botframework, restify',
  gc: 'garbage collection',
  program: 'V8 and native, not attributed ((program))',
  nodeOther: 'other node internals',
  other: 'other packages',
} as const;

/** The package or source folder a script URL belongs to. */
export function areaOf(url: string): string {
  const nm = /node_modules\/(?:\.pnpm\/[^/]+\/node_modules\/)?((?:@[^/]+\/)?[^/]+)/.exec(url);
  if (nm) return nm[1]!;
  const src = /\/(src|bench)\/([^/]+)/.exec(url);
  if (src) return `${src[1]}/${src[2]}`;
  if (url.startsWith('node:')) return url;
  return url.split('/').slice(-2).join('/');
}

export function groupOf(functionName: string, url: string): string {
  if (functionName === '(garbage collector)') return GROUPS.gc;
  if (functionName === '(program)') return GROUPS.program;
  if (!url) return GROUPS.program;
  const area = areaOf(url);
  if (/SharedKey|hmac|Hmac/.test(url) || /hmac|computeHMAC|signRequest|getAuthorizationHeader/i.test(functionName) || /node:internal\/crypto/.test(url)) return GROUPS.signing;
  if (area.startsWith('@azure/') || area.startsWith('@typespec/')) return GROUPS.sdk;
  if (area.startsWith('adaptivecards') || area.startsWith('adaptive-expressions')) return GROUPS.cards;
  if (area === 'zod') return GROUPS.zod;
  if (area.startsWith('src/')) return GROUPS.ours;
  if (/^(botbuilder|botframework|restify|find-my-way|formidable)/.test(area)) return GROUPS.bot;
  if (/^node:(_http|net|_stream|stream|internal\/(http|streams|stream_base|net|dns|url|timers))/.test(url) || area === 'undici') return GROUPS.http;
  if (url.startsWith('node:')) return GROUPS.nodeOther;
  return GROUPS.other;
}

export function summariseCpuProfile(profile: CpuProfile, top = 15): CpuSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  /** A native function (socket writes, JSON.parse, …) counts for the nearest script that called it. */
  const callerUrl = (id: number): string => {
    for (let at = parent.get(id); at !== undefined; at = parent.get(at)) {
      const url = byId.get(at)!.callFrame.url;
      if (url) return url;
    }
    return '';
  };
  const self = new Map<number, number>();
  profile.samples.forEach((id, i) => self.set(id, (self.get(id) ?? 0) + (profile.timeDeltas[i] ?? 0)));
  const groups = new Map<string, number>();
  const functions = new Map<string, { group: string; us: number }>();
  const areas = new Map<string, number>();
  let busy = 0;
  for (const [id, us] of self) {
    const { functionName, url: ownUrl, lineNumber } = byId.get(id)!.callFrame;
    if (functionName === '(idle)') continue;
    busy += us;
    const special = functionName.startsWith('(');
    const url = ownUrl || (special ? '' : callerUrl(id));
    const group = groupOf(functionName, url);
    groups.set(group, (groups.get(group) ?? 0) + us);
    const area = url ? areaOf(url) : functionName || '(native)';
    areas.set(area, (areas.get(area) ?? 0) + us);
    const name = ownUrl ? `${functionName || '(anonymous)'} ${area}:${lineNumber + 1}` : `${functionName || '(anonymous)'} (native${url ? `, called from ${area}` : ''})`;
    functions.set(name, { group, us: (functions.get(name)?.us ?? 0) + us });
  }
  const sorted = <T extends { ms: number }>(list: T[]) => list.sort((a, b) => b.ms - a.ms);
  return {
    busyMs: busy / 1000,
    groups: sorted([...groups].map(([group, us]) => ({ group, ms: us / 1000 }))),
    functions: sorted([...functions].map(([name, f]) => ({ name, group: f.group, ms: f.us / 1000 }))).slice(0, top),
    areas: sorted([...areas].map(([area, us]) => ({ area, ms: us / 1000 }))).slice(0, top),
  };
}

/**
 * The summary as text. With `cpuMsPerTurn` (the process's CPU per turn from /proc), each group's
 * share is also given as CPU ms per turn: the samples measure time on the thread, which on a
 * shared machine includes moments the process was waiting for a core, so shares are what count.
 */
export function cpuSummaryText(summary: CpuSummary, cpuMsPerTurn?: number): string[] {
  const pct = (ms: number) => `${((ms / summary.busyMs) * 100).toFixed(1).padStart(5)} %`;
  const perTurn = (ms: number) => (cpuMsPerTurn ? `  ${((ms / summary.busyMs) * cpuMsPerTurn).toFixed(2).padStart(5)} ms/turn` : '');
  const lines = [`${summary.busyMs.toFixed(0)} ms on the thread sampled (idle left out)`, 'by group (self time; a native function counts for the script that called it):'];
  for (const g of summary.groups) lines.push(`  ${pct(g.ms)}${perTurn(g.ms)}  ${g.group}`);
  lines.push('top functions (self time):');
  for (const f of summary.functions) lines.push(`  ${pct(f.ms)}  ${f.name}  [${f.group}]`);
  lines.push('by package or source folder (self time):');
  for (const a of summary.areas) lines.push(`  ${pct(a.ms)}  ${a.area}`);
  return lines;
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  const file = process.argv[2];
  if (!file) {
    console.error('usage: tsx bench/cpuProfile.ts <file.cpuprofile> [top]');
    process.exit(2);
  }
  const profile = JSON.parse(readFileSync(file, 'utf8')) as CpuProfile;
  console.log(cpuSummaryText(summariseCpuProfile(profile, Number(process.argv[3] ?? 25))).join('\n'));
}
