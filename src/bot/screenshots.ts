import type { Attachment } from 'botbuilder';
import type { SourceKind } from './download/hosts.ts';

/**
 * Screenshots arrive in two shapes: an image pasted into the chat (a contentUrl on the Bot
 * Framework connector, which wants the bot's token) and a file uploaded in 1:1 chat (a short-lived
 * pre-authorised downloadUrl on SharePoint or OneDrive, which gets no token). Both are fetched at
 * once: posts and links disappear. Fetching itself is in download/safeFetch.ts.
 */

/** Screenshots one message may carry; more are refused before anything is downloaded. */
export const MAX_SCREENSHOTS_PER_MESSAGE = 20;
/** Bytes one message may bring in, all its screenshots together (each is at most 10 MB). */
export const MAX_MESSAGE_BYTES = 40 * 1024 * 1024;

const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';
const IMAGE_EXTENSIONS: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};
const IMAGE_TYPES = new Set([...Object.values(IMAGE_EXTENSIONS), 'image/*']);

export interface ScreenshotSource {
  url: string;
  fileName: string;
  kind: SourceKind;
}

/** What a message brings: nothing, too many files to look at, or files sorted into fetchable and not. */
export type Arrival =
  | { kind: 'none' }
  | { kind: 'too-many' }
  | { kind: 'files'; sources: ScreenshotSource[]; refused: string[] };

/**
 * The attachments of a message that can be screenshots; Teams' own text/html copy is skipped.
 * They are counted before anything else is looked at: a message with thousands of attachments
 * costs one pass and gets one answer.
 */
export function screenshotArrival(attachments: unknown): Arrival {
  if (!Array.isArray(attachments)) return { kind: 'none' };
  let count = 0;
  for (const a of attachments) if (!isTeamsHtmlCopy(a) && ++count > MAX_SCREENSHOTS_PER_MESSAGE) return { kind: 'too-many' };
  if (count === 0) return { kind: 'none' };

  const sources: ScreenshotSource[] = [];
  const refused: string[] = [];
  for (const [i, a] of (attachments as unknown[]).entries()) {
    if (isTeamsHtmlCopy(a)) continue;
    const source = sourceOf(a as Partial<Attachment> | null, i);
    if (typeof source === 'string') refused.push(source);
    else sources.push(source);
  }
  return { kind: 'files', sources, refused };
}

/** A source to fetch, or the file name to report as not kept. */
function sourceOf(a: Partial<Attachment> | null, index: number): ScreenshotSource | string {
  if (!a || typeof a !== 'object') return safeFileName(undefined, index, 'file');
  if (a.contentType === FILE_DOWNLOAD_INFO) {
    const content = (a.content ?? {}) as { downloadUrl?: unknown; fileType?: unknown };
    const ext = typeof content.fileType === 'string' ? content.fileType.toLowerCase() : '';
    const fileName = safeFileName(a.name, index, IMAGE_EXTENSIONS[ext] ? ext : 'file');
    if (!IMAGE_EXTENSIONS[ext] || typeof content.downloadUrl !== 'string') return fileName;
    return { url: content.downloadUrl, fileName, kind: 'file' };
  }
  if (typeof a.contentType === 'string' && IMAGE_TYPES.has(a.contentType) && typeof a.contentUrl === 'string') {
    const ext = a.contentType === 'image/*' ? 'png' : a.contentType.slice('image/'.length).replace('jpeg', 'jpg');
    return { url: a.contentUrl, fileName: safeFileName(a.name, index, ext), kind: 'connector' };
  }
  return safeFileName(a.name, index, 'file');
}

function isTeamsHtmlCopy(a: unknown): boolean {
  return !!a && typeof a === 'object' && (a as { contentType?: unknown }).contentType === 'text/html';
}

/** What the bytes really are: the declared type of an attachment is not trusted. */
export function imageType(bytes: Buffer): string | undefined {
  if (bytes.length >= 8 && bytes.subarray(0, 8).equals(Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]))) return 'image/png';
  if (bytes.length >= 3 && bytes[0] === 0xff && bytes[1] === 0xd8 && bytes[2] === 0xff) return 'image/jpeg';
  if (bytes.length >= 6 && (bytes.subarray(0, 6).toString('latin1') === 'GIF87a' || bytes.subarray(0, 6).toString('latin1') === 'GIF89a'))
    return 'image/gif';
  if (bytes.length >= 12 && bytes.subarray(0, 4).toString('latin1') === 'RIFF' && bytes.subarray(8, 12).toString('latin1') === 'WEBP')
    return 'image/webp';
  return undefined;
}

function safeFileName(name: unknown, index: number, ext: string): string {
  const cleaned = (typeof name === 'string' ? name : '').replace(/[^\w.\- ]+/g, '_').slice(0, 100).trim();
  return cleaned || `screenshot-${index + 1}.${ext}`;
}
