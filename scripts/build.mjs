/**
 * npm run build: compiles the server to dist/app (tsconfig.build.json) and copies beside it the
 * files it reads at run time (card templates, the default policy and the presets), so production runs plain
 * JavaScript without tsx. dist/app keeps the repository's layout (dist/app/src, dist/app/cards),
 * because the code finds those files relative to itself. `npm run package` writes its zip to
 * dist/ too, beside dist/app, never inside it.
 */
import { spawnSync } from 'node:child_process';
import { cpSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = fileURLToPath(new URL('..', import.meta.url));
const out = `${root}dist/app`;
const typescript = createRequire(import.meta.url).resolve('typescript/package.json');
const tsc = join(dirname(typescript), JSON.parse(readFileSync(typescript, 'utf8')).bin.tsc);

rmSync(out, { recursive: true, force: true });
const compiled = spawnSync(process.execPath, [tsc, '-p', `${root}tsconfig.build.json`], { stdio: 'inherit' });
if (compiled.status !== 0) {
  console.error('Build failed: see the compiler messages above.');
  process.exit(1);
}
cpSync(`${root}cards`, `${out}/cards`, { recursive: true });
cpSync(`${root}src/policy/presets`, `${out}/src/policy/presets`, { recursive: true });
cpSync(`${root}src/policy/default.json`, `${out}/src/policy/default.json`);
const { version } = JSON.parse(readFileSync(`${root}package.json`, 'utf8'));
writeFileSync(`${out}/build.json`, `${JSON.stringify({ version, builtAt: new Date().toISOString() }, null, 2)}\n`);
console.log(`Built Postwatch ${version} to dist/app. \`npm start\` now runs it (\`npm run dev\` runs the TypeScript sources).`);
