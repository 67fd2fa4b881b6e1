import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { AppManifestUtils } from '@microsoft/app-manifest';
import { PNG } from 'pngjs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { COMMANDS, parseCommand } from '../../src/bot/commands.ts';
import {
  buildManifest,
  checkIcons,
  loadPackageConfig,
  packageApp,
  PackageError,
  packageJsonVersion,
  readTemplate,
  ROOT,
  validateManifest,
  type Manifest,
} from '../../scripts/package.ts';
import { unzip } from '../support/unzip.ts';

const APP_ID = '6f1c2a3b-4d5e-4f60-8a7b-9c0d1e2f3a4b';
const ENV = {
  MicrosoftAppId: APP_ID,
  POSTWATCH_APP_VERSION: '1.4.2',
  POSTWATCH_BOT_DOMAIN: 'https://postwatch-test.azurewebsites.net/api/messages',
  POSTWATCH_DEVELOPER_NAME: 'Riverside PCN',
  POSTWATCH_WEBSITE_URL: 'https://riverside.example.nhs.uk/postwatch',
  POSTWATCH_PRIVACY_URL: 'https://riverside.example.nhs.uk/privacy',
  POSTWATCH_TERMS_URL: 'https://riverside.example.nhs.uk/terms',
};

interface Bot {
  botId: string;
  scopes: string[];
  supportsFiles?: boolean;
  isNotificationOnly?: boolean;
  commandLists: Array<{ scopes: string[]; commands: Array<{ title: string; description: string }> }>;
}

/** The official schema, located independently of the package script. */
function officialSchema(version: string): object {
  const build = dirname(createRequire(import.meta.url).resolve('@microsoft/app-manifest'));
  const file = join(build, 'json-schemas', 'teams', `v${version}`, 'MicrosoftTeams.schema.json');
  return JSON.parse(readFileSync(file, 'utf8').replace(/\\a/g, '\\u0007').replace(/\\v/g, '\\u000b')) as object;
}

async function schemaErrors(manifest: Manifest): Promise<string[]> {
  type Args = Parameters<typeof AppManifestUtils.validateAgainstSchema>;
  const schema = officialSchema(String(manifest.manifestVersion));
  return AppManifestUtils.validateAgainstSchema(manifest as unknown as Args[0], schema as Args[1]);
}

