import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';

/** Folders this file made, removed after it. */
const made: string[] = [];
afterAll(async () => {
  await Promise.all(made.map((dir) => rm(dir, { recursive: true, force: true })));
});

async function file(name: string, content: unknown): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'postwatch-config-'));
  made.push(dir);
  const path = join(dir, name);
  await writeFile(path, typeof content === 'string' ? content : JSON.stringify(content));
  return path;
}

describe('configuration', () => {
  it('runs in local mode with embedded storage and one practice when nothing is set', () => {
    const c = loadConfig({});
    expect(c.ok).toBe(true);
    if (!c.ok) return;
    expect(c.value.port).toBe(3978);
    expect(c.value.bot.authEnabled).toBe(false);
    expect(c.value.storage.kind).toBe('embedded');
    expect(c.value.practices.practices.map((p) => p.id)).toEqual(['practice']);
    expect(c.value.policies.get('practice')?.severities).toBeDefined();
  });

  it('turns authentication on whenever MicrosoftAppId is set', () => {
    const c = loadConfig({ MicrosoftAppId: 'abc', MicrosoftAppPassword: 'x', PORT: '4000' });
    expect(c.ok && c.value.bot.authEnabled).toBe(true);
    expect(c.ok && c.value.port).toBe(4000);
  });

  it('refuses to start in production without credentials and storage, naming each', () => {
    const c = loadConfig({ NODE_ENV: 'production' });
    expect(c.ok).toBe(false);
    if (c.ok) return;
    const text = c.error.join('\n');
    expect(text).toContain('MicrosoftAppId');
    expect(text).toContain('MicrosoftAppPassword');
    expect(text).toContain('AZURE_STORAGE_CONNECTION_STRING');
  });

  it('names the field that is wrong in a practices file', async () => {
    const path = await file('practices.json', { practices: [{ id: 'Bad Id', name: 'X' }] });
    const c = loadConfig({ POSTWATCH_PRACTICES_FILE: path });
    expect(!c.ok && c.error.join('\n')).toMatch(/practices\.0\.id/);
    const broken = await file('broken.json', '{ "practices": [');
    const d = loadConfig({ POSTWATCH_PRACTICES_FILE: broken });
    expect(!d.ok && d.error.join('\n')).toMatch(/cannot read .* as JSON/);
  });

  it('loads each practice\'s own policy file and names a bad field in it', async () => {
    const bad = await file('policy.json', { severities: { high: { decisionTargetHours: -1 } } });
    const practices = await file('practices.json', { practices: [{ id: 'millbrook', name: 'Millbrook', policyFile: bad }] });
    const c = loadConfig({ POSTWATCH_PRACTICES_FILE: practices });
    expect(!c.ok && c.error.join('\n')).toMatch(/millbrook.*[\s\S]*severities\.high\.decisionTargetHours/);
  });

  it("takes a targeted colleague's support text from the practice's configuration, else from its own policy file, never another practice's", async () => {
    const policy = await file('riverside-policy.json', { supportText: 'Talk to Dr Shah, our wellbeing lead, or call the staff helpline.' });
    const practices = await file('practices.json', {
      practices: [
        { id: 'riverside', name: 'Riverside Surgery', policyFile: policy },
        { id: 'hillside', name: 'Hillside Surgery', policyFile: policy, supportText: 'See the noticeboard in the staff room.' },
        { id: 'valley', name: 'Valley Surgery' },
      ],
    });
    const c = loadConfig({ POSTWATCH_PRACTICES_FILE: practices });
    expect(c.ok).toBe(true);
    const support = Object.fromEntries((c.ok ? c.value.practices.practices : []).map((p) => [p.id, p.supportText]));
    expect(support).toEqual({
      riverside: 'Talk to Dr Shah, our wellbeing lead, or call the staff helpline.',
      hillside: 'See the noticeboard in the staff room.',
      valley: undefined,
    });
  });

  it('reads the tenant allowlist and the Bot Framework metadata override', () => {
    const c = loadConfig({
      POSTWATCH_ALLOWED_TENANTS: ' t1, t2 ,',
      ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:1/.well-known/openid',
      ToBotFromChannelTokenIssuer: 'https://api.botframework.com',
    });
    expect(c.ok && c.value.allowedTenants).toEqual(['t1', 't2']);
    expect(c.ok && c.value.bot.openIdMetadataUrl).toBe('http://127.0.0.1:1/.well-known/openid');
    const half = loadConfig({ ToBotFromChannelOpenIdMetadataUrl: 'http://127.0.0.1:1/.well-known/openid' });
    expect(!half.ok && half.error.join('\n')).toMatch(/must be set together/);
  });
});
