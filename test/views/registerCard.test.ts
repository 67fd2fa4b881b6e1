import { describe, expect, it } from 'vitest';
import { registerCard, plainText, REGISTER_PAGE_SIZE, type RegisterRow } from '../../src/views/index.ts';
import { INCIDENT_VERBS, REGISTER_VERBS } from '../../src/contract/cards.ts';
import { TEAMS_MAX_BYTES, actions, body, bytes, elements, inputs, problems, shape, textBlocks, texts, type Json } from '../support/cardChecks.ts';
import { contrastFailures } from '../support/contrast.ts';

// ---- sample data --------------------------------------------------------------------------------

const PRACTICE = 'Wickersley Medical Practice';
const NOW = new Date('2026-11-05T12:00:00Z');

function row(overrides: Partial<RegisterRow> = {}): RegisterRow {
  return {
    practiceId: 'wickersley',
    reference: 'PW-2026-0042',
    version: 4,
    severity: 'high',
    status: 'in-progress',
    reportedAt: '2026-11-05T09:00:00Z',
    platform: 'Facebook',
    nextStep: 'Report the post to the platform — Mary Owner',
    nextStepDue: '2026-11-05T15:00:00Z',
    overdue: false,
    urgent: false,
    ...overrides,
  };
}

const opts = (overrides: Partial<Parameters<typeof registerCard>[1]> = {}) => ({ practiceName: PRACTICE, page: 0, pageCount: 1, total: 1, now: NOW, ...overrides });

const HOSTILE = '[click](http://evil.example) **bold** ${$root.title} <at>x</at> # h\n- list\n1. one `code` <script>alert(1)</script> & | \\';
const USER_TEXT = [HOSTILE, `Open incidents — ${HOSTILE}`, `Next: ${HOSTILE}`];

// ---- helpers ------------------------------------------------------------------------------------

const rows = (card: Json) => body(card).filter((e) => e.type === 'Container');
const executes = (node: Json) => actions(node).filter((a) => a.type === 'Action.Execute');
const pageActions = (card: Json) => ((card.actions as Json[] | undefined) ?? []).map((a) => [a.title, a.verb, a.data]);
const all = (card: Json) => texts(card).join('\n');

/** Markdown that would still take effect in shown text. */
function liveMarkdown(text: string): string[] {
  return [...text.matchAll(/(^|[^\\])((?:\\\\)*)(\[click\]|\*\*bold|<script>|<at>)/gm)].map((m) => m[3]!);
}

// ---- the card -----------------------------------------------------------------------------------

