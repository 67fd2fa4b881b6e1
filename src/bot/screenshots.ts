import type { Attachment } from 'botbuilder';

/**
 * Screenshots arrive in two shapes: an image pasted into the chat (a contentUrl on the Bot
 * Framework connector, which wants the bot's token) and a file uploaded in 1:1 chat (a short-lived
 * pre-authorised downloadUrl). Both are fetched at once: posts and links disappear.
 */

export const MAX_SCREENSHOT_BYTES = 10 * 1024 * 1024;
const DOWNLOAD_TIMEOUT_MS = 15_000;
const FILE_DOWNLOAD_INFO = 'application/vnd.microsoft.teams.file.download.info';
const IMAGE_EXTENSIONS: Record<string, string> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  gif: 'image/gif',
  webp: 'image/webp',
};

export interface ScreenshotSource {
  url: string;
  fileName: string;
  contentType: string;
  /** Whether the URL is the connector's and needs the bot's bearer token. */
  needsBotToken: boolean;
}

export type Download =
  | { ok: true; fileName: string; contentType: string; bytes: Buffer }
  | { ok: false; fileName: string; reason: string };

/** The attachments of a message that can be screenshots; Teams' own text/html copy is skipped. */
export function screenshotSources(attachments: Attachment[] | undefined, serviceUrl: string): {
  sources: ScreenshotSource[];
  refused: string[];
} {
  const sources: ScreenshotSource[] = [];
  const refused: string[] = [];
  for (const [i, a] of (attachments ?? []).entries()) {
    if (a.contentType === 'text/html') continue;
    if (a.contentType === FILE_DOWNLOAD_INFO) {
      const content = (a.content ?? {}) as { downloadUrl?: unknown; fileType?: unknown };
      const ext = typeof content.fileType === 'string' ? content.fileType.toLowerCase() : '';
      const contentType = IMAGE_EXTENSIONS[ext];
      const fileName = safeFileName(a.name, i, ext || 'bin');
      if (!contentType || typeof content.downloadUrl !== 'string' || !isHttps(content.downloadUrl)) {
        refused.push(fileName);
        continue;
      }
      sources.push({ url: content.downloadUrl, fileName, contentType, needsBotToken: false });
      continue;
    }
    if (a.contentType?.startsWith('image/') && typeof a.contentUrl === 'string') {
      const ext = a.contentType.slice('image/'.length).replace('jpeg', 'jpg');
      const fileName = safeFileName(a.name, i, ext);
      if (!Object.values(IMAGE_EXTENSIONS).includes(a.contentType) && a.contentType !== 'image/*') {
        refused.push(fileName);
        continue;
      }
      sources.push({
        url: a.contentUrl,
        fileName,
        contentType: a.contentType === 'image/*' ? 'application/octet-stream' : a.contentType,
        needsBotToken: isConnectorUrl(a.contentUrl, serviceUrl),
      });
      continue;
    }
    refused.push(safeFileName(a.name, i, 'file'));
  }
  return { sources, refused };
}

/**
 * The bot's token goes only to the connector that sent the activity (or Microsoft's own Teams
 * hosts), never to an arbitrary URL someone put in an attachment.
 */
export function isConnectorUrl(url: string, serviceUrl: string): boolean {
  try {
    const target = new URL(url);
    const service = new URL(serviceUrl);
    if (target.origin === service.origin) return true;
    if (target.protocol !== 'https:') return false;
    return /(^|\.)(botframework\.com|trafficmanager\.net|teams\.microsoft\.com|skype\.com)$/i.test(target.hostname);
  } catch {
    return false;
  }
}

export async function downloadScreenshot(source: ScreenshotSource, botToken: string | undefined): Promise<Download> {
  const headers: Record<string, string> = {};
  if (source.needsBotToken && botToken) headers.authorization = `Bearer ${botToken}`;
  let response: Response;
  try {
    response = await fetch(source.url, { headers, redirect: 'follow', signal: AbortSignal.timeout(DOWNLOAD_TIMEOUT_MS) });
  } catch {
    return { ok: false, fileName: source.fileName, reason: 'Teams did not let me download it in time' };
  }
  if (!response.ok) return { ok: false, fileName: source.fileName, reason: `Teams refused the download (${response.status})` };
  const declared = Number(response.headers.get('content-length') ?? '0');
  if (declared > MAX_SCREENSHOT_BYTES) return { ok: false, fileName: source.fileName, reason: 'it is larger than 10 MB' };

  const bytes = await readLimited(response, MAX_SCREENSHOT_BYTES);
  if (!bytes) return { ok: false, fileName: source.fileName, reason: 'it is larger than 10 MB' };
  const sniffed = imageType(bytes);
  if (!sniffed) return { ok: false, fileName: source.fileName, reason: 'it is not a PNG, JPEG, GIF or WebP image' };
  return { ok: true, fileName: source.fileName, contentType: sniffed, bytes };
}

async function readLimited(response: Response, limit: number): Promise<Buffer | undefined> {
  if (!response.body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let total = 0;
  for await (const chunk of response.body as unknown as AsyncIterable<Uint8Array>) {
    total += chunk.byteLength;
    if (total > limit) return undefined;
    chunks.push(Buffer.from(chunk));
  }
  return Buffer.concat(chunks);
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

function safeFileName(name: string | undefined, index: number, ext: string): string {
  const cleaned = (name ?? '').replace(/[^\w.\- ]+/g, '_').slice(0, 100).trim();
  return cleaned || `screenshot-${index + 1}.${ext}`;
}

function isHttps(url: string): boolean {
  try {
    return new URL(url).protocol === 'https:';
  } catch {
    return false;
  }
}
