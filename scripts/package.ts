/**
 * `npm run package`: builds the Teams app package (dist/postwatch-<version>.zip) from
 * manifest/manifest.template.json, the icons in manifest/ and the environment.
 *
 *   MicrosoftAppId            required: the bot's Entra app (client) id, a GUID; also the Teams app id
 *   POSTWATCH_APP_NAME        the name people see in Teams (<= 30 characters), default "Postwatch"
 *   POSTWATCH_APP_VERSION     x.y.z, default the version in package.json; raise it for every upload
 *   POSTWATCH_BOT_DOMAIN      the host the bot runs on (e.g. postwatch-nhs.azurewebsites.net), optional
 *   POSTWATCH_DEVELOPER_NAME  who publishes the app (<= 32 characters), default "Postwatch"
 *   POSTWATCH_WEBSITE_URL     https URLs shown on the app's details page; the defaults are
 *   POSTWATCH_PRIVACY_URL     placeholders (https://www.example.com/...) and the script warns
 *   POSTWATCH_TERMS_URL       when it uses them
 *
 * The template is parsed as JSON and every "${{NAME}}" placeholder is replaced by a value set on
 * the object, never by splicing text; the result is validated offline against the official schema
 * shipped in @microsoft/app-manifest before anything is written.
 */
import { createWriteStream, mkdirSync, readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { PNG } from 'pngjs';
import yazl from 'yazl';
import { COMMANDS } from '../src/bot/commands.ts';

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const MANIFEST_DIR = join(ROOT, 'manifest');
export const TEMPLATE_PATH = join(MANIFEST_DIR, 'manifest.template.json');

export const COLOR_ICON = { file: 'color.png', size: 192 } as const;
export const OUTLINE_ICON = { file: 'outline.png', size: 32 } as const;

export const PLACEHOLDER_DEFAULTS = {
  appName: 'Postwatch',
  developerName: 'Postwatch',
  websiteUrl: 'https://www.example.com/postwatch',
  privacyUrl: 'https://www.example.com/postwatch/privacy',
  termsOfUseUrl: 'https://www.example.com/postwatch/terms',
} as const;

export interface PackageConfig {
  /** Bot Framework app id (Entra application/client id); used as the Teams app id too. */
  appId: string;
  appName: string;
  appVersion: string;
  /** Host name only, e.g. "postwatch.azurewebsites.net". */
  botDomain: string | undefined;
  developer: { name: string; websiteUrl: string; privacyUrl: string; termsOfUseUrl: string };
  /** Environment variables that were not set and fell back to placeholder values. */
  placeholders: string[];
}

export type Manifest = Record<string, unknown>;

/** Raised for anything the person running the script must fix; every problem is listed. */
export class PackageError extends Error {
  constructor(
    readonly summary: string,
    readonly problems: string[],
  ) {
    super(`${summary}\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PackageError';
  }
}

// ------------------------------------------------------------------ configuration

const GUID = /^[0-9a-fA-F]{8}-(?:[0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
/** Teams wants major.minor.patch, numbers only (the schema's semver definition). */
const VERSION = /^(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)\.(?:0|[1-9]\d*)$/;
const HOST = /^(?:\*\.)?(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?$/;

export function packageJsonVersion(root = ROOT): string {
  const pkg = JSON.parse(readFileSync(join(root, 'package.json'), 'utf8')) as { version?: unknown };
  return typeof pkg.version === 'string' ? pkg.version : '';
}

function value(env: NodeJS.ProcessEnv, name: string): string | undefined {
  const v = env[name]?.trim();
  return v ? v : undefined;
}

/** Accepts "host", "https://host/" or "host:port" and returns the host name. */
function hostOf(raw: string): string | undefined {
  const candidate = /^[a-z][a-z0-9+.-]*:\/\//i.test(raw) ? raw : `https://${raw}`;
  const wildcard = candidate.includes('://*.');
  try {
    const host = new URL(candidate.replace('://*.', '://wildcard.')).hostname.toLowerCase();
    const result = wildcard ? host.replace(/^wildcard\./, '*.') : host;
    return HOST.test(result) ? result : undefined;
  } catch {
    return undefined;
  }
}

function httpsUrl(env: NodeJS.ProcessEnv, name: string, fallback: string, problems: string[], placeholders: string[]): string {
  const raw = value(env, name);
  if (raw === undefined) {
    placeholders.push(name);
    return fallback;
  }
  try {
    const url = new URL(raw);
    if (url.protocol === 'https:' && raw.length <= 2048) return url.href;
  } catch {
    // reported below
  }
  problems.push(`${name} must be an https:// URL (got "${raw}").`);
  return fallback;
}

/** Reads and checks the packaging settings; throws a PackageError naming every problem. */
export function loadPackageConfig(env: NodeJS.ProcessEnv = process.env, defaultVersion = packageJsonVersion()): PackageConfig {
  const problems: string[] = [];
  const placeholders: string[] = [];

  const appId = value(env, 'MicrosoftAppId');
  if (appId === undefined) {
    problems.push(
      'MicrosoftAppId is not set. Set it to the Application (client) ID of the bot\'s Entra app registration ' +
        '(the GUID shown on the Azure Bot resource under Configuration); the Teams package cannot be built without it.',
    );
  } else if (!GUID.test(appId)) {
    problems.push(`MicrosoftAppId must be a GUID such as 00000000-0000-0000-0000-000000000000 (got "${appId}").`);
  }

  const appName = value(env, 'POSTWATCH_APP_NAME') ?? PLACEHOLDER_DEFAULTS.appName;
  if (appName.length > 30) problems.push(`POSTWATCH_APP_NAME must be at most 30 characters (Teams' limit); "${appName}" has ${appName.length}.`);

  const appVersion = value(env, 'POSTWATCH_APP_VERSION') ?? defaultVersion;
  if (!VERSION.test(appVersion)) {
    problems.push(
      `${value(env, 'POSTWATCH_APP_VERSION') ? 'POSTWATCH_APP_VERSION' : 'the version in package.json'} must be major.minor.patch ` +
        `with numbers only, e.g. 1.0.3 (got "${appVersion}").`,
    );
  }

  const rawDomain = value(env, 'POSTWATCH_BOT_DOMAIN');
  const botDomain = rawDomain === undefined ? undefined : hostOf(rawDomain);
  if (rawDomain !== undefined && botDomain === undefined) {
    problems.push(`POSTWATCH_BOT_DOMAIN must be a host name such as postwatch-nhs.azurewebsites.net (got "${rawDomain}").`);
  }

  const developerName = value(env, 'POSTWATCH_DEVELOPER_NAME') ?? PLACEHOLDER_DEFAULTS.developerName;
  if (developerName.length > 32) problems.push(`POSTWATCH_DEVELOPER_NAME must be at most 32 characters; "${developerName}" has ${developerName.length}.`);

  const developer = {
    name: developerName,
    websiteUrl: httpsUrl(env, 'POSTWATCH_WEBSITE_URL', PLACEHOLDER_DEFAULTS.websiteUrl, problems, placeholders),
    privacyUrl: httpsUrl(env, 'POSTWATCH_PRIVACY_URL', PLACEHOLDER_DEFAULTS.privacyUrl, problems, placeholders),
    termsOfUseUrl: httpsUrl(env, 'POSTWATCH_TERMS_URL', PLACEHOLDER_DEFAULTS.termsOfUseUrl, problems, placeholders),
  };

  if (problems.length > 0) throw new PackageError('Cannot build the Teams app package:', problems);
  return { appId: appId!, appName, appVersion, botDomain, developer, placeholders };
}

// ------------------------------------------------------------------ manifest

type Scope = 'personal' | 'team' | 'groupChat';
const SCOPES: readonly Scope[] = ['personal', 'team', 'groupChat'];

interface CommandSpec {
  readonly title: string;
  readonly description: string;
  readonly scopes: readonly string[];
}

/** One command list per scope, in COMMANDS order: the menu shows exactly what the bot parses. */
export function commandLists(commands: readonly CommandSpec[] = COMMANDS): Array<{ scopes: Scope[]; commands: Array<{ title: string; description: string }> }> {
  return SCOPES.map((scope) => ({
    scopes: [scope],
    commands: commands.filter((c) => c.scopes.includes(scope)).map((c) => ({ title: c.title, description: c.description })),
  })).filter((list) => list.commands.length > 0);
}

export function readTemplate(path = TEMPLATE_PATH): Manifest {
  return JSON.parse(readFileSync(path, 'utf8')) as Manifest;
}

const PLACEHOLDER = /^\$\{\{([A-Z0-9_]+)\}\}$/;

/** Replaces every string that is exactly "${{NAME}}" with values[NAME] (any JSON value). */
function fill(node: unknown, values: Record<string, unknown>, path: string, problems: string[]): unknown {
  if (typeof node === 'string') {
    const match = PLACEHOLDER.exec(node);
    if (match) {
      const name = match[1]!;
      if (!(name in values)) problems.push(`${path}: no value for placeholder \${{${name}}}`);
      return values[name];
    }
    if (node.includes('${{')) problems.push(`${path}: a placeholder must be the whole string value ("${node}")`);
    return node;
  }
  if (Array.isArray(node)) return node.map((item, i) => fill(item, values, `${path}/${i}`, problems));
  if (node !== null && typeof node === 'object') {
    return Object.fromEntries(Object.entries(node).map(([k, v]) => [k, fill(v, values, `${path}/${k}`, problems)]));
  }
  return node;
}

/** The manifest for a configuration: pure, no I/O unless the template is read from disk. */
export function buildManifest(config: PackageConfig, template: Manifest = readTemplate(), commands: readonly CommandSpec[] = COMMANDS): Manifest {
  const fullName = `${config.appName}: social media incident reporting`;
  const values: Record<string, unknown> = {
    MICROSOFT_APP_ID: config.appId,
    APP_NAME: config.appName,
    APP_FULL_NAME: fullName.length <= 100 ? fullName : config.appName,
    APP_VERSION: config.appVersion,
    DEVELOPER_NAME: config.developer.name,
    DEVELOPER_WEBSITE_URL: config.developer.websiteUrl,
    DEVELOPER_PRIVACY_URL: config.developer.privacyUrl,
    DEVELOPER_TERMS_URL: config.developer.termsOfUseUrl,
    COMMAND_LISTS: commandLists(commands),
    VALID_DOMAINS: config.botDomain ? [config.botDomain] : [],
  };
  const problems: string[] = [];
  const manifest = fill(template, values, '', problems) as Manifest;
  if (problems.length > 0) throw new PackageError('The manifest template does not fit the package script:', problems);
  return manifest;
}

// ------------------------------------------------------------------ validation

const requireHere = createRequire(import.meta.url);

/** The official schema for the manifest's version, read from @microsoft/app-manifest (no network). */
export function loadSchema(manifestVersion: string): object {
  const build = dirname(requireHere.resolve('@microsoft/app-manifest'));
  const file = join(build, 'json-schemas', 'teams', `v${manifestVersion}`, 'MicrosoftTeams.schema.json');
  let raw: string;
  try {
    raw = readFileSync(file, 'utf8');
  } catch {
    throw new PackageError('Cannot validate the manifest offline:', [
      `@microsoft/app-manifest does not ship the schema for manifestVersion ${manifestVersion} (looked for ${file}); ` +
        'use a manifest version it ships (see manifest/README.md).',
    ]);
  }
  // Some published schemas contain \a and \v escapes, which JSON does not allow (the library does the same).
  return JSON.parse(raw.replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as object;
}

/**
 * Validates against the official JSON schema, offline, plus the rules Postwatch relies on that the
 * schema cannot express. Returns readable problems; empty means valid.
 */
export async function validateManifest(manifest: Manifest): Promise<string[]> {
  const version = manifest.manifestVersion;
  if (typeof version !== 'string') return ['manifestVersion is missing'];
  const schema = loadSchema(version);
  type Args = Parameters<typeof AppManifestUtils.validateAgainstSchema>;
  const problems = await AppManifestUtils.validateAgainstSchema(manifest as unknown as Args[0], schema as Args[1]);
  const result = problems.map((p) => `schema: ${p}`);

  const bot = (manifest.bots as Array<Record<string, unknown>> | undefined)?.[0];
  if (!bot) result.push('bots: Postwatch needs exactly one bot');
  else {
    const scopes = (bot.scopes as string[] | undefined) ?? [];
    for (const list of (bot.commandLists as Array<{ scopes: string[]; commands: Array<{ title: string }> }> | undefined) ?? []) {
      for (const scope of list.scopes) if (!scopes.includes(scope)) result.push(`bots/0/commandLists: scope ${scope} is not one of the bot's scopes`);
      const titles = list.commands.map((c) => c.title.toLowerCase());
      titles.forEach((t, i) => {
        if (titles.indexOf(t) !== i) result.push(`bots/0/commandLists (${list.scopes.join(',')}): duplicate command "${t}"`);
      });
    }
  }
  return result;
}

// ------------------------------------------------------------------ icons

/** Checks the icons Teams will reject or render badly; returns readable problems. */
export function checkIcons(color: Buffer, outline: Buffer): string[] {
  const problems: string[] = [];
  const read = (name: string, data: Buffer): PNG | undefined => {
    try {
      return PNG.sync.read(data);
    } catch (e) {
      problems.push(`${name} is not a readable PNG (${(e as Error).message})`);
      return undefined;
    }
  };
  const c = read(COLOR_ICON.file, color);
  if (c && (c.width !== COLOR_ICON.size || c.height !== COLOR_ICON.size)) {
    problems.push(`${COLOR_ICON.file} must be ${COLOR_ICON.size}x${COLOR_ICON.size} (it is ${c.width}x${c.height})`);
  }
  const o = read(OUTLINE_ICON.file, outline);
  if (o) {
    if (o.width !== OUTLINE_ICON.size || o.height !== OUTLINE_ICON.size) {
      problems.push(`${OUTLINE_ICON.file} must be ${OUTLINE_ICON.size}x${OUTLINE_ICON.size} (it is ${o.width}x${o.height})`);
    }
    const { transparent, white, other } = outlinePixels(o);
    if (other > 0) problems.push(`${OUTLINE_ICON.file} must be white on transparent: ${other} pixels are neither`);
    if (transparent === 0) problems.push(`${OUTLINE_ICON.file} has no transparent pixels`);
    if (white === 0) problems.push(`${OUTLINE_ICON.file} has no white pixels`);
  }
  return problems;
}

/** Counts outline-icon pixels: fully transparent, white (any alpha, for anti-aliased edges), other. */
export function outlinePixels(png: PNG): { transparent: number; white: number; other: number } {
  let transparent = 0;
  let white = 0;
  let other = 0;
  for (let i = 0; i < png.data.length; i += 4) {
    const [r, g, b, a] = [png.data[i]!, png.data[i + 1]!, png.data[i + 2]!, png.data[i + 3]!];
    if (a === 0) transparent++;
    else if (r === 255 && g === 255 && b === 255) white++;
    else other++;
  }
  return { transparent, white, other };
}

// ------------------------------------------------------------------ zip

/** Fixed timestamp so that the same inputs give a byte-identical package. */
const ZIP_MTIME = new Date(Date.UTC(2026, 0, 1));

export interface WritePackageOptions {
  manifest: Manifest;
  outDir: string;
  iconsDir?: string;
}

/** Writes <outDir>/postwatch-<version>.zip (manifest.json and both icons at the root); returns its path. */
export async function writePackage({ manifest, outDir, iconsDir = MANIFEST_DIR }: WritePackageOptions): Promise<string> {
  const color = readFileSync(join(iconsDir, COLOR_ICON.file));
  const outline = readFileSync(join(iconsDir, OUTLINE_ICON.file));
  const iconProblems = checkIcons(color, outline);
  if (iconProblems.length > 0) throw new PackageError('The icons in the package would be rejected by Teams:', iconProblems);

  const version = String(manifest.version);
  mkdirSync(outDir, { recursive: true });
  const zipPath = join(outDir, `postwatch-${version}.zip`);
  const zip = new yazl.ZipFile();
  zip.addBuffer(Buffer.from(`${JSON.stringify(manifest, null, 2)}\n`, 'utf8'), 'manifest.json', { mtime: ZIP_MTIME });
  zip.addBuffer(color, COLOR_ICON.file, { mtime: ZIP_MTIME });
  zip.addBuffer(outline, OUTLINE_ICON.file, { mtime: ZIP_MTIME });
  zip.end();
  await new Promise<void>((done, fail) => {
    const out = createWriteStream(zipPath);
    out.on('close', done);
    out.on('error', fail);
    zip.outputStream.on('error', fail);
    zip.outputStream.pipe(out);
  });
  return zipPath;
}

// ------------------------------------------------------------------ the whole job

export interface PackageResult {
  zipPath: string;
  manifest: Manifest;
  warnings: string[];
}

export async function packageApp(options: { env?: NodeJS.ProcessEnv; outDir?: string; iconsDir?: string; template?: Manifest } = {}): Promise<PackageResult> {
  const config = loadPackageConfig(options.env ?? process.env);
  const manifest = buildManifest(config, options.template ?? readTemplate());
  const problems = await validateManifest(manifest);
  if (problems.length > 0) throw new PackageError('The manifest does not validate against the official Teams schema:', problems);
  const zipPath = await writePackage({ manifest, outDir: options.outDir ?? join(ROOT, 'dist'), iconsDir: options.iconsDir ?? MANIFEST_DIR });
  const warnings = config.placeholders.map(
    (name) => `${name} is not set: the package uses a placeholder (${placeholderFor(name)}). Set it before you publish to the organisation.`,
  );
  if (!config.botDomain) warnings.push('POSTWATCH_BOT_DOMAIN is not set: validDomains is empty (fine for a bot-only app).');
  return { zipPath, manifest, warnings };
}

function placeholderFor(name: string): string {
  if (name === 'POSTWATCH_WEBSITE_URL') return PLACEHOLDER_DEFAULTS.websiteUrl;
  if (name === 'POSTWATCH_PRIVACY_URL') return PLACEHOLDER_DEFAULTS.privacyUrl;
  return PLACEHOLDER_DEFAULTS.termsOfUseUrl;
}

async function main(): Promise<void> {
  try {
    const { zipPath, manifest, warnings } = await packageApp();
    for (const w of warnings) console.warn(`warning: ${w}`);
    console.log(`Teams app package for ${String((manifest.name as { short: string }).short)} ${String(manifest.version)}:`);
    console.log(zipPath);
  } catch (e) {
    console.error(e instanceof PackageError ? e.message : e);
    process.exitCode = 1;
  }
}

if (process.argv[1] && resolve(process.argv[1]) === fileURLToPath(import.meta.url)) await main();
