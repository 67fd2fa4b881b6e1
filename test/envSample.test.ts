import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { describe, expect, it } from 'vitest';
import { loadConfig, SETTING_NAMES } from '../src/config.ts';

/** env.sample is what a newcomer copies to .env: it must start the bot exactly as written. */
const SAMPLE = readFileSync(new URL('../env.sample', import.meta.url), 'utf8');

describe('env.sample', () => {
  it('is accepted verbatim by the configuration parser: local mode, embedded storage, one practice', () => {
    // Parsed by Node's own .env parser, the one `npm start` uses to read .env.
    const env = parseEnv(SAMPLE) as NodeJS.ProcessEnv;
    const cwd = mkdtempSync(join(tmpdir(), 'postwatch-envsample-'));
    const config = loadConfig(env, cwd);
    rmSync(cwd, { recursive: true, force: true });
    expect(config.ok ? [] : config.error).toEqual([]);
    if (!config.ok) return;
    expect(config.value.bot.authEnabled).toBe(false);
    expect(config.value.storage).toEqual({ kind: 'embedded', dataDir: join(cwd, '.postwatch-data') });
    expect(config.value.practices.practices.map((p) => p.id)).toEqual(['practice']);
    expect(config.value.publicUrl).toBe(`http://127.0.0.1:${config.value.port}`);
    expect(config.value.linkSecret).toBeUndefined();
  });

  it('lists every setting the parser reads, and nothing else, each with a comment above it', () => {
    const lines = SAMPLE.split('\n');
    const listed = lines.flatMap((line) => /^([A-Za-z_][A-Za-z0-9_]*)=/.exec(line)?.[1] ?? []);
    expect([...listed].sort()).toEqual([...SETTING_NAMES].sort());
    for (const name of listed) {
      const at = lines.findIndex((line) => line.startsWith(`${name}=`));
      // The nearest line above that is not another setting is a comment.
      let above = at - 1;
      while (above >= 0 && /^[A-Za-z_][A-Za-z0-9_]*=/.test(lines[above]!)) above--;
      expect(lines[above], `${name} has no comment above it`).toMatch(/^#/);
    }
  });
});

describe('an empty value means "not set"', () => {
  it.each(SETTING_NAMES)('%s= (empty or blank) is the same as leaving it out', (name) => {
    const unset = loadConfig({});
    for (const value of ['', '  ']) {
      const empty = loadConfig({ [name]: value });
      expect(empty.ok ? [] : empty.error).toEqual([]);
      expect(empty.ok && unset.ok && { ...empty.value, policies: undefined }).toEqual(unset.ok && { ...unset.value, policies: undefined });
    }
  });

  it('still refuses a value that is set and wrong, naming the setting', () => {
    const config = loadConfig({ POSTWATCH_PUBLIC_URL: 'not a url', POSTWATCH_LINK_SECRET: 'short' });
    expect(config.ok).toBe(false);
    expect(!config.ok && config.error.join('\n')).toMatch(/POSTWATCH_PUBLIC_URL[\s\S]*POSTWATCH_LINK_SECRET/);
  });
});
