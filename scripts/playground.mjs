/**
 * npm run playground [-- --manager]: the bot (as `npm start` runs it, local mode) and Microsoft 365
 * Agents Playground together, both on 127.0.0.1, until Ctrl-C (or SIGTERM) stops both.
 *
 * --manager makes the Playground's default user (Alex Wilber, Entra object id
 * 00000000-0000-0000-0000-0000000000020) a practice manager for this run, by adding it to
 * POSTWATCH_MANAGERS.
 *
 * Both run in the current folder (npm: the repository), where the bot keeps .postwatch-data and the
 * Playground writes devTools/ (both git-ignored). It runs with
 * scripts/playground-loopback.cjs preloaded (its servers bind 127.0.0.1 and it resolves no outside
 * name), telemetry off, and without opening a browser.
 */
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { createRequire } from 'node:module';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const PLAYGROUND_USER_OBJECT_ID = '00000000-0000-0000-0000-0000000000020';
const root = fileURLToPath(new URL('..', import.meta.url));

// The same .env the bot reads, so the port below is the one it will listen on.
if (existsSync(join(process.cwd(), '.env'))) process.loadEnvFile(join(process.cwd(), '.env'));
if (process.env.MicrosoftAppId?.trim()) {
  fail('MicrosoftAppId is set, so the bot would require Bot Framework tokens the Playground does not send. Leave MicrosoftAppId empty to try Postwatch in the Playground (local mode).');
}
const botPort = Number(process.env.PORT?.trim() || 3978);
const playgroundPort = Number(process.env.PLAYGROUND_PORT?.trim() || 56150);
const env = { ...process.env, PORT: String(botPort) };
if (process.argv.includes('--manager')) {
  env.POSTWATCH_MANAGERS = [env.POSTWATCH_MANAGERS?.trim(), PLAYGROUND_USER_OBJECT_ID].filter(Boolean).join(',');
}

let cli;
try {
  cli = createRequire(import.meta.url).resolve('@microsoft/m365agentsplayground/cli.js');
} catch {
  fail('Microsoft 365 Agents Playground is not installed: it is a development dependency, so run `npm ci` (without --omit=dev).');
}

const children = [];
let stopping = false;

const bot = spawn(process.execPath, [join(root, 'scripts', 'start.mjs')], { cwd: process.cwd(), env, stdio: ['ignore', 'inherit', 'inherit'] });
children.push(bot);
bot.once('exit', (code) => stopAll(`the bot stopped (exit code ${code})`, code ?? 1));

const botUrl = `http://127.0.0.1:${botPort}`;
await waitFor(`the bot at ${botUrl}/healthz`, async () => (await fetch(`${botUrl}/healthz`, { signal: AbortSignal.timeout(2_000) })).status === 200);
if (stopping) await new Promise(() => {}); // the bot failed to start: stopAll is ending the process

const playground = spawn(
  process.execPath,
  ['--require', join(root, 'scripts', 'playground-loopback.cjs'), cli, '-e', `${botUrl}/api/messages`, '-c', 'msteams', '-p', String(playgroundPort), '--disable-telemetry'],
  { cwd: process.cwd(), env: { ...process.env, TEAMSAPPTESTER_BROWSER: 'none', BROWSER: 'none' }, stdio: ['ignore', 'pipe', 'inherit'] },
);
children.push(playground);
playground.once('exit', (code) => stopAll(`the Playground stopped (exit code ${code})`, code ?? 1));
let printed = '';
let shown = false;
playground.stdout.on('data', (chunk) => {
  process.stdout.write(chunk);
  printed += chunk.toString();
  const listening = /Listening on (\d+)/.exec(printed);
  if (listening && !shown) {
    shown = true;
    console.log(
      `\nMicrosoft 365 Agents Playground is ready: open http://127.0.0.1:${listening[1]} in your browser and type "report a post".` +
        `\nYou are the Playground's user Alex Wilber (Entra object id ${PLAYGROUND_USER_OBJECT_ID})${env.POSTWATCH_MANAGERS?.includes(PLAYGROUND_USER_OBJECT_ID) ? ', a practice manager' : '; `npm run playground -- --manager` makes Alex a practice manager'}.` +
        '\nCtrl-C stops the Playground and the bot.\n',
    );
  }
});

process.once('SIGINT', () => stopAll('Ctrl-C', 0));
process.once('SIGTERM', () => stopAll('SIGTERM', 0));

/** Stops every child (SIGTERM: the bot's own shutdown; SIGKILL after 5 s) and leaves. */
async function stopAll(why, code) {
  if (stopping) return;
  stopping = true;
  console.log(`Stopping (${why}).`);
  await Promise.all(
    children.map(
      (child) =>
        new Promise((resolve) => {
          if (child.exitCode !== null || child.signalCode !== null) return resolve();
          child.once('exit', resolve);
          child.kill('SIGTERM');
          setTimeout(() => child.kill('SIGKILL'), 5_000).unref();
        }),
    ),
  );
  process.exit(code);
}

async function waitFor(what, check, timeoutMs = 60_000) {
  const deadline = Date.now() + timeoutMs;
  while (!stopping) {
    if (await check().catch(() => false)) return;
    if (Date.now() > deadline) await stopAll(`${what} did not answer within ${timeoutMs / 1000} s`, 1);
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function fail(message) {
  console.error(`npm run playground: ${message}`);
  process.exit(1);
}
