import type { IncomingHttpHeaders, IncomingMessage } from 'node:http';
import { z } from 'zod';

/**
 * What /api/messages accepts on the wire, decided from the headers before a byte of the body is
 * read, and the body itself read with a hard cap on real bytes and a deadline. Nothing is inflated,
 * nothing written to disk: the body is either a small UTF-8 JSON text in memory or refused.
 */

export interface Refusal {
  status: 400 | 401 | 408 | 413 | 415;
  error: string;
}

/** `application/json`, optionally with `charset=utf-8` and nothing else. */
export function contentRefusal(headers: IncomingHttpHeaders, maxBytes: number): Refusal | undefined {
  const encoding = (headers['content-encoding'] ?? '').trim().toLowerCase();
  // Compressed bodies are refused rather than inflated: a 200 KB gzip can inflate to 200 MB.
  if (encoding !== '' && encoding !== 'identity') return { status: 415, error: 'content-encoding not accepted: send uncompressed JSON' };
  if (!isJsonUtf8(headers['content-type'])) return { status: 415, error: 'only application/json is accepted' };
  const declared = headers['content-length'];
  if (declared !== undefined && !/^\d+$/.test(declared)) return { status: 400, error: 'bad content-length' };
  if (declared !== undefined && Number(declared) > maxBytes) return { status: 413, error: 'request body too large' };
  return undefined;
}

function isJsonUtf8(contentType: string | undefined): boolean {
  if (!contentType) return false;
  const [type, ...params] = contentType.split(';').map((part) => part.trim().toLowerCase());
  if (type !== 'application/json') return false;
  return params.every((param) => param === '' || /^charset=("?)utf-8\1$/.test(param));
}

/** Only a Bearer token shaped like a JWT (three base64url parts) is worth validating at all. */
export function looksLikeBearerJwt(authorization: string | undefined): boolean {
  return typeof authorization === 'string' && authorization.length <= 8_192 && /^Bearer [A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+$/.test(authorization);
}

export type BodyRead = { ok: true; bytes: Buffer } | { ok: false; refusal: Refusal };

/**
 * Reads the raw body into memory, counting the bytes that actually arrive (a missing or false
 * content-length changes nothing). Past `maxBytes`, or after `timeoutMs`, reading stops and the
 * caller answers 413 / 408 and closes the connection.
 */
export function readBody(req: IncomingMessage, limits: { maxBytes: number; timeoutMs: number }): Promise<BodyRead> {
  return new Promise((resolve) => {
    const chunks: Buffer[] = [];
    let size = 0;
    const finish = (result: BodyRead) => {
      clearTimeout(timer);
      req.off('data', onData);
      req.off('end', onEnd);
      req.off('error', onError);
      req.off('aborted', onError);
      // Whatever still arrives is dropped unread; an error after this point must not go unheard.
      req.on('error', () => undefined);
      if (!result.ok) req.pause();
      resolve(result);
    };
    const onData = (chunk: Buffer) => {
      size += chunk.length;
      if (size > limits.maxBytes) finish({ ok: false, refusal: { status: 413, error: 'request body too large' } });
      else chunks.push(chunk);
    };
    const onEnd = () => finish({ ok: true, bytes: Buffer.concat(chunks, size) });
    const onError = () => finish({ ok: false, refusal: { status: 400, error: 'request body not received' } });
    const timer = setTimeout(() => finish({ ok: false, refusal: { status: 408, error: 'request body too slow' } }), limits.timeoutMs);
    req.on('data', onData);
    req.on('end', onEnd);
    req.on('error', onError);
    req.on('aborted', onError);
  });
}

/** The body as JSON, or undefined when it is not UTF-8 JSON text. */
export function parseJson(bytes: Buffer): { ok: true; value: unknown } | { ok: false } {
  try {
    const text = new TextDecoder('utf-8', { fatal: true }).decode(bytes);
    return { ok: true, value: JSON.parse(text) };
  } catch {
    return { ok: false };
  }
}

/** A text field botbuilder reads: absent, null or a string. */
const text = z.string().nullish();

/** Who sent or receives an activity, and the conversation: objects whose ids botbuilder reads as text. */
const party = z
  .looseObject({ id: text, name: text, aadObjectId: text, role: text, conversationType: text, tenantId: text })
  .nullish();

const objects = z.array(z.looseObject({})).nullish();

/**
 * The parts of an activity botbuilder relies on, each of the type it assumes; anything else passes
 * as it came (botbuilder and the bot read it as untrusted data). Checked after authentication, on
 * the parsed JSON, so a malformed activity is the sender's 400 rather than botbuilder's 500.
 */
const activityEnvelope = z.looseObject({
  type: z.string().min(1),
  serviceUrl: z.string().regex(/^https?:\/\/[^/]/i),
  channelId: text,
  id: text,
  name: text,
  text,
  replyToId: text,
  locale: text,
  timestamp: text,
  localTimestamp: text,
  expiration: text,
  from: party,
  recipient: party,
  conversation: party,
  channelData: z.looseObject({}).nullish(),
  attachments: objects,
  entities: objects,
  membersAdded: objects,
  membersRemoved: objects,
});

/** The first field of the activity that is missing or of the wrong type ("from.id"; "body" for a non-object), if any. */
export function activityProblem(body: unknown): string | undefined {
  const parsed = activityEnvelope.safeParse(body);
  if (parsed.success) return undefined;
  const path = parsed.error.issues[0]?.path ?? [];
  return path.length === 0 ? 'body' : path.map(String).join('.');
}
