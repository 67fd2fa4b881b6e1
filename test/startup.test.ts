import { describe, expect, it } from 'vitest';
import { loadConfig } from '../src/config.ts';
import { accountOf, startupBlock } from '../src/startup.ts';

const KEY = 'c2VjcmV0LWtleS1ub3QtdG8tYmUtcHJpbnRlZA==';

describe('the start-up block', () => {
  it('names the storage account and never its key or SAS token', () => {
    expect(accountOf(`DefaultEndpointsProtocol=https;AccountName=pwriverside;AccountKey=${KEY};EndpointSuffix=core.windows.net`)).toBe('"pwriverside"');
    const sas = accountOf('TableEndpoint=https://pwriverside.table.core.windows.net/;SharedAccessSignature=sv=2024&sig=abcdef');
    expect(sas).toBe('at pwriverside.table.core.windows.net');
    expect(accountOf(`AccountKey=${KEY}`)).not.toContain(KEY);
  });

  it('prints mode, storage, and a line per practice with its warnings', () => {
    const config = loadConfig({ MicrosoftAppId: 'app-id', MicrosoftAppPassword: 'pw', MicrosoftAppType: 'SingleTenant', MicrosoftAppTenantId: 'tenant' });
    if (!config.ok) throw new Error(config.error.join('; '));
    const block = startupBlock({
      config: config.value,
      storage: { kind: 'azure', connectionString: `AccountName=pwriverside;AccountKey=${KEY}` },
      url: 'http://0.0.0.0:3978',
      code: 'compiled (dist/app)',
      practices: [
        { practiceId: 'riverside', name: 'Riverside Surgery', managers: 1, deputies: 2, dataProtectionOfficers: 1, safeguardingLeads: 0, reviewChannel: true, reachableDeciders: 3, warnings: [] },
        { practiceId: 'hillview', name: 'Hillview', problem: 'RestError' },
      ],
    });
    expect(block).toContain('mode:      authenticated (Bot Framework tokens required; SingleTenant)');
    expect(block).toContain('storage:   Azure Storage account "pwriverside"');
    expect(block).toContain('Riverside Surgery (riverside): 1 manager, 2 deputies, 1 DPO, 0 safeguarding leads; review channel set; 3 deciders reachable');
    expect(block).toContain('Hillview (hillview): readiness not known (RestError)');
    expect(block).not.toContain(KEY);
  });

  it('says local mode and where the embedded emulator keeps its data', () => {
    const config = loadConfig({});
    if (!config.ok) throw new Error(config.error.join('; '));
    const block = startupBlock({
      config: config.value,
      storage: { kind: 'embedded', tableEndpoint: 'http://127.0.0.1:10002/devstoreaccount1', blobEndpoint: 'http://127.0.0.1:10000/devstoreaccount1', dataDir: '/srv/pw/.postwatch-data' },
      url: 'http://127.0.0.1:3978',
      code: 'TypeScript sources (tsx)',
      practices: [{ practiceId: 'practice', name: 'Your practice', managers: 0, deputies: 0, dataProtectionOfficers: 0, safeguardingLeads: 0, reviewChannel: false, reachableDeciders: 0, warnings: ['no practice manager: set POSTWATCH_MANAGERS'] }],
    });
    expect(block).toMatch(/mode:\s+local \(no authentication/);
    expect(block).toContain('storage:   embedded Azurite at http://127.0.0.1:10002/devstoreaccount1 (tables) and http://127.0.0.1:10000/devstoreaccount1 (blobs), data in /srv/pw/.postwatch-data');
    expect(block).toContain('      warning: no practice manager: set POSTWATCH_MANAGERS');
  });
});
