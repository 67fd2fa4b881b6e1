import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { fileURLToPath } from 'node:url';
import { chromium, type Browser, type BrowserContext } from 'playwright-core';

/**
 * Microsoft 365 Agents Playground (Microsoft's local Teams-like client) and Debian's Chromium, both
 * kept on this machine: the Playground runs with scripts/playground-loopback.cjs preloaded (its
 * servers bind 127.0.0.1, it resolves no outside name), and the browser may load only loopback
 * URLs.
 */

export const CHROMIUM = '/usr/bin/chromium';

export function hasChromium(): boolean {
  return existsSync(CHROMIUM);
}

export interface Playground {
  url: string;
  port: number;
  /** What the Playground printed (for failure messages). */
  output(): string;
  stop(): Promise<void>;
}

/** Runs in a temporary folder of its own: the Playground writes devTools/m365agentsplayground.log into its working directory. */
export async function startPlayground(botEndpoint: string, cwd = mkdtempSync(join(tmpdir(), 'postwatch-agentsplayground-'))): Promise<Playground> {
  const require = createRequire(import.meta.url);
  const cli = require.resolve('@microsoft/m365agentsplayground/cli.js');
  const preload = fileURLToPath(new URL('../../scripts/playground-loopback.cjs', import.meta.url));
  // Port 0 is not accepted; the Playground falls back to a random port if this one is taken.
  const wanted = 20_000 + Math.floor(Math.random() * 30_000);
  const child = spawn(
    process.execPath,
    ['--require', preload, cli, '-e', botEndpoint, '-c', 'msteams', '-p', String(wanted), '--disable-telemetry'],
    { cwd, env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', BROWSER: 'none' }, stdio: ['ignore', 'pipe', 'pipe'] },
  );
  let log = '';
  child.stdout!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (log += chunk.toString()));
  const port = await new Promise<number>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`Agents Playground did not start:\n${log}`)), 30_000);
    const check = () => {
      const m = /Listening on (\d+)/.exec(log);
      if (m) {
        clearTimeout(timer);
        resolve(Number(m[1]));
      }
    };
    child.stdout!.on('data', check);
    child.once('exit', (code) => {
      clearTimeout(timer);
      reject(new Error(`Agents Playground exited with ${code}:\n${log}`));
    });
  });
  child.removeAllListeners('exit');
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    output: () => log,
    stop: async () => {
      await stopChild(child);
      rmSync(cwd, { recursive: true, force: true });
    },
  };
}

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}

export async function launchChromium(): Promise<{ browser: Browser; context: BrowserContext }> {
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
      '--no-first-run',
      // Nothing but loopback resolves in this browser.
      '--host-resolver-rules=MAP * ~NOTFOUND, EXCLUDE localhost, EXCLUDE 127.0.0.1',
    ],
  });
  const context = await browser.newContext({ viewport: { width: 1280, height: 1000 }, locale: 'en-GB', timezoneId: 'Europe/London' });
  await context.route('**/*', (route) => {
    const { hostname, protocol } = new URL(route.request().url());
    if (protocol === 'data:' || protocol === 'blob:' || hostname === '127.0.0.1' || hostname === 'localhost') return route.continue();
    return route.abort('blockedbyclient');
  });
  return { browser, context };
}