describe('the Teams app package', () => {
  let dir: string;
  let zipPath: string;
  let files: Map<string, Buffer>;
  let manifest: Manifest;
  let bot: Bot;

  beforeAll(async () => {
    dir = mkdtempSync(join(tmpdir(), 'postwatch-package-'));
    ({ zipPath } = await packageApp({ env: ENV, outDir: dir }));
    files = unzip(readFileSync(zipPath));
    manifest = JSON.parse(files.get('manifest.json')!.toString('utf8')) as Manifest;
    bot = (manifest.bots as Bot[])[0]!;
  });

  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is dist-style postwatch-<version>.zip with manifest.json and both icons at the root', () => {
    expect(basename(zipPath)).toBe('postwatch-1.4.2.zip');
    expect(readdirSync(dir)).toEqual(['postwatch-1.4.2.zip']);
    expect([...files.keys()].sort()).toEqual(['color.png', 'manifest.json', 'outline.png']);
  });

  it('validates against the official manifest schema, offline', async () => {
    expect(manifest.manifestVersion).toBe('1.22');
    expect(manifest.$schema).toBe(`https://developer.microsoft.com/json-schemas/teams/v${String(manifest.manifestVersion)}/MicrosoftTeams.schema.json`);
    expect(await schemaErrors(manifest)).toEqual([]);
  });

  it('is a schema version Teams accepts for bots with Universal Actions (1.17 or later, one the library ships)', () => {
    const [major, minor] = String(manifest.manifestVersion).split('.').map(Number);
    expect(major).toBe(1);
    expect(minor).toBeGreaterThanOrEqual(17);
  });

  it('carries the configured MicrosoftAppId as the bot id and the app id', () => {
    expect(bot.botId).toBe(APP_ID);
    expect(manifest.id).toBe(APP_ID);
  });

  it('fills name, version, domain and developer from configuration', () => {
    expect(manifest.version).toBe('1.4.2');
    expect(manifest.name).toEqual({ short: 'Postwatch', full: 'Postwatch: social media incident reporting' });
    expect(manifest.validDomains).toEqual(['postwatch-test.azurewebsites.net']);
    expect(manifest.developer).toEqual({
      name: 'Riverside PCN',
      websiteUrl: 'https://riverside.example.nhs.uk/postwatch',
      privacyUrl: 'https://riverside.example.nhs.uk/privacy',
      termsOfUseUrl: 'https://riverside.example.nhs.uk/terms',
    });
    expect(JSON.stringify(manifest)).not.toContain('${{');
  });

  it('is a conversational bot in personal, team and group chat that accepts files', () => {
    expect(bot.scopes).toEqual(['personal', 'team', 'groupChat']);
    expect(bot.supportsFiles).toBe(true);
    expect(bot.isNotificationOnly).toBe(false);
    expect(manifest.permissions).toEqual(['identity', 'messageTeamMembers']);
    expect(manifest.accentColor).toMatch(/^#[0-9A-Fa-f]{6}$/);
  });

  it('lists only commands the bot handles', () => {
    const titles = bot.commandLists.flatMap((l) => l.commands.map((c) => c.title));
    expect(titles.length).toBeGreaterThan(0);
    for (const title of titles) expect(parseCommand(title).kind, title).not.toBe('unknown');
  });

  it('builds the command menu from COMMANDS, one list per scope', () => {
    for (const list of bot.commandLists) expect(list.scopes).toHaveLength(1);
    for (const scope of ['personal', 'team', 'groupChat']) {
      const list = bot.commandLists.find((l) => l.scopes[0] === scope);
      const expected = COMMANDS.filter((c) => (c.scopes as readonly string[]).includes(scope)).map((c) => ({ title: c.title, description: c.description }));
      expect(list?.commands ?? [], scope).toEqual(expected);
    }
  });

  it('has a 192x192 colour icon that is fully opaque', () => {
    const png = PNG.sync.read(files.get('color.png')!);
    expect([png.width, png.height]).toEqual([192, 192]);
    let notOpaque = 0;
    for (let i = 3; i < png.data.length; i += 4) if (png.data[i] !== 255) notOpaque++;
    expect(notOpaque).toBe(0);
    // Designed, not a flat fill: the tile, the white bubble and the dark shield are all there.
    const colours = new Set<string>();
    for (let i = 0; i < png.data.length; i += 4) colours.add(`${png.data[i]},${png.data[i + 1]},${png.data[i + 2]}`);
    expect(colours).toContain('0,94,184');
    expect(colours).toContain('255,255,255');
    expect(colours).toContain('0,48,135');
  });

  it('has a 32x32 outline icon that is white on transparent, with some of each', () => {
    const png = PNG.sync.read(files.get('outline.png')!);
    expect([png.width, png.height]).toEqual([32, 32]);
    let transparent = 0;
    let white = 0;
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
      if (a === 0) transparent++;
      else {
        expect([r, g, b], `pixel ${i / 4}`).toEqual([255, 255, 255]);
        white++;
      }
    }
    expect(transparent).toBeGreaterThan(100);
    expect(white).toBeGreaterThan(100);
  });
});

