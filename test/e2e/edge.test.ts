import { mkdtemp, readdir, readFile, rm } from 'node:fs/promises';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createGzip, deflateSync, brotliCompressSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { MAX_REQUEST_BYTES } from '../../src/server.ts';
import { startStorage, teamsActivity, cardInvoke, LEAK } from '../support/realServer.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';
import { eventually, startBotProcess, stopBotProcesses, type BotProcess } from '../support/botProcess.ts';
import { FakeConnector } from '../support/connector.ts';
import { textOfCard } from '../support/teams.ts';
import { BOT_FRAMEWORK_ISSUER, TestTokenIssuer } from '../support/tokenIssuer.ts';

/**
 * What an unauthenticated stranger can do to /api/messages with the shape of a request alone,
 * against the bot as `npm start` runs it (src/main.ts in its own process, authentication on, its
 * TMPDIR a fresh empty folder): every malformed encoding and content type is refused with a 4xx,
 * the process stays up (/healthz after each), nothing is written to TMPDIR, memory does not jump,
 * and a real, authenticated request still works afterwards.
 */

const APP_ID = '0c7d2a7e-5d1b-4f5e-9d51-ed9e00c0ffee';
const mallory = { id: '29:mallory', aadObjectId: 'aad-mallory', name: 'Mallory' };
const rita = { id: '29:rita', aadObjectId: 'aad-rita', name: 'Rita Reception' };
const MB = 1024 * 1024;

let storage: EmbeddedAzurite;
let issuer: TestTokenIssuer;
let bot: BotProcess;
let botTmp: string;
const connector = new FakeConnector();

beforeAll(async () => {
  await connector.start();
  issuer = await new TestTokenIssuer(['msteams']).start();
  storage = await startStorage();
  botTmp = await mkdtemp(join(tmpdir(), 'postwatch-edge-tmp-'));
  bot = await startBotProcess({
    AZURE_STORAGE_CONNECTION_STRING: storage.connectionString,
    POSTWATCH_TABLE_PREFIX: uniqueTablePrefix(),
    POSTWATCH_MANAGERS: 'aad-mary',
    MicrosoftAppId: APP_ID,
    MicrosoftAppPassword: 'test-password',
    ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    // The bot's temporary folder is this empty one (tsx's transform cache is switched off so
    // that anything found there afterwards was written by the bot).
    TMPDIR: botTmp,
    TSX_DISABLE_CACHE: '1',
    POSTWATCH_LISTEN_HOST: '127.0.0.1',
    LOG_LEVEL: 'info',
  });
}, 60_000);

afterAll(async () => {
  await stopBotProcesses();
  await storage?.close();
  await issuer?.stop();
  await connector.stop();
  await rm(botTmp, { recursive: true, force: true });
});

interface Sent {
  status: number;
  text: string;
}

/**
 * One raw request: exact headers (no content-type or length added unless given), the body written
 * in pieces. The server may answer and close before the whole body is written: that is an answer.
 */
function send(headers: Record<string, string>, body: Buffer | Buffer[], options: { endBody?: boolean } = {}): Promise<Sent> {
  const pieces = Array.isArray(body) ? body : [body];
  return new Promise((resolve, reject) => {
    let answered = false;
    const req = request(`${bot.url}/api/messages`, { method: 'POST', headers }, (res) => {
      answered = true;
      const chunks: Buffer[] = [];
      const done = () => resolve({ status: res.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') });
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', done);
      // The server may cut the connection after answering: the answer is what counts.
      res.on('close', done);
      res.on('error', () => undefined);
    });
    // A write that fails because the server already answered and closed is not a failure.
    req.on('error', (error) => {
      if (!answered) setTimeout(() => (answered ? undefined : reject(error)), 500);
    });
    let i = 0;
    const writeNext = () => {
      while (i < pieces.length) {
        if (req.destroyed) return;
        if (!req.write(pieces[i++])) {
          req.once('drain', writeNext);
          return;
        }
      }
      if (options.endBody !== false) req.end();
    };
    writeNext();
  });
}

async function healthy(): Promise<number> {
  return (await fetch(`${bot.url}/healthz`, { signal: AbortSignal.timeout(10_000) })).status;
}

/** The bot process's resident memory, from /proc (Linux). */
async function rssBytes(): Promise<number> {
  const status = await readFile(`/proc/${bot.pid}/status`, 'utf8');
  return Number(/VmRSS:\s+(\d+) kB/.exec(status)![1]) * 1024;
}

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { recursive: true });
  return entries.map(String);
}

