import { factsHash } from '../../src/store/azure/auditChain.ts';
import { execFile } from 'node:child_process';
import { createHash, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { TableClient } from '@azure/data-tables';
import { beforeAll, describe, expect, it } from 'vitest';
import {
  checkAuditRecord,
  describeChainReport,
  reportedEvidenceHashes,
  summariseChainReports,
  verifyAuditChains,
  type ChainReport,
} from '../../src/app/auditVerify.ts';
import type { Incident, NewIncident } from '../../src/domain/incident.ts';
import type { EvidenceFile } from '../../src/domain/report.ts';
import { auditRowKey } from '../../src/store/azure/auditChain.ts';
import { evidenceContainer, storageNames, tableClient } from '../../src/store/azure/clients.ts';
import { key } from '../../src/store/azure/entities.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import type { AuditActor, AuditRecord, Stores } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

const storage = useAzurite();
let stores: Stores;
let table: TableClient;

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
  table = tableClient(storage.connectionString, storageNames(storage.tablePrefix).incidents);
});

const reporter = { aadObjectId: 'aad-reporter', name: 'Rita Reception' };
const manager: AuditActor = { aadObjectId: 'aad-manager', name: 'Mo Manager' };

async function screenshot(practiceId: string, draftId: string, n: number): Promise<EvidenceFile> {
  return stores.evidence.put({
    practiceId,
    draftId,
    fileName: `screenshot-${n}.png`,
    contentType: 'image/png',
    bytes: Buffer.from(`screenshot ${n} of ${draftId}`),
    receivedAt: new Date('2026-11-20T09:05:00.000Z'),
  });
}

/** An incident with two screenshots and five audit entries: reported, three updates, one audit-only entry. */
async function incidentWithHistory(practiceId: string, screenshots = 2): Promise<Incident> {
  const draftId = randomUUID();
  const files: EvidenceFile[] = [];
  for (let n = 1; n <= screenshots; n++) files.push(await screenshot(practiceId, draftId, n));
  const draft: NewIncident = {
    practiceId,
    status: 'reported',
    reportedAt: '2026-11-20T10:15:00.000Z',
    reporter,
    draftId,
    facts: {
      where: { platform: 'facebook', seenAt: '2026-11-20T09:00:00.000Z', seenDate: '2026-11-20', seenTime: '09:00', authorRelationship: 'patient' },
      what: { postText: 'The receptionist was rude', categories: ['personal-attack'], namedParties: ['practice'] },
      risk: { atRisk: false },
      evidence: files.length ? { screenshots: files } : { screenshots: [], noScreenshotReason: 'Deleted' },
    },
  };
  let { incident } = await stores.incidents.submit(draft, reporter);
  incident = await stores.incidents.update({ ...incident, status: 'awaiting-decision' }, { actor: manager, action: 'incident.routed', summary: 'Routed.' });
  incident = await stores.incidents.update({ ...incident, status: 'in-progress' }, { actor: manager, action: 'decision.recorded', summary: 'Decided.' });
  incident = await stores.incidents.update({ ...incident, status: 'resolved' }, { actor: manager, action: 'task.done', summary: 'Done.' });
  await stores.incidents.appendAudit(practiceId, incident.reference, { actor: manager, action: 'access.refused', summary: 'Refused.' });
  return incident;
}

async function verifyOne(practiceId: string, reference: string, rehashEvidence = false): Promise<ChainReport> {
  const reports = await verifyAuditChains(stores, { practiceId, reference, rehashEvidence });
  expect(reports).toHaveLength(1);
  return reports[0]!;
}

/** An audit row as stored, without the service's metadata, ready to be written back. */
async function auditRow(practiceId: string, reference: string, sequence: number): Promise<Record<string, unknown> & { partitionKey: string; rowKey: string }> {
  const { etag: _e, timestamp: _t, ...row } = (await table.getEntity(key(practiceId), auditRowKey(reference, sequence))) as Record<string, unknown> & {
    partitionKey: string;
    rowKey: string;
  };
  delete row['odata.metadata'];
  return row;
}

async function writeRow(row: Record<string, unknown> & { partitionKey: string; rowKey: string }): Promise<void> {
  await table.upsertEntity(row, 'Replace');
}

