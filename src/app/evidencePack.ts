import { createHash } from 'node:crypto';
import { describeClient, type DownloadClient } from './downloadClient.ts';
import yazl from 'yazl';
import type { EvidenceFile } from '../domain/report.ts';
import { isDecider } from '../domain/handling.ts';
import type { Practice } from '../domain/practice.ts';
import type { AuditRecord, EvidenceStore, IncidentStore, LeaseStore, PracticeStore } from '../store/ports.ts';
import { checkAuditRecord, checkEvidenceFile, describeChainReport, type ChainReport } from './auditVerify.ts';
import { renderSummaryHtml, type PackedEvidence } from './evidencePackHtml.ts';
import { rolesOf } from './practiceRoles.ts';

export type { PackedEvidence } from './evidencePackHtml.ts';

/**
 * One file a decider can hand to a solicitor, the police or the CQC: a zip holding summary.html
 * (human-readable, printable), incident.json (the incident as stored), audit.json (the audit trail
 * as stored), evidence/<sha256>.<ext> (every screenshot, re-hashed while packing) and manifest.json
 * (every other file in the zip with its SHA-256). The incident, its trail and its head are read in
 * one query, so they describe one moment. Files are always in the same order, and with the same
 * clock the same record gives the same bytes.
 *
 * Authorisation is the caller's job: only a decider of the incident's practice may be given a pack.
 */

export interface ManifestFile {
  path: string;
  sha256: string;
  size: number;
}

export interface EvidencePack {
  /** e.g. PW-2026-0042-evidence.zip */
  fileName: string;
  bytes: Buffer;
  /** SHA-256 of the zip itself (record it when the pack is handed over). */
  sha256: string;
  /** True when the audit chain verifies and every evidence file matches its recorded SHA-256. */
  intact: boolean;
  /** Plain-English problems, exactly as listed at the top of summary.html; empty when intact. */
  warnings: string[];
  chain: ChainReport;
  evidence: PackedEvidence[];
  /** Every file in the zip but manifest.json, in zip order, as listed in manifest.json. */
  files: ManifestFile[];
}

export interface EvidencePackOptions {
  now?: () => Date;
  /** Named on the summary ("generated ... for Mo Manager"). */
  preparedFor?: { name: string };
  /** The practice as people know it, named on the summary (its id is only a storage key). */
  practiceName?: string;
}

export type EvidencePackStores = { incidents: Pick<IncidentStore, 'auditRecords'>; evidence: Pick<EvidenceStore, 'read'> };

/** There is no such incident at that practice (or only its audit rows are left). */
export class EvidencePackNotFoundError extends Error {
  override readonly name = 'EvidencePackNotFoundError';
}

export const EVIDENCE_PACK_CONTENT_TYPE = 'application/zip';

export async function buildEvidencePack(
  stores: EvidencePackStores,
  practiceId: string,
  reference: string,
  options: EvidencePackOptions = {},
): Promise<EvidencePack> {
  const record = await readRecord(stores, practiceId, reference);
  const incident = record.incident;
  if (!incident) {
    throw new EvidencePackNotFoundError(`No incident ${reference} at practice ${practiceId}${record.incidentProblem ? ' that can be read' : ''}.`);
  }
  const generatedAt = (options.now ?? (() => new Date()))();
  const chain = checkAuditRecord(record);

  // Every screenshot read back and re-hashed; the file in the zip is named by the recorded hash.
  const evidence: PackedEvidence[] = [];
  const evidenceFiles = new Map<string, Buffer>();
  for (const file of incident.facts.evidence.screenshots) {
    const check = await checkEvidenceFile(stores.evidence, file);
    const base: PackedEvidence = {
      fileName: file.fileName,
      contentType: file.contentType,
      size: file.size,
      receivedAt: file.receivedAt,
      recordedSha256: file.sha256,
      status: check.status,
    };
    if (check.status === 'missing') {
      evidence.push(base);
      continue;
    }
    const path = evidencePath(file, check.actualSha256, check.status === 'altered');
    evidenceFiles.set(path, check.bytes);
    evidence.push({ ...base, actualSha256: check.actualSha256, path });
  }

  const warnings = [
    ...chain.problems.map((p) => `Audit trail: ${p.detail}`),
    ...evidence
      .filter((e) => e.status !== 'ok')
      .map((e) =>
        e.status === 'missing'
          ? `Evidence file ${e.recordedSha256} is MISSING from storage: it is not in this pack.`
          : `Evidence file ${e.recordedSha256} has been ALTERED: the bytes in storage (packed as ${e.path}) hash to ${e.actualSha256}, not to the SHA-256 recorded when it was received.`,
      ),
  ];

  const summary = renderSummaryHtml({
    incident,
    trail: record.trail,
    ...(record.head ? { head: record.head } : {}),
    chain,
    evidence,
    warnings,
    generatedAt,
    ...(options.preparedFor ? { preparedFor: options.preparedFor } : {}),
    ...(options.practiceName ? { practiceName: options.practiceName } : {}),
  });
  const { etag: _etag, ...asStored } = incident;
  const entries: Array<{ path: string; bytes: Buffer }> = [
    { path: 'summary.html', bytes: Buffer.from(summary, 'utf8') },
    { path: 'incident.json', bytes: json({ ...asStored, auditHead: record.head ?? null }) },
    { path: 'audit.json', bytes: json(record.trail) },
    ...[...evidenceFiles.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([path, bytes]) => ({ path, bytes })),
  ];
  const files: ManifestFile[] = entries.map((e) => ({ path: e.path, sha256: sha256Of(e.bytes), size: e.bytes.length }));
  const manifest = {
    format: 'postwatch-evidence-pack/1',
    practiceId,
    reference,
    generatedAt: generatedAt.toISOString(),
    intact: warnings.length === 0,
    warnings,
    auditChain: { ok: chain.ok, entries: chain.entries, ...(chain.brokenAt === undefined ? {} : { brokenAt: chain.brokenAt }), summary: describeChainReport(chain), head: record.head ?? null },
    evidence,
    files,
    note: 'Every file in this zip except manifest.json is listed with its SHA-256.',
  };
  entries.push({ path: 'manifest.json', bytes: json(manifest) });

  const bytes = await zip(entries, generatedAt);
  return {
    fileName: `${safeName(reference)}-evidence.zip`,
    bytes,
    sha256: sha256Of(bytes),
    intact: warnings.length === 0,
    warnings,
    chain,
    evidence,
    files,
  };
}

