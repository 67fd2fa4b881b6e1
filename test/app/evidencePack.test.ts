import { createHash, randomUUID } from 'node:crypto';
import type { TableClient } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import { buildEvidencePack, EvidencePackNotFoundError, type ManifestFile } from '../../src/app/evidencePack.ts';
import { escapeHtml } from '../../src/app/evidencePackHtml.ts';
import { answerQuestion, askReporter, decide, route } from '../../src/domain/handling.ts';
import type { Incident, NewIncident } from '../../src/domain/incident.ts';
import { gradeReport, gradingFactsFrom } from '../../src/domain/policy/index.ts';
import type { EvidenceFile } from '../../src/domain/report.ts';
import type { PracticeRoles } from '../../src/domain/roles.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { auditRowKey } from '../../src/store/azure/auditChain.ts';
import { evidenceContainer, storageNames, tableClient } from '../../src/store/azure/clients.ts';
import { key } from '../../src/store/azure/entities.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { Stores } from '../../src/store/ports.ts';
import { unzip } from '../support/unzip.ts';
import { useAzurite } from '../support/azurite.ts';

const storage = useAzurite();
let stores: Stores;
let table: TableClient;

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
  table = tableClient(storage.connectionString, storageNames(storage.tablePrefix).incidents);
});

const HOSTILE = `<script>alert("pwned")</script> & <img src=x onerror=alert(1)> '${'${x}'}' </td></table><h1>fake</h1>`;
const reporter = { aadObjectId: 'aad-rita', name: 'Rita <b>Reception</b>' };
const manager = { aadObjectId: 'aad-mo', name: 'Mo "Manager" & co' };
const roles: PracticeRoles = { managers: ['aad-mo'], deputies: [], dataProtectionOfficers: [] };
const now = new Date('2026-11-20T12:00:00.000Z');
const clock = () => new Date('2026-11-21T08:30:00.000Z');

const PNG_1 = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47]), Buffer.from('first screenshot')]);
const JPEG_2 = Buffer.concat([Buffer.from([0xff, 0xd8, 0xff]), Buffer.from('second screenshot')]);

function sha256(bytes: Buffer | string): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** A reported, graded, decided incident with a question answered and two screenshots. */
async function decidedIncident(practiceId: string): Promise<{ incident: Incident; files: EvidenceFile[] }> {
  const draftId = randomUUID();
  const receivedAt = new Date('2026-11-20T09:05:00.000Z');
  const files = [
    await stores.evidence.put({ practiceId, draftId, fileName: 'post <1>.png', contentType: 'image/png', bytes: PNG_1, receivedAt }),
    await stores.evidence.put({ practiceId, draftId, fileName: 'comments.jpeg', contentType: 'image/jpeg', bytes: JPEG_2, receivedAt }),
  ];
  const draft: NewIncident = {
    practiceId,
    status: 'reported',
    reportedAt: '2026-11-20T10:15:00.000Z',
    reporter,
    draftId,
    facts: {
      where: {
        platform: 'facebook',
        postUrl: 'https://www.facebook.com/post/1?a=<b>&c="d"',
        seenAt: '2026-11-20T09:00:00.000Z',
        seenDate: '2026-11-20',
        seenTime: '09:00',
        authorName: '<i>Angry</i> Andy',
        authorRelationship: 'patient',
      },
      what: { postText: HOSTILE, categories: ['threat', 'names-staff'], namedParties: ['colleagues'], namedColleagues: 'Dr <Smith>' },
      risk: { atRisk: true, riskDetails: 'Said he would "wait outside" <tonight>' },
      evidence: { screenshots: files },
    },
  };
  let { incident } = await stores.incidents.submit(draft, reporter);
  const grading = gradeReport(DEFAULT_POLICY, gradingFactsFrom(incident.facts, 0));
  incident = await stores.incidents.update(route(incident, grading, 0, now), { actor: manager, action: 'incident.routed', summary: 'Routed to the deciders.' });
  const asked = askReporter(incident, roles, manager, 'Was anyone <named> in person?', now);
  if (!asked.ok) throw new Error(JSON.stringify(asked.error));
  incident = await stores.incidents.update(asked.value, { actor: manager, action: 'question.asked', summary: 'Question asked.' });
  const answered = answerQuestion(incident, reporter, 'Yes: "Dr <Smith>" & the nurse', now);
  if (!answered.ok) throw new Error(JSON.stringify(answered.error));
  incident = await stores.incidents.update(answered.value, { actor: reporter, action: 'question.answered', summary: 'Answered <by reporter>.' });
  const decided = decide(incident, roles, manager, { kind: 'actions', actions: [grading.actions[0]!.id] }, now);
  if (!decided.ok) throw new Error(JSON.stringify(decided.error));
  incident = await stores.incidents.update(decided.value, { actor: manager, action: 'decision.recorded', summary: 'Decided.' });
  return { incident, files };
}

