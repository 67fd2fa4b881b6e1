/** How dates, sizes and hashes read on the cards: UK style, Europe/London time. */

export { londonDateTime, wallClock } from '../domain/ukTime.ts';

export { fileSize } from '../domain/fileSize.ts';

/** Enough of a SHA-256 to compare by eye with the stored evidence (first 12 hex characters). */
export function shortHash(sha256: string): string {
  return sha256.toLowerCase().replace(/[^0-9a-f]/g, '').slice(0, 12);
}

/**
 * A link as shown on a card: a zero-width space after each "/", "?", "&" and "=" lets a long link
 * wrap on a phone instead of running off the card. Only what is shown; the record keeps the link.
 */
export function wrappableLink(shown: string): string {
  return shown.replace(/([/?&=])(?=[^\s\u200b])/g, '$1\u200b');
}
