import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { appendFileSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { connect } from 'node:net';
import { networkInterfaces, tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { eventually, freePort } from '../support/botProcess.ts';

/**
 * What a newcomer does, in a copy of the repository: `cp env.sample .env`, `npm start`, look at
 * /healthz, Ctrl-C; and `npm run playground`. The copy shares this checkout's node_modules (CI's
 * production step installs from scratch with --omit=dev).
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const running = new Set<ChildProcess>();
const folders: string[] = [];

afterAll(() => {
  for (const child of running) child.kill('SIGKILL');
  for (const folder of folders) rmSync(folder, { recursive: true, force: true });
});

/** The files a clone would have (tracked and not ignored), with this checkout's node_modules. */
function copyOfRepository(): string {
  const copy = mkdtempSync(join(tmpdir(), 'postwatch-newcomer-'));
  folders.push(copy);
  const files = execFileSync('git', ['ls-files', '--cached', '--others', '--exclude-standard', '-z'], { cwd: ROOT, encoding: 'utf8' }).split('\0').filter(Boolean);
  for (const file of files) {
    if (!existsSync(join(ROOT, file))) continue; // deleted but not yet committed
    mkdirSync(dirname(join(copy, file)), { recursive: true });
    copyFileSync(join(ROOT, file), join(copy, file));
  }
  symlinkSync(join(ROOT, 'node_modules'), join(copy, 'node_modules'), 'dir');
  return copy;
}

/** Starts a node script the way npm would, with only PATH, HOME and the given variables. */
function run(cwd: string, args: string[], env: Record<string, string>): { child: ChildProcess; output: () => string; exited: Promise<number | null> } {
  const child = spawn(process.execPath, args, { cwd, env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  running.add(child);
  let output = '';
  child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => (running.delete(child), resolve(code))));
  return { child, output: () => output, exited };
}

const healthz = (url: string) =>
  fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
    async (r) => (r.status === 200 ? ((await r.json()) as Record<string, unknown>) : undefined),
    () => undefined,
  );

/** True when nothing accepts a connection on host:port. */
const refused = (host: string, port: number) =>
  new Promise<boolean>((resolve) => {
    const socket = connect({ host, port });
    socket.once('connect', () => (socket.destroy(), resolve(false)));
    socket.once('error', () => resolve(true));
  });

const outsideAddress = () =>
  Object.values(networkInterfaces())
    .flat()
    .find((a) => a && a.family === 'IPv4' && !a.internal)?.address;

describe('a newcomer\'s first run', () => {
  it('cp env.sample .env && npm start: reads .env (the real environment wins), prints the start-up block, /healthz 200, Ctrl-C stops it', async () => {
    const copy = copyOfRepository();
    copyFileSync(join(copy, 'env.sample'), join(copy, '.env'));
    // Something visible from .env, and a PORT the real environment overrides.
    appendFileSync(join(copy, '.env'), '\nPOSTWATCH_PRACTICE_NAME=Newcomer Surgery\n');
    const port = await freePort();
    const bot = run(copy, ['scripts/start.mjs'], { PORT: String(port) });
    const url = `http://127.0.0.1:${port}`;
    const health = await eventually(() => `/healthz 200 at ${url}:\n${bot.output()}`, () => healthz(url), 60_000, 200);
    expect(health).toMatchObject({ status: 'ok', storage: 'ok', storageKind: 'embedded', outbox: { waiting: 0, oldestWaitingSeconds: null }, reminders: { lastRunAt: null } });
    await eventually('the start-up block', () => bot.output().includes('practices: 1'));
    const out = bot.output();
    expect(out).toMatch(/mode:\s+local \(no authentication/);
    expect(out).toContain(`storage:   embedded Azurite at http://127.0.0.1:`);
    expect(out).toContain(`data in ${join(copy, '.postwatch-data')}`);
    expect(out).toMatch(/Newcomer Surgery \(practice\): 0 managers, 0 deputies, 0 DPOs, 0 safeguarding leads; review channel not set; 0 deciders reachable/);
    expect(out).toMatch(/warning: No practice manager/);
    // restify's spdy (http-deceiver) printed DEP0111 on every start; nothing is hidden with --no-deprecation here.
    expect(out).not.toMatch(/DeprecationWarning|DEP0\d+/);
    // The Playground-style probe is answered without a warning.
    expect((await fetch(`${url}/api/messages`)).status).toBe(405);
    bot.child.kill('SIGINT');
    expect(await bot.exited).toBe(0);
    expect(await refused('127.0.0.1', port)).toBe(true);
    expect(bot.output()).not.toMatch(/"level":(40|50)/);
  });
});

describe('npm run playground', () => {
  it('starts the bot and the Agents Playground on loopback, prints the address, keeps devTools/ out of git, and SIGTERM stops both', async () => {
    const folder = mkdtempSync(join(tmpdir(), 'postwatch-playground-run-'));
    folders.push(folder);
    const [botPort, playgroundPort] = [await freePort(), await freePort()];
    const both = run(folder, [join(ROOT, 'scripts', 'playground.mjs'), '--manager'], { PORT: String(botPort), PLAYGROUND_PORT: String(playgroundPort) });
    const address = await eventually(() => `the Playground's address:\n${both.output()}`, () => /open (http:\/\/127\.0\.0\.1:(\d+)) in your browser/.exec(both.output()) ?? undefined, 90_000, 200);
    expect(Number(address[2])).toBe(playgroundPort);
    expect((await fetch(address[1]!)).status).toBe(200);
    expect(both.output()).toContain('(Entra object id 00000000-0000-0000-0000-0000000000020), a practice manager');
    expect(both.output()).toMatch(/Your practice \(practice\): 1 manager/);
    const outside = outsideAddress();
    if (outside) {
      expect(await refused(outside, playgroundPort)).toBe(true);
      expect(await refused(outside, botPort)).toBe(true);
    }
    // The Playground writes its log into the folder it runs in; the repository ignores it.
    await eventually('devTools/ written', () => existsSync(join(folder, 'devTools')));
    expect(() => execFileSync('git', ['check-ignore', '-q', 'devTools/m365agentsplayground.log'], { cwd: ROOT })).not.toThrow();
    // Its GET probe of /api/messages is not logged as a warning.
    expect(both.output()).not.toMatch(/"level":40/);

    both.child.kill('SIGTERM');
    expect(await both.exited).toBe(0);
    expect(await refused('127.0.0.1', playgroundPort)).toBe(true);
    expect(await refused('127.0.0.1', botPort)).toBe(true);
  });
});