describe('register card', () => {
  it('title, count, and one compact block per incident', () => {
    const card = registerCard([row(), row({ reference: 'PW-2026-0041', severity: 'low', status: 'awaiting-decision' })], opts({ total: 2 }));
    expect(problems(card)).toEqual([]);
    expect(card.version).toBe('1.5');
    expect(texts(card).slice(0, 2)).toEqual([`Open incidents — ${PRACTICE}`, '2 open']);
    expect(textBlocks(card)[0]).toMatchObject({ size: 'Large', weight: 'Bolder' });
    expect(rows(card)).toHaveLength(2);
    expect(texts(rows(card)[0]!)).toEqual([
      'PW-2026-0042',
      'High severity',
      'In progress · Facebook · reported 3 h ago',
      'Next: Report the post to the platform — Mary Owner',
      'Due in 3 h, by 5 Nov 2026, 15:00',
    ]);
    expect(textBlocks(rows(card)[0]!)[0]).toMatchObject({ weight: 'Bolder' });
    expect(contrastFailures(card)).toEqual([]);
    expect(texts(rows(card)[1]!).slice(1, 3)).toEqual(['Low severity', 'Awaiting decision · Facebook · reported 3 h ago']);
    expect(inputs(card)).toEqual([]);
  });

  it('phone-friendly: no columns, tables or images', () => {
    const card = registerCard(Array.from({ length: 10 }, (_, i) => row({ reference: `PW-2026-00${10 + i}` })), opts({ total: 10 }));
    expect(elements(card).filter((e) => ['ColumnSet', 'Column', 'Table', 'Image', 'FactSet'].includes(String(e.type)))).toEqual([]);
  });

  it.each([
    ['critical', 'Critical severity'],
    ['high', 'High severity'],
    ['medium', 'Medium severity'],
    ['low', 'Low severity'],
    [undefined, 'Not graded yet'],
  ] as const)('severity %s: "%s" in bold, default-coloured (4.5:1 in every Teams theme)', (severity, text) => {
    const card = registerCard([row({ severity })], opts());
    expect(textBlocks(card).find((t) => t.text === text)).toMatchObject({ color: 'Default', weight: 'Bolder' });
    expect(contrastFailures(card)).toEqual([]);
  });

  it.each([
    ['2026-11-05T11:59:30Z', 'reported just now'],
    ['2026-11-05T11:35:00Z', 'reported 25 min ago'],
    ['2026-11-05T09:00:00Z', 'reported 3 h ago'],
    ['2026-11-04T11:00:00Z', 'reported 1 day ago'],
    ['2026-11-03T10:00:00Z', 'reported 2 days ago'],
    ['not a date', 'reported at an unknown time'],
  ])('reported %s: "%s"', (reportedAt, age) => {
    const card = registerCard([row({ reportedAt })], opts());
    expect(texts(rows(card)[0]!)[2]).toBe(`In progress · Facebook · ${age}`);
  });

  it('overdue: how long, in attention colour', () => {
    const card = registerCard([row({ nextStepDue: '2026-11-05T09:40:00Z', overdue: true })], opts());
    expect(textBlocks(card).find((t) => String(t.text).startsWith('Overdue'))).toMatchObject({ text: 'Overdue by 2 h 20 min (due 5 Nov 2026, 09:40)', color: 'Default' });
  });

  it('due within the hour: warning colour; no due time: no line', () => {
    const soon = registerCard([row({ nextStepDue: '2026-11-05T12:30:00Z' })], opts());
    expect(textBlocks(soon).find((t) => String(t.text).startsWith('Due'))).toMatchObject({ text: 'Due in 30 min, by 5 Nov 2026, 12:30', color: 'Default' });
    const { nextStepDue: _none, ...withoutDue } = row();
    const none = registerCard([withoutDue], opts());
    expect(texts(rows(none)[0]!).some((t) => /^(Due|Overdue)/.test(t))).toBe(false);
  });

  it('urgent: said first in the block, in attention colour', () => {
    const card = registerCard([row({ urgent: true })], opts());
    expect(textBlocks(rows(card)[0]!)[0]).toMatchObject({ text: 'URGENT: someone may be at risk', weight: 'Bolder' });
    expect(all(registerCard([row()], opts()))).not.toContain('URGENT');
  });

  it('"Open" on each block refreshes to that incident, carrying only its ids', () => {
    const list = [row(), row({ reference: 'PW-2026-0041', version: 9 })];
    const card = registerCard(list, opts({ total: 2 }));
    rows(card).forEach((block, i) => {
      expect(executes(block).map((a) => [a.title, a.verb, a.data])).toEqual([
        ['Open', INCIDENT_VERBS.refresh, { practiceId: 'wickersley', reference: list[i]!.reference, version: list[i]!.version }],
      ]);
    });
  });

  it('empty: says so, nothing to open, no pages', () => {
    const card = registerCard([], opts({ total: 0 }));
    expect(problems(card)).toEqual([]);
    expect(texts(card)).toEqual([`Open incidents — ${PRACTICE}`, '0 open', 'No open incidents.']);
    expect(actions(card)).toEqual([]);
  });

  it('the "No open incidents." line is not shown when there are some', () => {
    expect(texts(registerCard([row()], opts()))).not.toContain('No open incidents.');
  });
});