describe('the first audit entry names the evidence (store)', () => {
  it('lists every screenshot SHA-256 in the "incident.reported" summary, and nothing when there is none', async () => {
    const withShots = await incidentWithHistory('practice-evidence-summary');
    const trail = await stores.incidents.auditTrail('practice-evidence-summary', withShots.reference);
    const hashes = withShots.facts.evidence.screenshots.map((s) => s.sha256);
    expect(trail[0]?.action).toBe('incident.reported');
    expect(trail[0]?.summary).toBe(`Reported by Rita Reception. Report SHA-256: ${factsHash(withShots.facts)}. Evidence SHA-256: ${hashes.join(', ')}.`);
    expect(reportedEvidenceHashes(trail[0]!.summary)).toEqual(hashes);

    const without = await incidentWithHistory('practice-evidence-summary', 0);
    const first = (await stores.incidents.auditTrail('practice-evidence-summary', without.reference))[0];
    expect(first?.summary).toBe(`Reported by Rita Reception. Report SHA-256: ${factsHash(without.facts)}.`);
    expect(reportedEvidenceHashes(first!.summary)).toEqual([]);
  });

  it('reads only the list at the end of the summary, so a name cannot add hashes', () => {
    const fake = 'a'.repeat(64);
    expect(reportedEvidenceHashes(`Reported by Evidence SHA-256: ${fake}. Mallory.`)).toEqual([]);
  });
});

