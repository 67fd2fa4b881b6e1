/**
 * npm run bundle [-- --out <folder>] [-- --no-zip]: what App Service runs, after `npm run build`.
 *
 * Copies the compiled server (dist/app), the start script, package.json, the lock file and
 * vendor/ into dist/server (or --out), installs the production dependencies there
 * (`npm ci --omit=dev`: no Azurite, tsx, TypeScript or test tools), and zips the folder to
 * dist/postwatch-server-<version>.zip for zip deploy. (`npm run package` writes the Teams app
 * package, dist/postwatch-<version>.zip: a different file.)
 */
import { spawnSync } from 'node:child_process';
import { cpSync, createWriteStream, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';

const root = fileURLToPath(new URL('..', import.meta.url));
const { values } = parseArgs({ options: { out: { type: 'string' }, 'no-zip': { type: 'boolean', default: false } } });
const out = values.out ?? join(root, 'dist', 'server');

if (!existsSync(join(root, 'dist', 'app', 'src', 'main.js'))) {
  console.error('npm run bundle: there is no build yet. Run `npm run build` first.');
  process.exit(1);
}
rmSync(out, { recursive: true, force: true });
mkdirSync(join(out, 'scripts'), { recursive: true });
for (const file of ['package.json', 'package-lock.json']) cpSync(join(root, file), join(out, file));
cpSync(join(root, 'vendor'), join(out, 'vendor'), { recursive: true });
cpSync(join(root, 'scripts', 'start.mjs'), join(out, 'scripts', 'start.mjs'));
cpSync(join(root, 'dist', 'app'), join(out, 'dist', 'app'), { recursive: true });

const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';
const installed = spawnSync(npm, ['ci', '--omit=dev', '--no-audit', '--no-fund'], { cwd: out, stdio: 'inherit', shell: process.platform === 'win32' });
if (installed.status !== 0) {
  console.error('npm run bundle: `npm ci --omit=dev` failed (see above).');
  process.exit(1);
}
console.log(`Production folder: ${out}`);

if (!values['no-zip']) {
  const { ZipFile } = (await import('yazl')).default;
  const { version } = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8'));
  const zipPath = join(root, 'dist', `postwatch-server-${version}.zip`);
  const zip = new ZipFile();
  const add = (dir) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) add(path);
      else if (entry.isFile()) zip.addFile(path, relative(out, path).split('\\').join('/'), { mode: statSync(path).mode });
      // Symbolic links (node_modules/spdy -> vendor/spdy-unused) are followed as folders below.
      else if (entry.isSymbolicLink() && statSync(path).isDirectory()) add(path);
    }
  };
  add(out);
  zip.end();
  await new Promise((resolve, reject) => zip.outputStream.pipe(createWriteStream(zipPath)).on('close', resolve).on('error', reject));
  console.log(`Zip for App Service (zip deploy): ${zipPath}`);
}