describe('evidence pack', () => {
  it('holds the summary, the incident, the audit trail, every screenshot and a manifest, each with its SHA-256', async () => {
    const practiceId = 'practice-pack';
    const { incident, files } = await decidedIncident(practiceId);
    const pack = await buildEvidencePack(stores, practiceId, incident.reference, { now: clock, preparedFor: { name: manager.name } });

    expect(pack.fileName).toBe(`${incident.reference}-evidence.zip`);
    expect(pack.sha256).toBe(sha256(pack.bytes));
    expect(pack.intact).toBe(true);
    expect(pack.warnings).toEqual([]);
    expect(pack.chain).toMatchObject({ ok: true, entries: 5 });

    const zip = unzip(pack.bytes);
    const evidencePaths = [`evidence/${files[0]!.sha256}.png`, `evidence/${files[1]!.sha256}.jpg`].sort();
    // Deterministic order: summary, incident, trail, evidence by name, manifest last.
    expect([...zip.keys()]).toEqual(['summary.html', 'incident.json', 'audit.json', ...evidencePaths, 'manifest.json']);

    // Every screenshot, byte for byte, named by its hash.
    expect(zip.get(`evidence/${sha256(PNG_1)}.png`)).toEqual(PNG_1);
    expect(zip.get(`evidence/${sha256(JPEG_2)}.jpg`)).toEqual(JPEG_2);

    // The incident and its trail as stored.
    const stored = await stores.incidents.get(practiceId, incident.reference);
    const trail = await stores.incidents.auditTrail(practiceId, incident.reference);
    const { etag: _etag, ...asStored } = stored!;
    expect(JSON.parse(zip.get('incident.json')!.toString('utf8'))).toEqual({
      ...asStored,
      auditHead: { sequence: 5, hash: trail[4]!.hash },
    });
    expect(JSON.parse(zip.get('audit.json')!.toString('utf8'))).toEqual(trail);

    // The manifest lists every other file with its hash and size; the result says the same.
    const manifest = JSON.parse(zip.get('manifest.json')!.toString('utf8')) as { files: ManifestFile[]; intact: boolean; reference: string; generatedAt: string };
    expect(manifest.files.map((f) => f.path)).toEqual([...zip.keys()].filter((p) => p !== 'manifest.json'));
    for (const file of manifest.files) {
      expect(file.sha256, file.path).toBe(sha256(zip.get(file.path)!));
      expect(file.size, file.path).toBe(zip.get(file.path)!.length);
    }
    expect(pack.files).toEqual(manifest.files);
    expect(manifest).toMatchObject({ intact: true, reference: incident.reference, generatedAt: '2026-11-21T08:30:00.000Z' });
    expect(pack.evidence.map((e) => [e.status, e.recordedSha256, e.actualSha256, e.path])).toEqual([
      ['ok', files[0]!.sha256, files[0]!.sha256, `evidence/${files[0]!.sha256}.png`],
      ['ok', files[1]!.sha256, files[1]!.sha256, `evidence/${files[1]!.sha256}.jpg`],
    ]);

    // The summary: facts, grading, decision, questions, the whole trail with hashes, the evidence table.
    const html = zip.get('summary.html')!.toString('utf8');
    expect(html.startsWith('<!DOCTYPE html>')).toBe(true);
    expect(html).toContain('Integrity: verified');
    expect(html).toContain(incident.reference);
    for (const entry of trail) {
      expect(html).toContain(entry.hash);
      expect(html).toContain(escapeHtml(entry.summary));
    }
    for (const file of files) expect(html).toContain(file.sha256);
    expect(html).toContain('Severity');
    expect(html).toContain(escapeHtml(stored!.handling!.grading!.actions[0]!.title));
    expect(html).toContain('Actions chosen');
    expect(html).toContain('Was anyone &lt;named&gt; in person?');
    expect(html).toContain('Yes: &quot;Dr &lt;Smith&gt;&quot; &amp; the nurse');
    expect(html).toContain(`<img src="evidence/${files[0]!.sha256}.png"`);
    // Self-contained: no script, nothing fetched from elsewhere.
    expect(html).not.toMatch(/<script|<link|src="https?:|href="https?:|@import/i);
  });

  it('escapes every piece of user text in the summary', async () => {
    const practiceId = 'practice-pack-escape';
    const { incident } = await decidedIncident(practiceId);
    const html = unzip((await buildEvidencePack(stores, practiceId, incident.reference, { now: clock })).bytes).get('summary.html')!.toString('utf8');

    expect(html).toContain(escapeHtml(HOSTILE));
    expect(html).toContain('&lt;script&gt;alert(&quot;pwned&quot;)&lt;/script&gt; &amp; &lt;img src=x onerror=alert(1)&gt;');
    for (const text of [reporter.name, manager.name, '<i>Angry</i> Andy', 'Dr <Smith>', 'post <1>.png', 'https://www.facebook.com/post/1?a=<b>&c="d"', 'Said he would "wait outside" <tonight>']) {
      expect(html, text).toContain(escapeHtml(text));
      expect(html, text).not.toContain(text);
    }
    // Only the page's own markup: no element or attribute from the hostile text survives.
    expect(html).not.toMatch(/<script|<img src=x|<h1>fake|<i>Angry|<b>Reception|<\/td><\/table><h1>/);
    expect(html.match(/<table/g)?.length).toBe(html.match(/<\/table>/g)?.length);
  });

  it('is the same zip, byte for byte, when built twice from the same record at the same time', async () => {
    const practiceId = 'practice-pack-same';
    const { incident } = await decidedIncident(practiceId);
    const a = await buildEvidencePack(stores, practiceId, incident.reference, { now: clock });
    const b = await buildEvidencePack(stores, practiceId, incident.reference, { now: clock });
    expect(b.sha256).toBe(a.sha256);
    expect(b.bytes.equals(a.bytes)).toBe(true);
  });

  it('flags a screenshot whose stored bytes were changed, loudly, in the summary, the manifest and the result', async () => {
    const practiceId = 'practice-pack-tampered';
    const { incident, files } = await decidedIncident(practiceId);
    const doctored = Buffer.from('a different picture');
    const container = evidenceContainer(storage.connectionString, storageNames(storage.tablePrefix).evidenceContainer);
    await container.getBlockBlobClient(files[1]!.blobName).uploadData(doctored);

    const pack = await buildEvidencePack(stores, practiceId, incident.reference, { now: clock });
    expect(pack.intact).toBe(false);
    expect(pack.evidence[0]).toMatchObject({ status: 'ok' });
    expect(pack.evidence[1]).toMatchObject({ status: 'altered', recordedSha256: files[1]!.sha256, actualSha256: sha256(doctored) });
    expect(pack.warnings).toHaveLength(1);
    expect(pack.warnings[0]).toMatch(new RegExp(`^Evidence file ${files[1]!.sha256} has been ALTERED`));

    const zip = unzip(pack.bytes);
    const alteredPath = `evidence/${files[1]!.sha256}-ALTERED.jpg`;
    expect(zip.get(alteredPath)).toEqual(doctored);
    expect(zip.has(`evidence/${files[1]!.sha256}.jpg`)).toBe(false);
    const manifest = JSON.parse(zip.get('manifest.json')!.toString('utf8')) as { files: ManifestFile[]; intact: boolean; warnings: string[] };
    expect(manifest.intact).toBe(false);
    expect(manifest.warnings).toEqual(pack.warnings);
    expect(manifest.files.find((f) => f.path === alteredPath)?.sha256).toBe(sha256(doctored));

    const html = zip.get('summary.html')!.toString('utf8');
    expect(html).toContain('WARNING: integrity problems found');
    expect(html).not.toContain('Integrity: verified');
    expect(html).toContain('<strong>ALTERED</strong>');
    expect(html).toContain(sha256(doctored));
    // A picture that is not what was received is listed, not shown as evidence.
    expect(html).not.toContain(`<img src="${alteredPath}"`);

    // A screenshot gone from storage is flagged as missing.
    await container.getBlockBlobClient(files[0]!.blobName).delete();
    const worse = await buildEvidencePack(stores, practiceId, incident.reference, { now: clock });
    expect(worse.evidence.map((e) => e.status)).toEqual(['missing', 'altered']);
    expect(worse.warnings[0]).toMatch(/is MISSING from storage/);
    expect([...unzip(worse.bytes).keys()].filter((p) => p.startsWith('evidence/'))).toEqual([alteredPath]);
  });

  it('flags a broken audit chain in the summary', async () => {
    const practiceId = 'practice-pack-chain';
    const { incident } = await decidedIncident(practiceId);
    await table.deleteEntity(key(practiceId), auditRowKey(incident.reference, 3));
    const pack = await buildEvidencePack(stores, practiceId, incident.reference, { now: clock });
    expect(pack.intact).toBe(false);
    expect(pack.chain).toMatchObject({ ok: false, brokenAt: 3 });
    expect(pack.warnings).toEqual(['Audit trail: Entry 3 is missing (deleted): the trail goes from entry 2 to entry 4.']);
    const html = unzip(pack.bytes).get('summary.html')!.toString('utf8');
    expect(html).toContain('WARNING: integrity problems found');
    expect(html).toContain('Entry 3 is missing (deleted)');
  });

  it('refuses an incident that is not there, or that belongs to another practice', async () => {
    const { incident } = await decidedIncident('practice-pack-mine');
    await expect(buildEvidencePack(stores, 'practice-pack-other', incident.reference)).rejects.toBeInstanceOf(EvidencePackNotFoundError);
    await expect(buildEvidencePack(stores, 'practice-pack-mine', 'PW-2026-9999')).rejects.toBeInstanceOf(EvidencePackNotFoundError);
  });
});