describe('audit chain verification against storage', () => {
  it('verifies an untouched chain, per incident, per practice and across practices', async () => {
    const a1 = await incidentWithHistory('practice-ok-a');
    const a2 = await incidentWithHistory('practice-ok-a', 0);
    const b1 = await incidentWithHistory("practice-ok-b/o'brien");

    const one = await verifyOne('practice-ok-a', a1.reference, true);
    expect(one).toEqual({ practiceId: 'practice-ok-a', reference: a1.reference, ok: true, entries: 5, problems: [] });

    const practice = await verifyAuditChains(stores, { practiceId: 'practice-ok-a' });
    expect(practice.map((r) => [r.reference, r.ok])).toEqual([
      [a1.reference, true],
      [a2.reference, true],
    ]);

    const seen: ChainReport[] = [];
    const all = await verifyAuditChains(stores, { onReport: (r) => seen.push(r) });
    expect(seen).toEqual(all);
    const mine = all.filter((r) => r.practiceId.startsWith('practice-ok-'));
    expect(mine.map((r) => `${r.practiceId} ${r.reference} ${r.ok}`)).toEqual([
      `practice-ok-a ${a1.reference} true`,
      `practice-ok-a ${a2.reference} true`,
      `practice-ok-b/o'brien ${b1.reference} true`,
    ]);
    expect(describeChainReport(one)).toBe(`ok     practice-ok-a ${a1.reference} (5 entries)`);
  });

  it('names an edited entry', async () => {
    const incident = await incidentWithHistory('practice-edited');
    const row = await auditRow('practice-edited', incident.reference, 3);
    await writeRow({ ...row, summary: 'Decided to do nothing.' });

    const report = await verifyOne('practice-edited', incident.reference);
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toBe(3);
    expect(report.problems).toHaveLength(1);
    expect(report.problems[0]).toMatchObject({ kind: 'edited', sequence: 3 });
    expect(describeChainReport(report)).toMatch(new RegExp(`^BROKEN practice-edited ${incident.reference} at entry 3: Entry 3 was changed`));
  });

  it('names an edited entry whose own hash was recomputed by the next entry', async () => {
    const incident = await incidentWithHistory('practice-rehashed');
    const { auditHash } = await import('../../src/store/azure/auditChain.ts');
    const trail = await stores.incidents.auditTrail('practice-rehashed', incident.reference);
    const forged = { ...trail[1]!, summary: 'Routed elsewhere.' };
    const row = await auditRow('practice-rehashed', incident.reference, 2);
    await writeRow({ ...row, summary: forged.summary, hash: auditHash(forged.previousHash, forged) });

    const report = await verifyOne('practice-rehashed', incident.reference);
    expect(report).toMatchObject({ ok: false, brokenAt: 3 });
    expect(report.problems[0]).toMatchObject({ kind: 'broken-link', sequence: 3 });
  });

  it('names a deleted entry in the middle', async () => {
    const incident = await incidentWithHistory('practice-deleted');
    await table.deleteEntity(key('practice-deleted'), auditRowKey(incident.reference, 3));

    const report = await verifyOne('practice-deleted', incident.reference);
    expect(report).toMatchObject({ ok: false, brokenAt: 3, entries: 4 });
    expect(report.problems[0]).toMatchObject({ kind: 'missing-entry', sequence: 3 });
    expect(report.problems[0]?.detail).toBe('Entry 3 is missing (deleted): the trail goes from entry 2 to entry 4.');
  });

  it('names a deleted last entry, from the head kept on the incident', async () => {
    const incident = await incidentWithHistory('practice-deleted-last');
    await table.deleteEntity(key('practice-deleted-last'), auditRowKey(incident.reference, 5));

    const report = await verifyOne('practice-deleted-last', incident.reference);
    expect(report).toMatchObject({ ok: false, brokenAt: 5, entries: 4 });
    expect(report.problems).toEqual([
      { kind: 'missing-entry', sequence: 5, detail: 'Entry 5 is missing (deleted): the incident records 5 entries but the trail ends at entry 4.' },
    ]);
  });

  it('names the first of two reordered entries (content swapped, numbers kept)', async () => {
    const incident = await incidentWithHistory('practice-reordered');
    const two = await auditRow('practice-reordered', incident.reference, 2);
    const three = await auditRow('practice-reordered', incident.reference, 3);
    await writeRow({ ...three, partitionKey: two.partitionKey, rowKey: two.rowKey, sequence: 2 });
    await writeRow({ ...two, partitionKey: three.partitionKey, rowKey: three.rowKey, sequence: 3 });

    const report = await verifyOne('practice-reordered', incident.reference);
    expect(report).toMatchObject({ ok: false, brokenAt: 2 });
    expect(report.problems[0]).toMatchObject({ kind: 'broken-link', sequence: 2 });
  });

  it('names the first of two swapped rows (whole rows swapped, numbers included)', async () => {
    const incident = await incidentWithHistory('practice-swapped');
    const two = await auditRow('practice-swapped', incident.reference, 2);
    const three = await auditRow('practice-swapped', incident.reference, 3);
    await writeRow({ ...three, partitionKey: two.partitionKey, rowKey: two.rowKey });
    await writeRow({ ...two, partitionKey: three.partitionKey, rowKey: three.rowKey });

    // Sorting by the sequence property would hide this; the verifier reads storage order.
    const report = await verifyOne('practice-swapped', incident.reference);
    expect(report).toMatchObject({ ok: false, brokenAt: 2 });
    expect(report.problems[0]).toMatchObject({ kind: 'out-of-place', sequence: 2 });
  });

  it('names an entry added outside the store, and a damaged row, without failing', async () => {
    const incident = await incidentWithHistory('practice-appended');
    const five = await auditRow('practice-appended', incident.reference, 5);
    const { chainEntry, toAuditEntity } = await import('../../src/store/azure/auditChain.ts');
    const extra = chainEntry({
      practiceId: 'practice-appended',
      reference: incident.reference,
      sequence: 6,
      at: '2026-11-21T00:00:00.000Z',
      change: { actor: manager, action: 'note', summary: 'Backdated note.' },
      previousHash: String(five.hash),
    });
    await writeRow(toAuditEntity(extra));
    expect(await verifyOne('practice-appended', incident.reference)).toMatchObject({
      ok: false,
      brokenAt: 6,
      problems: [{ kind: 'head-mismatch', sequence: 6 }],
    });

    const damaged = await incidentWithHistory('practice-damaged');
    const { sequence: _s, ...row } = await auditRow('practice-damaged', damaged.reference, 2);
    await table.upsertEntity(row, 'Replace');
    expect(await verifyOne('practice-damaged', damaged.reference)).toMatchObject({
      ok: false,
      brokenAt: 2,
      problems: [{ kind: 'unreadable-entry', sequence: 2 }],
    });
  });

  it('catches evidence swapped on the incident, evidence removed from it, and (with rehashing) an altered file', async () => {
    const practiceId = 'practice-evidence';
    const incident = await incidentWithHistory(practiceId);
    const [first, second] = incident.facts.evidence.screenshots;
    const substitute = await screenshot(practiceId, incident.draftId, 99);

    // Someone edits the stored facts: the second screenshot replaced by another file.
    const entity = await table.getEntity<Record<string, unknown>>(key(practiceId), `incident|${incident.reference}`);
    const facts = JSON.parse(String(entity.facts)) as Incident['facts'];
    facts.evidence.screenshots = [first!, substitute];
    await table.updateEntity({ partitionKey: key(practiceId), rowKey: `incident|${incident.reference}`, facts: JSON.stringify(facts) }, 'Merge');

    const report = await verifyOne(practiceId, incident.reference);
    expect(report.ok).toBe(false);
    expect(report.brokenAt).toBe(1);
    // The swap also changes the report's facts, fixed by their own SHA-256 in the first entry.
    expect(report.problems.map((p) => p.kind).sort()).toEqual(['evidence-not-in-chain', 'evidence-not-in-incident', 'report-edited']);
    expect(report.problems.find((p) => p.kind === 'evidence-not-in-chain')?.detail).toContain(substitute.sha256.slice(0, 12));
    expect(report.problems.find((p) => p.kind === 'evidence-not-in-incident')?.detail).toContain(second!.sha256.slice(0, 12));

    // The bytes of a stored screenshot replaced: only a re-hash sees it.
    const other = await incidentWithHistory(practiceId);
    const container = evidenceContainer(storage.connectionString, storageNames(storage.tablePrefix).evidenceContainer);
    const victim = other.facts.evidence.screenshots[1]!;
    await container.getBlockBlobClient(victim.blobName).uploadData(Buffer.from('doctored'));
    expect((await verifyOne(practiceId, other.reference)).ok).toBe(true);
    const rehashed = await verifyOne(practiceId, other.reference, true);
    expect(rehashed).toMatchObject({ ok: false, problems: [{ kind: 'evidence-altered' }] });
    expect(rehashed.problems[0]?.detail).toContain(createHash('sha256').update('doctored').digest('hex').slice(0, 12));

    await container.getBlockBlobClient(other.facts.evidence.screenshots[0]!.blobName).delete();
    expect((await verifyOne(practiceId, other.reference, true)).problems.map((p) => p.kind)).toEqual(['evidence-missing', 'evidence-altered']);
  });

  it('names a post text edited in storage after it was reported', async () => {
    const practiceId = 'practice-facts';
    const incident = await incidentWithHistory(practiceId, 0);
    expect((await verifyOne(practiceId, incident.reference)).ok).toBe(true);
    const entity = await table.getEntity<Record<string, unknown>>(key(practiceId), `incident|${incident.reference}`);
    const facts = JSON.parse(String(entity.facts)) as Incident['facts'];
    facts.what.postText = 'Something milder than what was really posted';
    await table.updateEntity({ partitionKey: key(practiceId), rowKey: `incident|${incident.reference}`, facts: JSON.stringify(facts) }, 'Merge');
    const report = await verifyOne(practiceId, incident.reference);
    expect(report).toMatchObject({ ok: false, brokenAt: 1, problems: [{ kind: 'report-edited' }] });
  });

  it('reports audit entries whose incident was deleted', async () => {
    const incident = await incidentWithHistory('practice-orphan');
    await table.deleteEntity(key('practice-orphan'), `incident|${incident.reference}`);
    const [report] = await verifyAuditChains(stores, { practiceId: 'practice-orphan' });
    expect(report).toMatchObject({ ok: false, reference: incident.reference, entries: 5, problems: [{ kind: 'incident-missing' }] });
    expect(report?.brokenAt).toBeUndefined();
    expect(describeChainReport(report!)).toMatch(/^BROKEN practice-orphan PW-2026-\d{4}: Audit entries were found but the incident itself is missing/);
  });

  it('never reads another practice, and summarises', async () => {
    const mine = await incidentWithHistory('practice-scope-1');
    const theirs = await incidentWithHistory('practice-scope-10');
    await table.deleteEntity(key('practice-scope-10'), auditRowKey(theirs.reference, 2));
    const reports = await verifyAuditChains(stores, { practiceId: 'practice-scope-1' });
    expect(reports.map((r) => [r.practiceId, r.reference, r.ok])).toEqual([['practice-scope-1', mine.reference, true]]);
    const all = await verifyAuditChains(stores, {});
    const summary = summariseChainReports(all.filter((r) => r.practiceId.startsWith('practice-scope-')));
    expect(summary).toEqual({
      incidents: 2,
      ok: 1,
      broken: 1,
      deleted: 0,
      brokenIncidents: [{ practiceId: 'practice-scope-10', reference: theirs.reference, brokenAt: 2 }],
    });
    await expect(verifyAuditChains(stores, { reference: mine.reference })).rejects.toThrow(/practiceId/);
  });
});

