import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/**
 * The bot as `npm start` runs it: `node --import tsx src/main.ts` in a child process of its own,
 * configured only through the environment, listening on 127.0.0.1. Every process started here is
 * remembered, so a test file's afterAll (stopBotProcesses) ends them even when a test failed, and
 * none outlives the test run.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const MAIN = join(ROOT, 'src', 'main.ts');
const started = new Set<BotProcess>();

export interface BotProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  readonly child: ChildProcess;
  /** What the process wrote (its JSON log lines), for failure messages. */
  output(): string;
  /** SIGKILL: no shutdown handler runs, nothing is flushed. Resolves once the process is gone. */
  kill(): Promise<void>;
  /** SIGTERM (the bot's own shutdown), then SIGKILL after a few seconds. */
  stop(): Promise<void>;
}

/** A port that was free a moment ago on 127.0.0.1 (PORT=0 would not tell us which one the bot took). */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address() as { port: number };
      probe.close(() => resolve(port));
    });
  });
}

/** A practices file (POSTWATCH_PRACTICES_FILE) in a temporary folder; remove() deletes the folder. */
export async function writePracticesFile(file: { practices: object[]; defaultPracticeId?: string }): Promise<{ path: string; remove(): Promise<void> }> {
  const dir = await mkdtemp(join(tmpdir(), 'postwatch-practices-'));
  const path = join(dir, 'practices.json');
  await writeFile(path, JSON.stringify(file, null, 2));
  return { path, remove: () => rm(dir, { recursive: true, force: true }) };
}

/**
 * Starts src/main.ts with exactly the given settings (plus PATH and HOME, nothing else from the
 * test's environment) and waits until it logs that it is listening and /healthz answers 200.
 * The wait is generous: three bots transpiled at once on a busy 2-core machine have taken over 20 s
 * to start (this is a readiness wait, not a speed check).
 */
export async function startBotProcess(env: Record<string, string>, options: { readyTimeoutMs?: number } = {}): Promise<BotProcess> {
  // Another process may take the free port before the bot does: then try another one.
  for (let attempt = 1; ; attempt++) {
    try {
      return await startOnce(env, await freePort(), options.readyTimeoutMs ?? 45_000);
    } catch (error) {
      if (attempt >= 3 || !(error instanceof Error && error.message.includes('EADDRINUSE'))) throw error;
    }
  }
}

async function startOnce(env: Record<string, string>, port: number, readyTimeoutMs: number): Promise<BotProcess> {
  const child = spawn(process.execPath, ['--import', 'tsx', '--no-deprecation', MAIN], {
    cwd: ROOT,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? tmpdir(),
      LOG_LEVEL: 'info',
      ...env,
      PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let log = '';
  const keep = (chunk: Buffer) => {
    log += chunk.toString('utf8');
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout!.on('data', keep);
  child.stderr!.on('data', keep);
  const exited = new Promise<void>((resolve) => {
    if (child.exitCode !== null || child.signalCode !== null) resolve();
    else child.once('exit', () => resolve());
  });
  const gone = () => child.exitCode !== null || child.signalCode !== null;
  const url = `http://127.0.0.1:${port}`;

  const bot: BotProcess = {
    url,
    port,
    pid: child.pid ?? -1,
    child,
    output: () => log,
    kill: async () => {
      started.delete(bot);
      if (!gone()) child.kill('SIGKILL');
      await exited;
    },
    stop: async () => {
      started.delete(bot);
      if (gone()) return;
      child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
  started.add(bot);

  const logsInfo = ['info', 'debug', 'trace'].includes(env.LOG_LEVEL ?? 'info');
  const deadline = Date.now() + readyTimeoutMs;
  for (;;) {
    if (gone()) {
      started.delete(bot);
      throw new Error(`the bot exited before it was ready (code ${child.exitCode}, signal ${child.signalCode}):\n${log.slice(-4_000)}`);
    }
    // Our own process must say it is listening (another one could hold the port), and answer.
    const listening = !logsInfo || log.includes(`"url":"${url}/api/messages"`);
    const ok =
      listening &&
      (await fetch(`${url}/healthz`, { signal: AbortSignal.timeout(2_000) }).then(
        (r) => r.status === 200,
        () => false,
      ));
    if (ok) return bot;
    if (Date.now() > deadline) {
      await bot.kill();
      throw new Error(`the bot did not answer /healthz within the time allowed:\n${log.slice(-4_000)}`);
    }
    await sleep(100);
  }
}

/** Ends every bot process this test file started and has not ended yet (for afterAll). */
export async function stopBotProcesses(): Promise<void> {
  await Promise.all([...started].map((bot) => bot.kill()));
}

// A test run that dies must not leave bots behind.
process.once('exit', () => {
  for (const bot of started) bot.child.kill('SIGKILL');
});

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/**
 * Polls until `check` returns something other than undefined/false, or fails saying what it waited
 * for (`what` may be a function, called only then, to describe the state at that moment).
 */
export async function eventually<T>(what: string | (() => string), check: () => Promise<T | undefined | false> | T | undefined | false, timeoutMs = 30_000, everyMs = 100): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  for (;;) {
    try {
      const value = await check();
      if (value !== undefined && value !== false) return value as T;
    } catch (error) {
      lastError = error;
    }
    if (Date.now() > deadline) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${typeof what === 'function' ? what() : what}${lastError ? ` (last error: ${lastError instanceof Error ? lastError.message : String(lastError)})` : ''}`);
    }
    await sleep(everyMs);
  }
}