describe('register card paging', () => {
  const page = (p: number, count: number) => registerCard([row()], opts({ page: p, pageCount: count, total: count * REGISTER_PAGE_SIZE }));

  it('a single page: no Previous or Next, no page line', () => {
    const card = page(0, 1);
    expect(card.actions).toEqual([]);
    expect(all(card)).not.toMatch(/Page \d/);
  });

  it.each([
    [0, 3, [['Next', REGISTER_VERBS.page, { page: 1 }]]],
    [1, 3, [['Previous', REGISTER_VERBS.page, { page: 0 }], ['Next', REGISTER_VERBS.page, { page: 2 }]]],
    [2, 3, [['Previous', REGISTER_VERBS.page, { page: 1 }]]],
  ])('page %i of %i (0-based): only the pages that exist', (p, count, expected) => {
    const card = page(p, count);
    expect(problems(card)).toEqual([]);
    expect(pageActions(card)).toEqual(expected);
    expect(texts(card)).toContain(`Page ${p + 1} of ${count}`);
    expect(texts(card)).toContain(`${count * REGISTER_PAGE_SIZE} open`);
  });

  it('a page past the end is drawn as the last page', () => {
    expect(pageActions(page(7, 3))).toEqual([['Previous', REGISTER_VERBS.page, { page: 1 }]]);
  });
});

describe('register card: user text is data, and it fits', () => {
  function pair(): [Json, Json] {
    const make = (t: (s: string) => string) =>
      registerCard(
        [row({ nextStep: t(HOSTILE), platform: t(HOSTILE), urgent: true, overdue: true, nextStepDue: '2026-11-05T09:00:00Z' }), row({ reference: 'PW-2026-0041', nextStep: t(HOSTILE) })],
        opts({ practiceName: t(HOSTILE), total: 2 }),
      );
    return [make((x) => x), make((x) => x.replace(/[^\n]/g, 'a'))];
  }

  it('no element or action injected, nothing evaluated, no live markdown', () => {
    const [hostile, benign] = pair();
    expect(problems(hostile, { userText: USER_TEXT })).toEqual([]);
    expect(shape(hostile)).toEqual(shape(benign));
    expect(liveMarkdown(all(hostile))).toEqual([]);
    expect(texts(hostile)).toContain(plainText(`Open incidents — ${HOSTILE}`));
    expect(texts(hostile)).toContain(plainText(`Next: ${HOSTILE}`));
    expect(all(hostile)).toContain('${$root.title}');
  });

  it('a page of 10 rows with long, hostile texts is a valid card under 28 KB, shortened not dropped', () => {
    const long = (HOSTILE + ' ').repeat(40);
    const list = Array.from({ length: 10 }, (_, i) =>
      row({ reference: `PW-2026-${String(i).padStart(4, '0')}`, nextStep: long, platform: long, urgent: true, overdue: true, nextStepDue: '2026-11-05T09:00:00Z', severity: undefined }),
    );
    const card = registerCard(list, opts({ practiceName: long, page: 1, pageCount: 3, total: 25 }));
    expect(problems(card, { userText: [...USER_TEXT, long, `Open incidents — ${long}`, `Next: ${long}`] })).toEqual([]);
    expect(bytes(card)).toBeLessThan(TEAMS_MAX_BYTES);
    expect(rows(card)).toHaveLength(10);
    expect(texts(card).filter((t) => t.startsWith('Next: ')).every((t) => t.endsWith('…'))).toBe(true);
    expect(liveMarkdown(all(card))).toEqual([]);
  });

  it('far too many rows for one card: the first are drawn, and the card says how many', () => {
    const long = 'x'.repeat(300);
    const list = Array.from({ length: 60 }, (_, i) => row({ reference: `PW-2026-${String(i).padStart(4, '0')}`, nextStep: long, platform: long }));
    const card = registerCard(list, opts({ total: 60 }));
    expect(problems(card)).toEqual([]);
    const drawn = rows(card).length;
    expect(drawn).toBeLessThan(60);
    expect(texts(card)).toContain(`Showing ${drawn} of the 60 on this page.`);
  });
});
