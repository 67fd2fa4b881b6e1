import { isValidNhsNumber } from '../../nhs-number.ts';
import type { Findings, Span } from './shared.ts';

/**
 * Personal data in numbers and addresses: email addresses (also written "name at domain dot
 * com"), NHS numbers and phone numbers however they are grouped or spelled (the normalised text
 * already reads digits of any script and spelled digits), postcodes and street addresses. The
 * practice's own phone number and email address are allowed: a reply invites direct contact.
 */

export interface PracticeContact {
  phone?: string;
  email?: string;
}

const TLD = '(?:com|net|org|uk|co|io|gov|nhs|me|info|biz|ac|edu|eu|ie|de|fr|app|online|email|mail|scot|wales)';
const DOT = '(?:\\s*\\.\\s*|\\s*[\\[({<]\\s*(?:dot|\\.)\\s*[\\])}>]\\s*|\\s+dot\\s+)';
const AT = '(?:\\s*@\\s*|\\s*[\\[({<]\\s*(?:at|@)\\s*[\\])}>]\\s*|\\s+at\\s+)';
const LABEL = '[a-z0-9][a-z0-9_%+-]*';
const EMAIL = new RegExp(`(?<![a-z0-9._%+-])${LABEL}(?:${DOT}${LABEL})*${AT}${LABEL}(?:${DOT}${LABEL})*${DOT}${TLD}(?![a-z0-9])`, 'gi');

const NOT_A_MAILBOX = new Set(['us', 'me', 'you', 'them', 'him', 'her', 'it', 'here', 'there', 'online', 'home', 'work', 'look', 'visit', 'website', 'site', 'page', 'found', 'available', 'surgery', 'practice']);

function canonicalEmail(text: string): string {
  return text
    .toLowerCase()
    .replace(/\s*[\[({<]\s*(?:dot|\.)\s*[\])}>]\s*|\s+dot\s+/g, '.')
    .replace(/\s*[\[({<]\s*(?:at|@)\s*[\])}>]\s*|\s+at\s+/g, '@')
    .replace(/\s+/g, '');
}

/** "sarah at gmail", "jo @ hotmail": a mailbox at a well-known provider, even without its ending. */
const WEBMAIL = new RegExp(`(?<![a-z0-9._%+-])${LABEL}(?:${DOT}${LABEL})*${AT}(?:gmail|googlemail|hotmail|outlook|yahoo|icloud|btinternet|aol|protonmail|proton|live|msn|sky|virginmedia|talktalk|nhs\\s*(?:dot\\s*|\\.\\s*)?net)(?![a-z0-9])`, 'gi');

export function emailRule(text: string, practice: PracticeContact, findings: Findings): Span[] {
  const own = practice.email ? canonicalEmail(practice.email) : undefined;
  const claimed: Span[] = [];
  for (const m of text.matchAll(EMAIL)) {
    const span = { start: m.index, end: m.index + m[0].length };
    claimed.push(span);
    // "visit us at www.example.co.uk" is a website, not an address.
    const [local = '', domain = ''] = canonicalEmail(m[0]).split('@');
    if (NOT_A_MAILBOX.has(local) || domain.startsWith('www.')) continue;
    if (own && canonicalEmail(m[0]) === own) continue;
    findings.add('email-address', 'blocking', span.start, span.end, (q) =>
      `${q} is an email address that is not the practice's own. A reply must not carry personal data; give only the practice's address.`);
  }
  for (const m of text.matchAll(WEBMAIL)) {
    const span = { start: m.index, end: m.index + m[0].length };
    const [local = ''] = canonicalEmail(m[0]).split('@');
    if (NOT_A_MAILBOX.has(local) || (own && own.startsWith(canonicalEmail(m[0])))) continue;
    if (claimed.some((c) => c.start < span.end && span.start < c.end)) continue;
    claimed.push(span);
    findings.add('email-address', 'blocking', span.start, span.end, (q) =>
      `${q} is an email address that is not the practice's own. A reply must not carry personal data; give only the practice's address.`);
  }
  return claimed;
}

