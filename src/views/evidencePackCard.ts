import { londonDateTime } from './format.ts';
import { plainText } from './plainText.ts';
import { type CardJson, expandCard } from './templates.ts';

/** The evidence pack's download card (a short-lived link for one person). */

export interface EvidencePackCardOptions {
  reference: string;
  /** The short-lived signed link the bot serves; never anything a person typed. */
  url: string;
  expiresAt: Date;
  /** The pack's SHA-256 (64 hex characters), or a note saying where the hashes are. */
  sha256: string;
  fileName: string;
}

/**
 * The link to one incident's evidence pack, for the decider who asked (the only card with an
 * Action.OpenUrl). Answered to that person's own action; it never goes to a channel.
 */
export function evidencePackCard(opts: EvidencePackCardOptions): CardJson {
  const url = downloadUrl(opts.url);
  const expires = Number.isNaN(opts.expiresAt.getTime()) ? 'unknown time' : londonDateTime(opts.expiresAt.toISOString());
  const hex = opts.sha256.trim().toLowerCase();
  const isHash = /^[0-9a-f]{64}$/.test(hex);
  return expandCard('evidencePack', {
    reference: plainText(opts.reference),
    fileName: plainText(opts.fileName),
    expires,
    hashLabel: isHash ? 'SHA-256 of the pack' : 'SHA-256 hashes',
    sha256: isHash ? hex : plainText(opts.sha256),
    about: isHash
      ? 'The pack holds the incident, its full audit trail and every evidence file with its SHA-256 hash, with a readable summary. Check that the file you download has the hash above.'
      : 'The pack holds the incident, its full audit trail and every evidence file with its SHA-256 hash, with a readable summary.',
    warning: `This link is for you only, works once and stops working at ${expires}. Do not forward it; the pack contains personal data.`,
    url,
  });
}

/** An absolute http(s) link, or the binder refuses: anything else is a bug in the caller. */
export function downloadUrl(raw: string): string {
  let parsed: URL;
  try {
    parsed = new URL(raw);
  } catch {
    throw new Error('evidencePackCard: the download link is not a URL');
  }
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new Error('evidencePackCard: the download link must be http(s)');
  return parsed.href;
}
