/**
 * npm start (and npm run dev, npm run audit:verify): reads .env, then runs the compiled server in
 * dist/app when `npm run build` made one, otherwise the TypeScript sources through tsx (a
 * development dependency). One process: signals reach the server directly.
 *
 *   node scripts/start.mjs                       the bot (src/main)
 *   node scripts/start.mjs --dev                 the bot from the TypeScript sources, even when built
 *   node scripts/start.mjs --script audit-verify the audit check (scripts/audit-verify)
 *   node scripts/start.mjs --script retention    the retention job (scripts/retention)
 */
import { existsSync, readdirSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
// Our own options come first; what follows belongs to the script (npm run audit:verify -- --practice x).
let dev = false;
let script;
while (process.argv[2] === '--dev' || process.argv[2] === '--script') {
  if (process.argv[2] === '--dev') dev = true;
  else if (['audit-verify', 'retention'].includes(process.argv[3])) script = process.argv.splice(3, 1)[0];
  else fail(`unknown script ${process.argv[3] ?? '(none)'}`);
  process.argv.splice(2, 1);
}
const entry = script ? `scripts/${script}` : 'src/main';

// Node's own .env reader (Node 20.12 or later). A variable already set in the real environment
// wins over the same one in the file.
const envFile = join(process.cwd(), '.env');
if (existsSync(envFile)) {
  try {
    process.loadEnvFile(envFile);
  } catch (error) {
    fail(`.env could not be read (${error instanceof Error ? error.message : String(error)}).`);
  }
}

const compiled = join(root, 'dist', 'app', `${entry}.js`);
if (!dev && existsSync(compiled)) {
  if (!script) warnIfOlderThanSources(join(root, 'dist', 'app', 'build.json'));
  await import(pathToFileURL(compiled).href);
} else {
  let register;
  try {
    ({ register } = await import('tsx/esm/api'));
  } catch {
    fail('there is no compiled build (dist/app) and tsx is not installed. Run `npm run build` on a development install, or `npm ci` (without --omit=dev) to run from the TypeScript sources.');
  }
  register();
  await import(pathToFileURL(join(root, `${entry}.ts`)).href);
}

function fail(message) {
  console.error(`Postwatch cannot start: ${message}`);
  process.exit(1);
}

/** A build older than the sources it came from would quietly run yesterday's code. */
function warnIfOlderThanSources(stamp) {
  const src = join(root, 'src');
  if (!existsSync(stamp) || !existsSync(src)) return;
  const builtAt = statSync(stamp).mtimeMs;
  const newer = (dir) =>
    readdirSync(dir, { withFileTypes: true }).some((e) =>
      e.isDirectory() ? newer(join(dir, e.name)) : statSync(join(dir, e.name)).mtimeMs > builtAt,
    );
  if (newer(src)) console.warn('Note: src/ has changed since `npm run build`; running the older build in dist/app. Run `npm run build` again, or `npm run dev` for the sources.');
}