/** Digits with up to three separators between them (spaces, dots, slashes, dashes, brackets). */
const DIGIT_RUN = /\+?\(?\d(?:[\s.\/\-_()*|~#:,]{0,3}\d)*/g;

export function phoneDigits(phone: string): string {
  let digits = phone.replace(/\D/g, '');
  const international = phone.trim().startsWith('+') || digits.startsWith('00');
  if (digits.startsWith('0044')) digits = digits.slice(4);
  else if (international && digits.startsWith('44')) digits = digits.slice(2);
  else return digits;
  return `0${digits.replace(/^0/, '')}`;
}

export function numberRule(text: string, practice: PracticeContact, claimed: readonly Span[], findings: Findings): void {
  const own = practice.phone ? phoneDigits(practice.phone) : undefined;
  for (const m of text.matchAll(DIGIT_RUN)) {
    const raw = m[0].replace(/[\s.\/\-_(]+$/, '');
    const start = m.index;
    const end = start + raw.length;
    if (claimed.some((c) => c.start < end && start < c.end)) continue;
    const digits = raw.replace(/\D/g, '');
    if (digits.length < 8) continue;
    const asPhone = phoneDigits(raw);
    if (own && asPhone === own) continue;
    if (digits.length === 10 && isValidNhsNumber(digits)) {
      findings.add('nhs-number', 'blocking', start, end, (q) =>
        `${q} is an NHS number (it passes the modulus-11 check). A reply must not carry personal data.`);
    } else if (looksLikePhone(raw, digits) && !isOrganisationNumber(digits)) {
      findings.add('phone-number', 'blocking', start, end, (q) =>
        `${q} is a phone number that is not the practice's own. A reply must not carry personal data; give only the practice's number.`);
    } else {
      findings.add('long-number', 'advisory', start, end, (q) =>
        `${q} is a long number: make sure it is not personal data (an NHS number, phone number or reference).`);
    }
  }
}

/**
 * 03 numbers are for public bodies and charities, 0800 and 0808 are freephone: NHS England, a
 * helpline, the ICB. Nobody's own phone is one, so signposting to them is general information.
 */
function isOrganisationNumber(digits: string): boolean {
  return /^(?:03\d{9}|080[08]\d{6,7})$/.test(digits);
}

function looksLikePhone(raw: string, digits: string): boolean {
  if (raw.startsWith('+') || digits.startsWith('00')) return digits.length >= 10 && digits.length <= 15;
  if (digits.startsWith('0')) return digits.length === 10 || digits.length === 11;
  // a UK mobile written without its leading 0 ("7700 900123")
  return digits.length === 10 && digits.startsWith('7');
}

/** UK postcodes ("S66 1AB", "sw1a 1aa") and street addresses ("12 Elm Road", "Flat 3"). */
const POSTCODE = /(?<![\p{L}\p{N}])[A-Z]{1,2}\d[A-Z\d]?\s*\d[A-Z]{2}(?![\p{L}\p{N}])/giu;
const STREET_NAME = "(?:\\p{Lu}[\\p{L}'-]+\\s+){1,3}(?:Road|Rd|Street|St|Lane|Ln|Avenue|Ave|Close|Drive|Way|Crescent|Court|Place|Grove|Gardens|Terrace|Walk|View|Rise|Mews|Square|Row|Park|Green|Hill|Parade|Fold|Croft|Meadow|Meadows|Vale|Bank)";
/** A house number, also spelled ("twenty-two Church Lane"). */
const HOUSE_NUMBER = '(?:\\d{1,4}[a-z]?|(?:[Tt]wenty|[Tt]hirty|[Ff]orty|[Ff]ifty|[Ss]ixty|[Ss]eventy|[Ee]ighty|[Nn]inety)(?:[\\s-](?:one|two|three|four|five|six|seven|eight|nine))?|[Oo]ne|[Tt]wo|[Tt]hree|[Ff]our|[Ff]ive|[Ss]ix|[Ss]even|[Ee]ight|[Nn]ine|[Tt]en|[Ee]leven|[Tt]welve)';
const STREET = new RegExp(
  `(?<![\\p{L}\\p{N}])(?:${HOUSE_NUMBER},?\\s+${STREET_NAME}|(?:[Ff]lat|[Aa]partment|[Aa]pt)\\.?\\s+\\d{1,4}[a-z]?|` +
    // "your flat on Ecclesall Road": someone's home placed on a street
    `(?:[Yy]our|[Hh]is|[Hh]er|[Tt]heir|[Uu]r)\\s+(?:flat|house|home|place|address|bungalow|care home)\\s+(?:on|in|at|off)\\s+${STREET_NAME})(?![\\p{L}\\p{N}])`,
  'gu',
);

const OWN_ADDRESS = /(?:(?:our|the)\s+(?:surgery|practice|building|centre|branch|site|main site|address|premises|car park)(?:'s address)?|we(?:'re|\s+are)(?:\s+now)?|we\s+have\s+moved|we(?:'ve|\s+have)\s+moved|find\s+us)(?:\s+(?:is|are|has\s+moved|located|based|now|situated))*\s+(?:at|on|to|in)?\s*$/i;

export function addressRule(text: string, findings: Findings): Span[] {
  const claimed: Span[] = [];
  for (const re of [POSTCODE, STREET]) {
    for (const m of text.matchAll(re)) {
      const span = { start: m.index, end: m.index + m[0].length };
      claimed.push(span);
      if (findings.overlaps(span, ['home-address'])) continue;
      // The practice's own address ("our surgery is at 2 Station Road") is not personal data.
      if (OWN_ADDRESS.test(text.slice(Math.max(0, span.start - 40), span.start))) continue;
      findings.add('home-address', 'blocking', span.start, span.end, (q) =>
        `${q} is part of an address. A reply must not carry personal data.`);
    }
  }
  return claimed;
}
