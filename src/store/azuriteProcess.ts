import { fork, type ChildProcess } from 'node:child_process';
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { EmbeddedAzurite, EmbeddedAzuriteOptions } from './embeddedAzurite.ts';

/**
 * Azurite in a child process of its own. restify adds methods to Node's shared
 * http.IncomingMessage prototype (req.query among them), which breaks Azurite's express-based Blob
 * server when both live in one process; a separate process keeps the emulator's HTTP stack clean.
 * Used by `npm start` and by the tests that run the real server.
 */
export async function startAzuriteProcess(opts: EmbeddedAzuriteOptions = {}): Promise<EmbeddedAzurite> {
  if (!azuriteInstalled()) throw new Error(AZURITE_MISSING);
  // Compiled (dist/app) the child is plain JavaScript; from the sources it runs through tsx.
  const compiled = import.meta.url.endsWith('.js');
  const entry = fileURLToPath(new URL(compiled ? './azuriteChild.js' : './azuriteChild.ts', import.meta.url));
  const child = fork(entry, [JSON.stringify(opts)], {
    // tsx by its path: the working folder (where the data is kept) need not be the repository.
    execArgv: [...(compiled ? [] : ['--import', pathToFileURL(createRequire(import.meta.url).resolve('tsx')).href]), '--no-deprecation'],
    stdio: ['ignore', 'ignore', 'inherit', 'ipc'],
  });
  const started = await new Promise<Omit<EmbeddedAzurite, 'close'>>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`Embedded Azurite did not start: ${why}`));
    child.once('error', (e) => fail(e.message));
    child.once('exit', (code) => fail(`it exited with code ${code}`));
    child.once('message', (message: { ready?: Omit<EmbeddedAzurite, 'close'>; error?: string }) => {
      if (message.ready) resolve(message.ready);
      else fail(message.error ?? 'unknown reason');
    });
  });
  child.removeAllListeners('exit');
  // The emulator must not outlive the bot.
  const killOnExit = () => child.kill('SIGKILL');
  process.once('exit', killOnExit);
  return { ...started, close: () => stopChildProcess(child, killOnExit) };
}

/** Azurite is a development dependency: a production install (`npm ci --omit=dev`) leaves it out. */
export const AZURITE_MISSING =
  'local mode (no AZURE_STORAGE_CONNECTION_STRING) runs the Azure Storage emulator Azurite, which this install does not have: ' +
  'it is a development dependency, left out by `npm ci --omit=dev`. To try Postwatch locally run `npm ci` (without --omit=dev); ' +
  'in production set AZURE_STORAGE_CONNECTION_STRING to the storage account.';

function azuriteInstalled(): boolean {
  try {
    createRequire(import.meta.url).resolve('azurite/package.json');
    return true;
  } catch {
    return false;
  }
}

/** Asks a child that understands `{ close: true }` to finish, and kills it if it has not after 5 s. */
export async function stopChildProcess(child: ChildProcess, killOnExit: () => void): Promise<void> {
  process.removeListener('exit', killOnExit);
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.send({ close: true });
  const timer = setTimeout(() => child.kill('SIGKILL'), 5_000);
  await exited;
  clearTimeout(timer);
}
