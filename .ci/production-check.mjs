/**
 * CI: the production install, as App Service runs it. After `npm run build`: bundle into a
 * temporary folder (`npm ci --omit=dev` there), check that no development tool came with it,
 * then start it with `npm start` against an Azurite run from this (development) install and
 * expect /healthz 200 from the compiled code; and without storage configured, expect the message
 * that says how to get Azurite instead of a crash.
 */
import { spawn, spawnSync } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const folder = mkdtempSync(join(tmpdir(), 'postwatch-production-'));
const failures = [];
const check = (ok, what) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${what}`);
  if (!ok) failures.push(what);
};

const { register } = await import('tsx/esm/api');
register();
const { startAzuriteProcess } = await import('../src/store/azuriteProcess.ts');
let azurite;
try {
  const bundled = spawnSync(process.execPath, [join(root, 'scripts', 'bundle.mjs'), '--out', folder, '--no-zip'], { stdio: 'inherit' });
  check(bundled.status === 0, 'npm run bundle (npm ci --omit=dev) in a temporary folder');
  if (bundled.status !== 0) throw new Error('no production folder to check (run `npm run build` first)');
  for (const dev of ['azurite', 'tsx', 'typescript', 'vitest', '@microsoft/m365agentsplayground', 'playwright-core', 'http-deceiver']) {
    check(!existsSync(join(folder, 'node_modules', dev)), `${dev} is not installed in production`);
  }
  const listed = spawnSync('npm', ['ls', '--omit=dev', '--all', '--parseable'], { cwd: folder, encoding: 'utf8' });
  console.log(`     runtime packages: ${listed.stdout.trim().split('\n').length - 1}`);

  azurite = await startAzuriteProcess();
  const port = await freePort();
  const env = { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? tmpdir(), PORT: String(port), AZURE_STORAGE_CONNECTION_STRING: azurite.connectionString, POSTWATCH_TABLE_PREFIX: 'ci' };
  const bot = start(folder, env);
  const health = await poll(async () => {
    const r = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2_000) });
    return r.status === 200 ? r.json() : undefined;
  }, 60_000);
  check(health?.storage === 'ok' && health?.storageKind === 'azure' && health?.outbox?.waiting === 0, `/healthz 200 from the production install (${JSON.stringify(health)})`);
  // The start-up block follows the first answer by the time the practices' readiness takes to read.
  await poll(async () => (bot.output().includes('  practices: ') ? true : undefined), 30_000);
  check(bot.output().includes('code:      compiled (dist/app)'), 'it runs the compiled JavaScript');
  check(!/DeprecationWarning|DEP0111/.test(bot.output()), 'no deprecation warning');
  check(/storage:\s+Azure Storage account "devstoreaccount1"/.test(bot.output()) && !bot.output().includes('AccountKey'), 'the start-up block names the account, not the key');
  await bot.stop();

  const local = start(folder, { ...env, AZURE_STORAGE_CONNECTION_STRING: '' });
  const code = await local.exited;
  check(code === 1 && /npm ci` \(without --omit=dev\)/.test(local.output()) && !/\n\s+at /.test(local.output()), 'local mode without Azurite says to run npm ci, without a stack trace');
  if (code !== 1) console.log(local.output());
} finally {
  await azurite?.close();
  rmSync(folder, { recursive: true, force: true });
}
if (failures.length > 0) {
  console.error(`Production check failed: ${failures.join('; ')}`);
  process.exit(1);
}

function start(cwd, env) {
  // Its own process group, so stopping it reaches the server under npm and sh as well.
  const child = spawn('npm', ['start', '--silent'], { cwd, env, stdio: ['ignore', 'pipe', 'pipe'], detached: true });
  let output = '';
  child.stdout.on('data', (c) => (output += c));
  child.stderr.on('data', (c) => (output += c));
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  return {
    output: () => output,
    exited,
    stop: async () => {
      const signal = (name) => {
        try {
          process.kill(-child.pid, name);
        } catch {
          // already gone
        }
      };
      signal('SIGTERM');
      const timer = setTimeout(() => signal('SIGKILL'), 5_000);
      await exited;
      clearTimeout(timer);
    },
  };
}

async function poll(probe, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const value = await probe().catch(() => undefined);
    if (value !== undefined) return value;
    await new Promise((r) => setTimeout(r, 200));
  }
  return undefined;
}

function freePort() {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const { port } = probe.address();
      probe.close(() => resolve(port));
    });
  });
}
