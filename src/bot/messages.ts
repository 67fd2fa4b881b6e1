import { londonClock } from '../domain/ukTime.ts';

/**
 * Everything the bot says in plain chat, in one place so the tone stays the same: short, calm,
 * and never repeating what the post said.
 */
export const SAY = {
  welcome:
    "Hello, I'm Postwatch. If you see a social media post about the practice or a colleague that is abusive, threatening, untrue or a complaint, type **report a post** and I'll take you through it. Type **my reports** to see what you have reported.",
  didNotUnderstand: "Sorry, I didn't understand that. Type **report a post** to report a post, or **help** to see what I can do.",
  noWorkAccount: 'Postwatch works only with a Teams work account. Please use Teams signed in with your practice account.',
  unknownPractice:
    "I don't know which practice you work for yet. Write **report a post** to me once in your practice's Teams channel (with @Postwatch), or ask your practice manager to add you.",
  teamNotLinked:
    'This team is not linked to a practice in Postwatch yet. Please ask your practice manager to set it up.',
  sentPrivately: "I've sent you a private message.",
  newReportBelow: 'A new report has started below. Your earlier confirmation and its reference stay as they were.',
  couldNotMessagePrivately:
    "I couldn't message you privately. Open a chat with Postwatch (search for it under Apps in Teams) and type **report a post** there.",
  screenshotsPrivately: 'Please send screenshots to me in our private chat, not here, so the post is not shared more widely.',
  screenshotWithoutReport: 'To keep a screenshot, first type **report a post**, then send the screenshot while your report is open.',
  screenshotsTooManyInOneMessage:
    'I can take up to 20 screenshots in one message, so I kept none of these. Please send them again, at most 20 at a time.',
  /** One answer per message: what was kept and what was not, the same words whatever went wrong. */
  screenshotsReceived: (r: { kept: string[]; notKept: string[]; reportFull: number }) => {
    const parts: string[] = [];
    const kept = r.kept.length;
    if (kept > 0) {
      parts.push(`Saved ${kept === 1 ? 'your screenshot' : `${kept} screenshots`} with your report (fingerprint ${r.kept.map((h) => h.slice(0, 12)).join(', ')}).`);
    }
    const lost = r.notKept.length;
    if (lost > 0) {
      const shown = r.notKept.slice(0, 3).map((n) => `"${n.replace(/[*_`[\]<>#"]/g, '')}"`).join(', ');
      const more = lost > 3 ? ` and ${lost - 3} more` : '';
      parts.push(
        `${lost} could not be saved (${shown}${more}): please send ${lost === 1 ? 'it' : 'them'} again as ${lost === 1 ? 'an image' : 'images'} (PNG, JPEG, GIF or WebP), or tick "I have no screenshot" on the card.`,
      );
    }
    if (r.reportFull > 0) parts.push(`${r.reportFull} not added: a report can hold up to 20 screenshots.`);
    if (kept > 0) parts.push('Send more, or carry on with the card.');
    return parts.join(' ');
  },
  registerOnlyForDeciders:
    'The register of open incidents is for the practice manager, deputy and Data Protection Officer. Type **my reports** to see the posts you have reported.',
  incidentInPrivate: 'Incident details are shown only in a private chat: write "incident PW-…" to me there.',
  setupInChannel: 'Set-up commands work in the practice team\'s channel: @Postwatch use this channel for incident review, or @Postwatch add deputy @name.',
  useChannelOnlyInChannel: 'Write this in the channel that should receive incident cards.',
  roleUsage: 'Say who, with one @mention: for example "@Postwatch add deputy @Sam Jones" (roles: manager, deputy, dpo).',
  roleMemberUnknown: 'I could not look up that person in this team. Check they are a member of the team.',
  incidentUsage: 'Type the reference too, for example: incident PW-2026-0042',
  summaryOnlyForDeciders: 'The summary is for the practice manager, deputy and Data Protection Officer.',
  exportOnlyForDeciders: 'The register export is for the practice manager, deputy and Data Protection Officer.',
  registerExportLink: (practiceName: string, period: string, url: string, expiresAt: Date) =>
    `The register of ${practiceName} (${period}) as a spreadsheet: ${url}\n\nIt lists each incident's dates, platform, categories, severity, status, decision and outcome, without post text or names. The link is for you only and stops working at ${londonClock(expiresAt)}.`,
  requestsOnlyForManagersAndDpo: 'Subject access and erasure requests are answered by the practice manager or the Data Protection Officer.',
  subjectAccessLink: (id: string, subject: string, dueAt: string, url: string, expiresAt: Date) =>
    `Subject access request ${id} about "${subject}" is recorded. It must be answered by ${dueAt} (one month, UK GDPR); your Data Protection Officer is reminded a week before.\n\nEverything Postwatch holds about them, across the practice's incidents: ${url}\n\nNothing has been removed: other people's names are marked "third-party" and free text "review", for redaction before anything is disclosed. The link works once, for you only, until ${londonClock(expiresAt)}. When the request is answered, type "subject access answered ${id}".`,
  erasureRecorded: (id: string, subject: string, dueAt: string, references: string[]) =>
    [
      `Erasure request ${id} about "${subject}" is recorded; the decision is due by ${dueAt}.`,
      references.length === 0 ? 'Postwatch holds nothing that names them.' : `They appear in: ${references.join(', ')}.`,
      "Why these records are kept: incident records are kept for the periods of the Records Management Code of Practice 2021 (updated 2023): 10 years from closure, 20 for serious incidents. The right to erasure does not apply where keeping a record is needed to comply with a legal obligation or for legal claims (UK GDPR Art. 17(3)(b) and (e)), so most requests are refused with that explanation. Postwatch deletes each record itself when its period ends.",
      `The Data Protection Officer decides and records it: "erasure decision ${id}: <decision and why>". If an incident must go before its date, the DPO types "incident PW-… delete early: <reason>"; it leaves a tombstone in the audit trail.`,
    ].join('\n\n'),
  askInPrivate: (command: string) => `Ask me "${command}" in our private chat.`,
  openedPrivately: 'I am sending that incident to our private chat.',
  openNeedsPrivateChat: 'Open a private chat with Postwatch first (say "help" to me there), then press Open again.',
  packSentPrivately: 'I have sent you the evidence pack link in our private chat.',
  packNeedsPrivateChat: 'Open a private chat with Postwatch first (say "help" to me there), then ask for the evidence pack again.',
  reportStillSaving:
    'Saving is taking longer than usual. It carries on by itself: press the same button again in a moment to see where you are. Nothing will be sent twice.',
  stillWorking: 'Saving this is taking longer than usual. It will finish on its own, and the card will update when it has: no need to press again.',
  cardNotUnderstood: 'Sorry, I could not read that button press. Type **report a post** to carry on with your report.',
  busy: 'Many reports are being saved at this moment, so this one has NOT been saved yet. Your answers are still on the card: please press the button again. If anyone is in immediate danger, call 999.',
  storageDown:
    'Postwatch could not reach its storage, so this step has NOT been saved yet. Your answers are still on the card: please press the button again in a minute. If anyone is in immediate danger, call 999.',
  storageDownMessage:
    'Postwatch could not reach its storage just now, so nothing was saved. Please try again in a minute. If anyone is in immediate danger, call 999.',
  somethingWentWrong:
    'Sorry, something went wrong on our side and this step was not saved. Your answers are still on the card: please press the button again.',
  somethingWentWrongMessage: 'Sorry, something went wrong on our side. Please try again; your unfinished report is kept.',
} as const;