// ---- a download through a link ---------------------------------------------------------------

/** What a verified link says (src/bot/evidenceLinks.ts checked its signature and expiry). */
export interface VerifiedLink {
  /** Random, unique to this link: what makes it single use. */
  id: string;
  practiceId: string;
  reference: string;
  issuedTo: string;
  issuedToName?: string;
  expiresAt: number;
}

export type DownloadOutcome = { kind: 'pack'; pack: EvidencePack } | { kind: 'not-a-decider' } | { kind: 'used' };

export type DownloadStores = EvidencePackStores & {
  incidents: Pick<IncidentStore, 'auditRecords' | 'get' | 'appendAudit'>;
  practices: Pick<PracticeStore, 'roles'>;
  leases: Pick<LeaseStore, 'useOnce'>;
};

/**
 * One download through a link: the person it was issued to must still decide for the practice;
 * the link is used up in storage (insert-if-absent, so two instances cannot both serve it) before
 * the pack is built; the download is audited with the client's address and user agent.
 */
export async function downloadEvidencePack(stores: DownloadStores, practice: Practice, link: VerifiedLink, client: DownloadClient, now: () => Date): Promise<DownloadOutcome> {
  const roles = await rolesOf(stores.practices, practice);
  const incident = await stores.incidents.get(practice.id, link.reference);
  if (!incident || !isDecider(incident, roles, link.issuedTo)) return { kind: 'not-a-decider' };
  if (!(await stores.leases.useOnce(`evidence-link|${link.id}`, new Date(link.expiresAt)))) return { kind: 'used' };
  const pack = await buildEvidencePack(stores, practice.id, link.reference, { now, practiceName: practice.name });
  await stores.incidents.appendAudit(practice.id, link.reference, {
    actor: { aadObjectId: link.issuedTo, name: link.issuedToName ?? '' },
    action: 'evidence-pack.downloaded',
    summary: `Evidence pack downloaded (SHA-256 ${pack.sha256}${pack.intact ? '' : '; WARNING: integrity problems listed in the pack'}) by ${describeClient(client)}.`,
  });
  return { kind: 'pack', pack };
}

async function readRecord(stores: EvidencePackStores, practiceId: string, reference: string): Promise<AuditRecord> {
  for await (const record of stores.incidents.auditRecords({ practiceId, reference })) {
    if (record.reference === reference) return record;
  }
  throw new EvidencePackNotFoundError(`No incident ${reference} at practice ${practiceId}.`);
}

const EXTENSIONS: Record<string, string> = {
  'image/png': 'png',
  'image/jpeg': 'jpg',
  'image/gif': 'gif',
  'image/webp': 'webp',
  'image/heic': 'heic',
  'image/bmp': 'bmp',
  'application/pdf': 'pdf',
};

/**
 * evidence/<sha256>.<ext>, named by the recorded hash (the one in the audit trail); a recorded hash
 * that is not 64 hex characters is never used in a path. An altered file says so in its name.
 */
function evidencePath(file: EvidenceFile, actualSha256: string, altered: boolean): string {
  const recorded = /^[0-9a-f]{64}$/i.test(file.sha256) ? file.sha256.toLowerCase() : actualSha256;
  const ext =
    /\.([A-Za-z0-9]{1,8})$/.exec(file.blobName)?.[1]?.toLowerCase() ??
    EXTENSIONS[file.contentType.toLowerCase().split(';')[0]?.trim() ?? ''] ??
    'bin';
  return `evidence/${recorded}${altered ? '-ALTERED' : ''}.${ext}`;
}

function safeName(reference: string): string {
  return reference.replace(/[^A-Za-z0-9-]/g, '_');
}

function json(value: unknown): Buffer {
  return Buffer.from(`${JSON.stringify(value, null, 2)}\n`, 'utf8');
}

function sha256Of(bytes: Buffer): string {
  return createHash('sha256').update(bytes).digest('hex');
}

/** The zip, in the order given, every entry stamped with the same time. */
function zip(entries: ReadonlyArray<{ path: string; bytes: Buffer }>, mtime: Date): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const file = new yazl.ZipFile();
    const chunks: Buffer[] = [];
    file.outputStream.on('data', (chunk: Buffer) => chunks.push(chunk));
    file.outputStream.on('error', reject);
    file.outputStream.on('end', () => resolve(Buffer.concat(chunks)));
    for (const entry of entries) {
      // Screenshots are already compressed; deflating them again only costs time.
      const compress = !entry.path.startsWith('evidence/');
      file.addBuffer(entry.bytes, entry.path, { mtime, mode: 0o100644, compress });
    }
    file.end();
  });
}