describe('checkAuditRecord (pure)', () => {
  it('finds an incident with no audit entries at all', () => {
    const record: AuditRecord = { practiceId: 'p', reference: 'PW-2026-0001', incidentProblem: 'Stored incident has no facts.', head: { sequence: 1, hash: 'x' }, trail: [] };
    const report = checkAuditRecord(record);
    expect(report.brokenAt).toBe(1);
    expect(report.problems.map((p) => p.kind)).toEqual(['missing-entry', 'incident-unreadable']);
  });
});

describe('npm run audit:verify', () => {
  const script = fileURLToPath(new URL('../../scripts/audit-verify.ts', import.meta.url));
  const run = (env: Record<string, string | undefined>, args: string[] = []) =>
    new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
      const clean = { ...process.env };
      delete clean.AZURE_STORAGE_CONNECTION_STRING;
      delete clean.POSTWATCH_TABLE_PREFIX;
      execFile(process.execPath, ['--import', 'tsx', '--no-deprecation', script, ...args], { env: { ...clean, ...env }, timeout: 60_000 }, (error, stdout, stderr) => {
        resolve({ code: error ? (typeof error.code === 'number' ? error.code : -1) : 0, stdout, stderr });
      });
    });

  it('says how to point it at storage when none is configured, and starts nothing', async () => {
    const result = await run({});
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('AZURE_STORAGE_CONNECTION_STRING is not set');
    expect(result.stdout).toBe('');
  });

  it('refuses a prefix whose tables do not exist, rather than creating them', async () => {
    const result = await run({ AZURE_STORAGE_CONNECTION_STRING: storage.connectionString, POSTWATCH_TABLE_PREFIX: 'nosuch' });
    expect(result.code).toBe(2);
    expect(result.stderr).toContain('There is no table "nosuchincidents"');
  });

  it('prints a line per incident and a summary; exits 0 when whole and 1 when broken', async () => {
    const good = await incidentWithHistory('practice-cli-good');
    const env = { AZURE_STORAGE_CONNECTION_STRING: storage.connectionString, POSTWATCH_TABLE_PREFIX: storage.tablePrefix };
    const whole = await run(env, ['--practice', 'practice-cli-good']);
    expect(whole.stdout).toContain(`ok     practice-cli-good ${good.reference} (5 entries)`);
    expect(whole.stdout).toContain('All 1 audit chains are whole.');
    expect(whole.code).toBe(0);

    const bad = await incidentWithHistory('practice-cli-bad');
    await table.deleteEntity(key('practice-cli-bad'), auditRowKey(bad.reference, 4));
    const broken = await run(env, ['--practice', 'practice-cli-bad', '--evidence']);
    expect(broken.code).toBe(1);
    expect(broken.stdout).toContain(`BROKEN practice-cli-bad ${bad.reference} at entry 4: Entry 4 is missing (deleted)`);
    expect(broken.stdout).toContain('1 of 1 audit chains are BROKEN:');
    expect(broken.stdout).toContain(`practice-cli-bad ${bad.reference} (first broken entry: 4)`);

    const everything = await run(env);
    expect(everything.code).toBe(1);
    expect(everything.stdout).toContain(`ok     practice-cli-good ${good.reference}`);
  });
});
