/**
 * A small seeded fuzzer for Bot Framework activities: a deterministic PRNG (mulberry32) and
 * generators of hostile strings and malformed shapes. The same seed always gives the same
 * requests, so a failure can be replayed with FUZZ_SEED.
 */

export class Rng {
  private state: number;
  constructor(readonly seed: number) {
    this.state = seed >>> 0;
  }

  /** A float in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  int(max: number): number {
    return Math.floor(this.next() * max);
  }

  chance(p: number): boolean {
    return this.next() < p;
  }

  pick<T>(items: readonly T[]): T {
    return items[this.int(items.length)]!;
  }
}

/**
 * Text people (or attackers) may type or paste: template expressions, markdown, HTML, JSON that
 * looks like card elements, control characters, bidi overrides, mentions. None of it contains
 * anything that looks like a stack trace, so the leak check cannot be fooled by an echo.
 */
export const HOSTILE_TEXTS: readonly string[] = [
  '${postText}',
  '${$root.draftId}',
  "${if(true, 'x', 'y')}",
  '${json(\'{"type":"Action.OpenUrl","url":"https://evil.example"}\')}',
  '{{postText}}',
  '$when: ${true}',
  '[click me](https://evil.example/phish)',
  '**bold** _it_ ~~x~~ `code` # heading\n- list\n> quote',
  '![img](https://evil.example/x.png)',
  '<script>alert(1)</script>',
  '<img src=x onerror=alert(1)>',
  '<at>Postwatch</at> report a post',
  '<a href="javascript:alert(1)">x</a>',
  '{"type":"Action.OpenUrl","title":"Win","url":"https://evil.example"}',
  '{"type":"TextBlock","text":"Injected"}',
  '],"actions":[{"type":"Action.Submit"}]}',
  '"}, {"type": "Input.Text", "id": "postText"',
  '\u0000\u0001\u0002\u0007\b\u001b[31mred\u001b[0m',
  '\u202eevil\u202c \u200b\u200d\ufeff',
  'line1\r\nline2\rline3\u2028line4\u2029',
  '\ud83d\ude00 \ud83d',
  'Robert\'); DROP TABLE incidents;--',
  "o'brien \"quoted\" \\ back\\slash",
  'PartitionKey eq \'x\' or true',
  '../../../../etc/passwd',
  '%00%2F%5C#?',
  'javascript:alert(1)',
  'data:text/html,<b>x</b>',
  'report a post',
  'REPORT A POST!!!',
  'my reports',
  'incident PW-2026-0001',
  'help',
  '',
  ' ',
  'A'.repeat(2_001),
];

/** Values of every JSON type, some of them big or odd. */
export function wrongValue(rng: Rng): unknown {
  switch (rng.int(14)) {
    case 0:
      return null;
    case 1:
      return rng.int(2) === 0 ? 0 : -1.5e308;
    case 2:
      return true;
    case 3:
      return [];
    case 4:
      return {};
    case 5:
      return [1, 'two', { three: 3 }];
    case 6:
      return { nested: { deeper: { text: rng.pick(HOSTILE_TEXTS) } } };
    case 7:
      return rng.pick(HOSTILE_TEXTS);
    case 8:
      return 'x'.repeat(5_000 + rng.int(20_000));
    case 9:
      return { toString: 'not a function', valueOf: 1, __proto__: { polluted: true }, constructor: { prototype: { polluted: true } } };
    case 10:
      return ['report a post'];
    case 11:
      return 1e21;
    case 12:
      return '';
    default:
      return controlText(rng, 40);
  }
}

export function controlText(rng: Rng, length: number): string {
  let out = '';
  for (let i = 0; i < length; i++) {
    const r = rng.int(10);
    out += r < 3 ? String.fromCharCode(rng.int(32)) : r < 5 ? String.fromCharCode(0x7f + rng.int(0x21)) : r < 6 ? String.fromCharCode(0xd800 + rng.int(0x800)) : String.fromCharCode(0x20 + rng.int(0x5f));
  }
  return out;
}

/** About 100 KB of post text built from hostile fragments. */
export function hugeText(rng: Rng, bytes = 100 * 1024): string {
  let out = '';
  while (out.length < bytes) out += `${rng.pick(HOSTILE_TEXTS)} ${'lorem ipsum '.repeat(rng.int(50))}\n`;
  return out.slice(0, bytes);
}

/** Strings that are not valid JSON (or not an object once parsed). */
export function brokenJson(rng: Rng): string {
  const options = [
    '{"type": "message", ',
    '{type: message}',
    "{'type': 'message'}",
    '{"type": "message",}',
    '[',
    '{"a":',
    'NaN',
    'undefined',
    '\u0000\u0001',
    '{"type":"message"}{"type":"message"}',
    '"just a string"',
    '12345',
    'null',
    'true',
    '[]',
    '[{"type":"message","text":"report a post"}]',
    '{"type":"message","text":"\\ud800"',
    '{"__proto__":{"polluted":true},"type":"message"}',
    '{"constructor":{"prototype":{"polluted":true}}}',
    `${'['.repeat(5_000)}${']'.repeat(5_000)}`,
    `${'{"a":'.repeat(3_000)}1${'}'.repeat(3_000)}`,
    Buffer.from(Array.from({ length: 200 }, () => rng.int(256))).toString('latin1'),
    '\ufeff{"type":"message"}',
    '{"type":"message","text":"' + 'x'.repeat(1_000) + '\n"}',
  ];
  return rng.pick(options);
}

/** Deletes, retypes or adds a field somewhere in an object tree (in place). */
export function mutate(rng: Rng, target: Record<string, unknown>, depth = 0): void {
  const keys = Object.keys(target);
  if (keys.length === 0 || rng.chance(0.15)) {
    target[rng.pick(['extra', 'type', 'value', 'data', 'action', '__proto__', 'constructor', 'text'])] = wrongValue(rng);
    return;
  }
  const key = rng.pick(keys);
  const current = target[key];
  if (current && typeof current === 'object' && !Array.isArray(current) && depth < 4 && rng.chance(0.6)) {
    mutate(rng, current as Record<string, unknown>, depth + 1);
    return;
  }
  if (rng.chance(0.35)) delete target[key];
  else target[key] = wrongValue(rng);
}
