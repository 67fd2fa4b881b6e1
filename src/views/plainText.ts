/**
 * Teams renders a subset of Markdown (and a little HTML) in TextBlock and FactSet text. Anything
 * that did not come from our own templates — a post, a name, a link, a reason, a file name, a
 * message from the bot — goes through here before it is shown, so that it renders literally:
 * no links, emphasis, headings, lists, quotes, code, mentions (<at>) or HTML.
 *
 * Input `value`s are not Markdown-rendered: never pass them through this (the backslashes would
 * end up in the person's answer).
 */

/** Characters that mean something anywhere in a line (CommonMark backslash escapes). */
const INLINE = /[\\`*_[\]<>~|&]/g;
/** Markers that only mean something at the start of a line: heading, list, setext underline. */
const LINE_START_MARKER = /^(\s*)([#+\-=])/;
/** An ordered list item: "1. text" or "1) text". */
const LINE_START_NUMBER = /^(\s*\d+)([.)])/;

export function plainText(value: unknown): string {
  const text = typeof value === 'string' ? value : value === undefined || value === null ? '' : String(value);
  return text
    .replace(/\r\n?/g, '\n')
    .replace(INLINE, '\\$&')
    .split('\n')
    .map((line) => line.replace(LINE_START_MARKER, '$1\\$2').replace(LINE_START_NUMBER, '$1\\$2'))
    .join('\n');
}