/** A gzip of `inflated` bytes of spaces, made a megabyte at a time (a 200 MB body in 200 KB). */
async function gzipBomb(inflated: number): Promise<Buffer> {
  const gzip = createGzip({ level: 9 });
  const out: Buffer[] = [];
  gzip.on('data', (c: Buffer) => out.push(c));
  const done = new Promise((resolve) => gzip.on('end', resolve));
  const chunk = Buffer.alloc(MB, ' ');
  for (let written = 0; written < inflated; written += MB) {
    if (!gzip.write(chunk)) await new Promise((resolve) => gzip.once('drain', resolve));
  }
  gzip.end();
  await done;
  return Buffer.concat(out);
}

const activityJson = (person = mallory) => Buffer.from(JSON.stringify(teamsActivity(connector.url, person, { type: 'message', text: 'report a post' })));
const json = { 'content-type': 'application/json' };
const withLength = (headers: Record<string, string>, body: Buffer) => ({ ...headers, 'content-length': String(body.length) });
const valid = () => ({ authorization: `Bearer ${issuer.sign(issuer.validClaims(APP_ID, connector.url))}` });

describe('start-up', () => {
  it('prints a readiness block per practice: counts, reachability, review channel, a warning for each missing thing, no ids of people', async () => {
    const block = await eventually('the readiness block in the start-up output', () => {
      const start = bot.output().indexOf('Your practice (practice):');
      return start >= 0 ? bot.output().slice(start, start + 2_000) : undefined;
    });
    expect(block).toMatch(/1 manager, 0 deputies, 0 DPOs, 0 safeguarding leads/);
    expect(block).toMatch(/0 deciders reachable/);
    expect(block).toMatch(/review channel not set/);
    expect(block).toMatch(/warning: No manager or deputy can be reached/);
    expect(block).not.toMatch(/aad-mary/);
  });
});

