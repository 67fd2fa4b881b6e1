import { londonDateTime } from './format.ts';
import { plainText } from './plainText.ts';
import { DIGEST_VERBS } from '../contract/cards.ts';

/**
 * "N new incidents" for the review channel when more cards are waiting for it than Teams lets one
 * conversation take quickly (about 7 messages a second, 60 in 30 s): one card with a line per
 * incident, each with "Open privately", which sends that incident's own card to the presser's 1:1
 * chat. A line shows no more than the channel's own card would: reference, severity, platform,
 * when. No text anyone typed.
 */
export interface DigestLine {
  practiceId: string;
  reference: string;
  /** Severity id once graded ("high"), else undefined. */
  severity?: string;
  platformLabel: string;
  reportedAt: string;
  urgent: boolean;
}

/** Lines beyond this are counted, not listed (the card stays well under Teams' 28 KB). */
export const DIGEST_MAX_LINES = 30;

export function digestCard(lines: readonly DigestLine[], options: { practiceName: string }): object {
  const shown = lines.slice(0, DIGEST_MAX_LINES);
  const more = lines.length - shown.length;
  return {
    type: 'AdaptiveCard',
    $schema: 'http://adaptivecards.io/schemas/adaptive-card.json',
    version: '1.5',
    body: [
      { type: 'TextBlock', text: `${lines.length} new incidents`, weight: 'Bolder', size: 'Large', wrap: true },
      {
        type: 'TextBlock',
        text: plainText(`${options.practiceName}: several reports arrived at once, so they are listed here together. Open one to get its card in your private chat with Postwatch.`),
        wrap: true,
        isSubtle: true,
      },
      ...shown.map((line) => ({
        type: 'Container',
        separator: true,
        ...(line.urgent ? { style: 'attention' } : {}),
        items: [
          {
            type: 'TextBlock',
            text: `${line.urgent ? 'URGENT · ' : ''}${line.reference} · ${line.severity ?? 'being graded'}`,
            weight: 'Bolder',
            wrap: true,
          },
          { type: 'TextBlock', text: plainText(`${line.platformLabel} · reported ${londonDateTime(line.reportedAt)}`), wrap: true, spacing: 'None' },
          {
            type: 'ActionSet',
            actions: [{ type: 'Action.Execute', title: `Open ${line.reference} privately`, verb: DIGEST_VERBS.open, data: { practiceId: line.practiceId, reference: line.reference } }],
          },
        ],
      })),
      ...(more > 0 ? [{ type: 'TextBlock', text: `And ${more} more: type "open incidents" in your private chat with Postwatch.`, wrap: true }] : []),
    ],
  };
}
