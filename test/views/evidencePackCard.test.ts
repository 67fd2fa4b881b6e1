import { describe, expect, it } from 'vitest';
import { evidencePackCard, plainText } from '../../src/views/index.ts';
import { INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { DOWNLOAD_ACTION, actions, body, fact, inputs, problems, textBlocks, texts, type Json } from '../support/cardChecks.ts';

/** The evidence pack's download card (src/views/evidencePackCard.ts). */

describe('evidence pack card', () => {
  const HASH = 'AB'.repeat(32);
  const PACK = {
    reference: 'PW-2026-0042',
    url: 'https://postwatch.example/packs/wickersley/PW-2026-0042?expires=1793800000&sig=abc%2Bdef',
    expiresAt: new Date('2026-11-03T15:15:00Z'),
    sha256: HASH,
    fileName: 'PW-2026-0042-evidence.zip',
  };

  it('the reference, a download link to the given URL, the expiry (UK time), the hash, the file name and the warning', () => {
    const card = evidencePackCard(PACK);
    expect(problems(card, { openUrl: PACK.url })).toEqual([]);
    expect(card.version).toBe('1.5');
    expect(card.refresh).toBeUndefined();
    expect(actions(card)).toEqual([{ type: 'Action.OpenUrl', id: DOWNLOAD_ACTION.id, title: 'Download evidence pack', url: PACK.url }]);
    expect(inputs(card)).toEqual([]);
    expect(texts(card)).toEqual(expect.arrayContaining(['Evidence pack', 'PW-2026-0042', HASH.toLowerCase(), 'SHA-256 of the pack']));
    expect(fact(card, 'File')).toBe('PW-2026-0042-evidence.zip');
    expect(fact(card, 'Link works until')).toBe('3 Nov 2026, 15:15');
    expect(texts(card)).toContain('This link is for you only, works once and stops working at 3 Nov 2026, 15:15. Do not forward it; the pack contains personal data.');
    expect(textBlocks(card).find((t) => String(t.text).startsWith('This link is for you only'))).toMatchObject({ weight: 'Bolder' });
  });

  it('summer time: the expiry is BST', () => {
    const card = evidencePackCard({ ...PACK, expiresAt: new Date('2026-07-01T12:00:00Z') });
    expect(texts(card)).toContain('This link is for you only, works once and stops working at 1 Jul 2026, 13:00. Do not forward it; the pack contains personal data.');
  });

  it('a note instead of a hash is shown as text, escaped', () => {
    const card = evidencePackCard({ ...PACK, sha256: 'listed in the pack (manifest.json) **x**', fileName: '[pack](http://evil.example).zip' });
    expect(problems(card, { openUrl: PACK.url })).toEqual([]);
    expect(texts(card)).toEqual(expect.arrayContaining(['SHA-256 hashes', plainText('listed in the pack (manifest.json) **x**')]));
    expect(fact(card, 'File')).toBe(plainText('[pack](http://evil.example).zip'));
    expect(texts(card).join(' ')).not.toMatch(/Check that the file/);
  });

  it.each(['javascript:alert(1)', 'file:///etc/passwd', 'not a url', '/relative/path'])('refuses a link that is not http(s): %s', (url) => {
    expect(() => evidencePackCard({ ...PACK, url })).toThrow(/download link/);
  });

  const broken: Array<[string, (c: Json) => void, RegExp]> = [
    ['another URL than the one issued', (c) => ((c.actions as Json[])[0]!.url = 'https://evil.example/'), /not the one the bot issued/],
    ['a second OpenUrl', (c) => ((c.actions ??= []) as Json[]).push({ type: 'Action.OpenUrl', title: 'More', url: PACK.url }), /only Action.Execute/],
    ['the link inside the body', (c) => body(c).push({ type: 'ActionSet', actions: [(c.actions as Json[]).pop()] }), /not one of the card's own actions/],
    ['an input beside the link', (c) => body(c).push({ type: 'Input.Text', id: 'x', label: 'X' }), /only allowed on the evidence pack card/],
    ['a refresh beside the link', (c) => (c.refresh = { action: { type: 'Action.Execute', title: 'R', verb: INCIDENT_VERBS.refresh, data: { practiceId: 'p', reference: 'r', version: 1 } } }), /only allowed on the evidence pack card/],
    ['a javascript: link', (c) => ((c.actions as Json[])[0]!.url = 'javascript:alert(1)'), /not http\(s\)/],
  ];
  it.each(broken)('the checker catches %s', (_, breakIt, expected) => {
    const card = structuredClone(evidencePackCard(PACK));
    breakIt(card);
    expect(problems(card, { openUrl: PACK.url }).join('\n')).toMatch(expected);
  });
});