describe('nothing is parsed or written for a request before it is authenticated', () => {
  let bomb: Buffer;
  let rssBefore: number;

  beforeAll(async () => {
    bomb = await gzipBomb(200 * MB);
    rssBefore = await rssBytes();
  }, 60_000);

  const twentyMegabytes = () => Array.from({ length: 20 }, () => Buffer.alloc(MB, 'a'));
  const multipart = () => {
    const head = Buffer.from('--x\r\ncontent-disposition: form-data; name="file"; filename="a.bin"\r\ncontent-type: application/octet-stream\r\n\r\n');
    return [head, ...twentyMegabytes(), Buffer.from('\r\n--x--\r\n')];
  };

  // Multipart first: before the fix it left its upload in TMPDIR, then the gzip garbage ended the process.
  const attacks: Array<[string, () => { headers: Record<string, string>; body: Buffer | Buffer[] }, number[]]> = [
    ['multipart/form-data, 20 MB, no content-length', () => ({ headers: { 'content-type': 'multipart/form-data; boundary=x' }, body: multipart() }), [415]],
    ['multipart/form-data, 20 MB, with a token', () => ({ headers: { ...valid(), 'content-type': 'multipart/form-data; boundary=x' }, body: multipart() }), [415]],
    ['gzip that is not gzip (23 bytes)', () => ({ headers: withLength({ ...json, 'content-encoding': 'gzip' }, Buffer.from('not gzip')), body: Buffer.from('not gzip') }), [415]],
    ['deflate', () => ({ headers: { ...json, 'content-encoding': 'deflate' }, body: deflateSync(activityJson()) }), [415]],
    ['deflate that is not deflate', () => ({ headers: { ...json, 'content-encoding': 'deflate' }, body: Buffer.from('garbage!') }), [415]],
    ['br', () => ({ headers: { ...json, 'content-encoding': 'br' }, body: brotliCompressSync(activityJson()) }), [415]],
    ['an unknown encoding', () => ({ headers: { ...json, 'content-encoding': 'x-evil, gzip' }, body: activityJson() }), [415]],
    ['text/plain', () => ({ headers: { 'content-type': 'text/plain' }, body: activityJson() }), [415]],
    ['no content-type', () => ({ headers: {}, body: activityJson() }), [415]],
    ['JSON in another charset', () => ({ headers: { 'content-type': 'application/json; charset=utf-16' }, body: activityJson() }), [415]],
    ['a gzip bomb (200 MB inflated)', () => ({ headers: { ...json, 'content-encoding': 'gzip' }, body: bomb }), [415]],
    ['a gzip bomb with a valid token', () => ({ headers: { ...valid(), ...json, 'content-encoding': 'gzip' }, body: bomb }), [415]],
    ['a gzip bomb sent as plain JSON', () => ({ headers: json, body: bomb }), [401]],
    ['20 MB of JSON with no content-length and no token', () => ({ headers: json, body: twentyMegabytes() }), [401]],
    ['20 MB of JSON with no content-length and a valid token', () => ({ headers: { ...valid(), ...json }, body: twentyMegabytes() }), [413]],
    ['a declared length over the limit, with a valid token', () => ({ headers: { ...valid(), ...json, 'content-length': String(20 * MB) }, body: twentyMegabytes() }), [413]],
    ['a garbage Authorization header', () => ({ headers: { ...json, authorization: `Bearer ${'x'.repeat(4000)}` }, body: activityJson() }), [401]],
    ['a valid token and a body that is not JSON', () => ({ headers: { ...valid(), ...json }, body: Buffer.from('{"type": "message", ') }), [400]],
  ];

  it.each(attacks)('%s: refused with 4xx, and the process stays up', async (_what, make, statuses) => {
    const { headers, body } = make();
    const answer = await send(headers, body);
    expect(statuses).toContain(answer.status);
    expect(answer.text).not.toMatch(LEAK);
    expect(await healthy()).toBe(200);
  });

  it('five gzip bombs at once: all refused, the process stays up', async () => {
    const answers = await Promise.all(Array.from({ length: 5 }, () => send({ ...json, 'content-encoding': 'gzip' }, bomb)));
    expect(answers.map((a) => a.status)).toEqual([415, 415, 415, 415, 415]);
    expect(await healthy()).toBe(200);
  });

  it('a body that never finishes arriving is given up on (408) and the process stays up', async () => {
    const body = activityJson(rita);
    const answer = await send({ ...valid(), ...json, 'content-length': String(body.length) }, body.subarray(0, 10), { endBody: false });
    expect(answer.status).toBe(408);
    expect(await healthy()).toBe(200);
  }, 30_000);

  it('wrote nothing to TMPDIR', async () => {
    expect(await filesUnder(botTmp)).toEqual([]);
  });

  it('memory did not jump (resident memory after every attack within 50 MB of before)', async () => {
    expect((await rssBytes()) - rssBefore).toBeLessThan(50 * MB);
  });

  it('a body over the limit is refused by its real size, whatever it claims', async () => {
    const over = Buffer.from(JSON.stringify({ ...teamsActivity(connector.url, rita, { type: 'message', text: 'x'.repeat(MAX_REQUEST_BYTES) }) }));
    const answer = await send({ ...valid(), ...json }, [over.subarray(0, 1000), over.subarray(1000)]);
    expect(answer.status).toBe(413);
  });

  it('after all that, a normal authenticated request still works', async () => {
    const body = Buffer.from(JSON.stringify(teamsActivity(connector.url, rita, cardInvoke('report.start', {}))));
    const answer = await send({ ...valid(), 'content-type': 'application/json; charset=utf-8' }, body);
    expect(answer.status).toBe(200);
    const invoke = JSON.parse(answer.text) as { type: string; value: unknown };
    expect(invoke.type).toBe('application/vnd.microsoft.card.adaptive');
    expect(textOfCard(invoke.value)).toContain('Step 1 of 5');
    expect(await healthy()).toBe(200);
    expect(bot.output()).not.toMatch(/Z_DATA_ERROR|uncaught/i);
  });
});