describe('package configuration', () => {
  it('names MicrosoftAppId when it is missing, and writes nothing', async () => {
    expect(() => loadPackageConfig({})).toThrow(/MicrosoftAppId is not set/);
    const dir = mkdtempSync(join(tmpdir(), 'postwatch-package-'));
    try {
      await expect(packageApp({ env: { POSTWATCH_APP_NAME: 'Postwatch' }, outDir: dir })).rejects.toThrow(/MicrosoftAppId/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('rejects a MicrosoftAppId that is not a GUID', () => {
    expect(() => loadPackageConfig({ MicrosoftAppId: 'postwatch-bot' })).toThrow(/MicrosoftAppId must be a GUID/);
  });

  it('lists every problem at once, by variable name', () => {
    try {
      loadPackageConfig({
        POSTWATCH_APP_NAME: 'A name far too long for the Teams app bar',
        POSTWATCH_APP_VERSION: '1.0',
        POSTWATCH_BOT_DOMAIN: 'not a host',
        POSTWATCH_PRIVACY_URL: 'http://insecure.example.com/privacy',
      });
      expect.unreachable();
    } catch (e) {
      expect(e).toBeInstanceOf(PackageError);
      const text = (e as PackageError).problems.join('\n');
      for (const name of ['MicrosoftAppId', 'POSTWATCH_APP_NAME', 'POSTWATCH_APP_VERSION', 'POSTWATCH_BOT_DOMAIN', 'POSTWATCH_PRIVACY_URL']) {
        expect(text).toContain(name);
      }
    }
  });

  it('defaults the name, the version (package.json) and the developer details', () => {
    const config = loadPackageConfig({ MicrosoftAppId: APP_ID });
    expect(config.appName).toBe('Postwatch');
    expect(config.appVersion).toBe(packageJsonVersion());
    expect(config.botDomain).toBeUndefined();
    expect(config.placeholders).toEqual(['POSTWATCH_WEBSITE_URL', 'POSTWATCH_PRIVACY_URL', 'POSTWATCH_TERMS_URL']);
    expect(buildManifest(config).validDomains).toEqual([]);
  });

  it('sets user values as data, so quotes and backslashes cannot break the JSON', async () => {
    const name = 'St "Mary\'s" \\ Surgery';
    const manifest = buildManifest(loadPackageConfig({ MicrosoftAppId: APP_ID, POSTWATCH_APP_NAME: name }));
    expect((manifest.name as { short: string }).short).toBe(name);
    expect(await validateManifest(manifest)).toEqual([]);
  });

  it('the command-line script exits 1 and names MicrosoftAppId when it is missing', () => {
    const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, HOME: process.env.HOME };
    const run = spawnSync(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts', 'package.ts')], { cwd: ROOT, env, encoding: 'utf8' });
    expect(run.status).toBe(1);
    expect(run.stderr).toContain('MicrosoftAppId is not set');
  });
});

describe('validation catches what Teams would reject', () => {
  const config = () => loadPackageConfig({ MicrosoftAppId: APP_ID, POSTWATCH_APP_VERSION: '2.0.0' });

  it('a broken manifest fails the official schema with a readable error', async () => {
    const manifest = buildManifest(config());
    (manifest.description as { short: string }).short = 'x'.repeat(81);
    (manifest.bots as Bot[])[0]!.botId = 'not-a-guid';
    const problems = await validateManifest(manifest);
    expect(problems.some((p) => p.includes('/description/short'))).toBe(true);
    expect(problems.some((p) => p.includes('/bots/0/botId'))).toBe(true);
    expect(await schemaErrors(manifest)).not.toEqual([]);
  });

  it('packaging refuses a template that produces an invalid manifest, and writes nothing', async () => {
    const template = readTemplate();
    (template as { accentColor: string }).accentColor = 'NHS blue';
    const dir = mkdtempSync(join(tmpdir(), 'postwatch-package-'));
    try {
      await expect(packageApp({ env: { MicrosoftAppId: APP_ID }, outDir: dir, template })).rejects.toThrow(/accentColor/);
      expect(readdirSync(dir)).toEqual([]);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('an unknown placeholder in the template is an error, not a silent gap', () => {
    const template = { ...readTemplate(), accentColor: '${{ACCENT}}' };
    expect(() => buildManifest(config(), template)).toThrow(/ACCENT/);
  });

  it('a command the bot does not parse would be caught', () => {
    const manifest = buildManifest(config(), readTemplate(), [...COMMANDS, { title: 'delete everything', description: 'no', scopes: ['personal'] }]);
    const titles = (manifest.bots as Bot[])[0]!.commandLists.flatMap((l) => l.commands.map((c) => c.title));
    expect(titles.filter((t) => parseCommand(t).kind === 'unknown')).toEqual(['delete everything']);
  });

  it('icons of the wrong size or colour are refused', () => {
    const color = readFileSync(join(ROOT, 'manifest', 'color.png'));
    const outline = readFileSync(join(ROOT, 'manifest', 'outline.png'));
    expect(checkIcons(color, outline)).toEqual([]);
    const swapped = checkIcons(outline, color).join('\n');
    expect(swapped).toContain('color.png must be 192x192');
    expect(swapped).toContain('outline.png must be 32x32');
    expect(swapped).toContain('must be white on transparent');
  });
});
