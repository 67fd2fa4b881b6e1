import { DECISION_KINDS, type Handling } from '../domain/handling.ts';
import { INCIDENT_STATUSES, type Incident } from '../domain/incident.ts';
import { AUTHOR_RELATIONSHIPS, labelOf, NAMED_PARTIES, PLATFORMS, POST_CATEGORIES } from '../domain/vocabulary.ts';
import type { AuditEntry } from '../store/ports.ts';
import { fileSize } from '../domain/fileSize.ts';
import { londonDateTime } from '../domain/ukTime.ts';
import type { ChainReport } from './auditVerify.ts';

/**
 * summary.html of an evidence pack: one self-contained, printable page (inline style, no script,
 * nothing fetched from anywhere) for a solicitor, the police or the CQC. Every value is escaped by
 * the `html` template below; only markup written in this file is ever raw.
 */

export interface PackedEvidence {
  fileName: string;
  contentType: string;
  size: number;
  receivedAt: string;
  /** The SHA-256 recorded when the file was received (and named in the audit trail). */
  recordedSha256: string;
  /** ok: the bytes in the pack have the recorded hash; altered: they do not; missing: not in storage. */
  status: 'ok' | 'altered' | 'missing';
  /** The SHA-256 of the bytes as read while packing (absent when missing). */
  actualSha256?: string;
  /** Where the file is in the zip (absent when missing). */
  path?: string;
}

export interface SummaryInput {
  incident: Incident;
  trail: readonly AuditEntry[];
  head?: { sequence: number; hash: string };
  chain: ChainReport;
  evidence: readonly PackedEvidence[];
  warnings: readonly string[];
  generatedAt: Date;
  preparedFor?: { name: string };
  practiceName?: string;
}

export function renderSummaryHtml(input: SummaryInput): string {
  const { incident } = input;
  const handling: Handling = incident.handling ?? { version: 0 };
  const title = `Evidence pack ${incident.reference}`;
  const page = html`<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src 'self' file: data:">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<style>${raw(STYLE)}</style>
</head>
<body>
<header>
<h1>${title}</h1>
<p class="meta">${input.practiceName ?? `Practice ${incident.practiceId}`} · generated ${when(input.generatedAt.toISOString())}${input.preparedFor ? html` for ${input.preparedFor.name}` : ''} by Postwatch.
This page summarises the files in this pack: <code>incident.json</code> (the incident as stored), <code>audit.json</code> (the audit trail),
the <code>evidence</code> folder (every screenshot, named by its SHA-256) and <code>manifest.json</code> (every file with its SHA-256).</p>
</header>
${integrity(input)}
${facts(incident)}
${grading(handling)}
${decision(handling)}
${questions(handling)}
${evidenceSection(input.evidence)}
${auditSection(input.trail, input.head)}
</body>
</html>
`;
  return page.html;
}

function integrity(input: SummaryInput) {
  if (input.warnings.length === 0) {
    return html`<section class="ok" id="integrity"><h2>Integrity: verified</h2>
<p>The audit trail is complete and unaltered (${input.chain.entries} entries, each linked to the one before it by SHA-256, ending at the head recorded on the incident), every evidence file is named in it, and every evidence file in this pack still has the SHA-256 recorded when it was received.</p></section>`;
  }
  return html`<section class="alarm" id="integrity"><h2>WARNING: integrity problems found</h2>
<p>Do not rely on this record without investigating the following. The pack contains what is in storage now.</p>
<ul>${input.warnings.map((w) => html`<li>${w}</li>`)}</ul></section>`;
}

function facts(incident: Incident) {
  const f = incident.facts;
  const seen = f.where.seenAt ? when(f.where.seenAt) : `${f.where.seenDate} ${f.where.seenTime}`;
  return html`<section id="incident"><h2>The incident</h2>
<table class="facts">
${row('Reference', incident.reference)}
${row('Status', labelOf(INCIDENT_STATUSES, incident.status))}
${row('Reported', html`${when(incident.reportedAt)} by ${incident.reporter.name}`)}
${row('Where', labelOf(PLATFORMS, f.where.platform))}
${row('Link to the post', f.where.postUrl ? html`<span class="mono">${f.where.postUrl}</span>` : 'None given')}
${row('Seen', seen)}
${row('Author', f.where.authorName ?? 'Not known')}
${row('Author is', labelOf(AUTHOR_RELATIONSHIPS, f.where.authorRelationship))}
${row('What the post does', f.what.categories.map((c) => labelOf(POST_CATEGORIES, c)).join('; '))}
${row('Who it names', f.what.namedParties.length ? f.what.namedParties.map((p) => labelOf(NAMED_PARTIES, p)).join('; ') : 'Nobody')}
${f.what.namedColleagues ? row('Colleagues named', f.what.namedColleagues) : ''}
${row('Anyone at risk', f.risk.atRisk ? 'Yes' : 'No')}
${f.risk.riskDetails ? row('Risk details', f.risk.riskDetails) : ''}
${f.evidence.noScreenshotReason ? row('No screenshot because', f.evidence.noScreenshotReason) : ''}
</table>
<h3>The words of the post, as the reporter copied them</h3>
<blockquote class="post">${f.what.postText}</blockquote>
</section>`;
}

function grading(handling: Handling) {
  const g = handling.grading;
  if (!g) return html`<section id="grading"><h2>Grading</h2><p>Not graded yet.</p></section>`;
  return html`<section id="grading"><h2>Grading</h2>
<table class="facts">
${row('Severity', g.severity)}
${row('Decision due within', `${g.decisionTargetHours} ${g.decisionTargetHours === 1 ? 'hour' : 'hours'}`)}
${row('Deciders', g.deciders.join(', '))}
${row('Immediate alert', g.immediateAlert ? 'Yes' : 'No')}
${handling.priorIncidentsByAuthor !== undefined ? row('Earlier incidents by the same author', String(handling.priorIncidentsByAuthor)) : ''}
${handling.routedAt ? row('Sent to the deciders', when(handling.routedAt)) : ''}
</table>
${g.matchedRules.length ? html`<h3>Policy rules that applied</h3><ul>${g.matchedRules.map((r) => html`<li>${r.description}${r.severity ? html` (${r.severity})` : ''}</li>`)}</ul>` : ''}
${g.actions.length ? html`<h3>Recommended actions</h3><ol>${g.actions.map((a) => html`<li><strong>${a.title}</strong>: ${a.reason}</li>`)}</ol>` : ''}
${g.warnings.length ? html`<h3>Warnings</h3><ul>${g.warnings.map((w) => html`<li>${w.text}</li>`)}</ul>` : ''}
</section>`;
}

function decision(handling: Handling) {
  const d = handling.decision;
  const parts = [];
  if (handling.assignedTo) parts.push(html`<p>Assigned to ${handling.assignedTo.name}.</p>`);
  if (!d) {
    parts.push(html`<p>No decision recorded.</p>`);
    if (handling.replyDraft) parts.push(html`<h3>Reply being prepared (not approved)</h3><blockquote>${handling.replyDraft}</blockquote>`);
  } else {
    parts.push(html`<table class="facts">
${row('Decision', labelOf(DECISION_KINDS, d.kind))}
${row('Decided', html`${when(d.at)} by ${d.by.name}`)}
${d.reason ? row('Reason', d.reason) : ''}
${d.actions?.length ? row('Actions', d.actions.map((id) => handling.grading?.actions.find((a) => a.id === id)?.title ?? id).join('; ')) : ''}
${d.replyText !== undefined ? row('Approved reply', html`<blockquote>${d.replyText}</blockquote>`) : ''}
${d.reporterPostsReply !== undefined ? row('Posted by', d.reporterPostsReply ? 'The reporter' : 'The practice') : ''}
</table>`);
  }
  if (handling.tasks?.length) {
    parts.push(html`<h3>Follow-up actions</h3><table class="grid"><thead><tr><th>Action</th><th>Owner</th><th>Due</th><th>Status</th><th>What happened</th></tr></thead><tbody>
${handling.tasks.map((t) => html`<tr><td>${t.title}</td><td>${t.owner.name}</td><td>${when(t.dueAt)}</td><td>${t.status === 'done' ? html`Done ${t.doneAt ? when(t.doneAt) : ''}${t.doneBy ? html` by ${t.doneBy.name}` : ''}` : 'Open'}</td><td>${t.outcome ?? ''}</td></tr>`)}
</tbody></table>`);
  }
  for (const r of handling.reopenings ?? []) parts.push(html`<p>Reopened ${when(r.at)} by ${r.by.name}: ${r.reason}</p>`);
  if (handling.closure) {
    const c = handling.closure;
    parts.push(html`<h3>Closed</h3><table class="facts">
${row('Closed', html`${when(c.closedAt)} by ${c.closedBy.name}`)}
${row('Outcome', c.outcome)}
${row('Lessons learnt', c.lessonsLearnt ?? 'None recorded')}
</table>`);
  }
  return html`<section id="decision"><h2>Decision and follow-up</h2>${parts}</section>`;
}

function questions(handling: Handling) {
  const qs = handling.questions ?? [];
  if (qs.length === 0) return '';
  return html`<section id="questions"><h2>Questions to the reporter</h2>
${qs.map((q) => html`<div class="qa"><p><strong>Asked ${when(q.askedAt)} by ${q.askedBy.name}:</strong></p><blockquote>${q.question}</blockquote>
${q.answer !== undefined ? html`<p><strong>Answered${q.answeredAt ? html` ${when(q.answeredAt)}` : ''}:</strong></p><blockquote>${q.answer}</blockquote>` : html`<p>Not answered.</p>`}</div>`)}
</section>`;
}

const IMAGE_TYPES = new Set(['image/png', 'image/jpeg', 'image/gif', 'image/webp', 'image/bmp']);

function evidenceSection(files: readonly PackedEvidence[]) {
  if (files.length === 0) return html`<section id="evidence"><h2>Evidence files</h2><p>No screenshot was sent with this report.</p></section>`;
  return html`<section id="evidence"><h2>Evidence files</h2>
<table class="grid"><thead><tr><th>#</th><th>File</th><th>Received</th><th>Size</th><th>SHA-256 recorded when received</th><th>Check</th><th>In this pack</th></tr></thead><tbody>
${files.map((f, i) => html`<tr class="${f.status === 'ok' ? '' : 'bad'}"><td>${i + 1}</td><td>${f.fileName}<br><span class="small">${f.contentType}</span></td><td>${when(f.receivedAt)}</td><td>${fileSize(f.size)}</td><td class="hash">${f.recordedSha256}</td><td>${
    f.status === 'ok'
      ? 'Matches'
      : f.status === 'missing'
        ? html`<strong>MISSING</strong>: not in storage`
        : html`<strong>ALTERED</strong>: the bytes now hash to <span class="hash">${f.actualSha256 ?? ''}</span>`
  }</td><td class="mono">${f.path ?? '(none)'}</td></tr>`)}
</tbody></table>
${files
  .filter((f) => f.status === 'ok' && f.path && IMAGE_TYPES.has(f.contentType))
  .map((f) => html`<figure><img src="${f.path}" alt="Screenshot ${f.fileName}"><figcaption>${f.fileName} · SHA-256 ${f.recordedSha256}</figcaption></figure>`)}
</section>`;
}

function auditSection(trail: readonly AuditEntry[], head: { sequence: number; hash: string } | undefined) {
  return html`<section id="audit"><h2>Audit trail</h2>
<p>Each entry's hash is the SHA-256 of the previous entry's hash followed by the entry's content (canonical JSON of practiceId, reference, sequence, at, actor, action and summary); the first entry follows 64 zeros.${
    head ? html` The incident records entry ${head.sequence} with hash <span class="hash">${head.hash}</span> as the last.` : ''
  }</p>
<table class="grid audit"><thead><tr><th>#</th><th>When (UTC)</th><th>Who</th><th>What</th><th>Previous hash / hash</th></tr></thead><tbody>
${trail.map((e) => html`<tr><td>${Number.isFinite(e.sequence) ? e.sequence : '?'}</td><td class="mono">${e.at}</td><td>${e.actor.name}</td><td><span class="mono">${e.action}</span><br>${e.summary}</td><td class="hash">${e.previousHash}<br>${e.hash}</td></tr>`)}
</tbody></table></section>`;
}

function row(label: string, value: unknown) {
  return html`<tr><th scope="row">${label}</th><td>${value}</td></tr>`;
}

function when(iso: string): string {
  return `${londonDateTime(iso)} (${iso})`;
}

const STYLE = `
body{font-family:Arial,Helvetica,sans-serif;font-size:11pt;line-height:1.4;color:#111;max-width:60rem;margin:1.5rem auto;padding:0 1rem}
h1{font-size:18pt;margin:0 0 .25rem}h2{font-size:14pt;border-bottom:1px solid #999;margin-top:1.5rem}h3{font-size:12pt}
.meta,.small{color:#444;font-size:9pt}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;vertical-align:top;padding:.25rem .4rem}
table.facts th{width:14rem;font-weight:bold}table.grid th,table.grid td{border:1px solid #bbb}table.grid thead th{background:#eee}
.mono,code{font-family:Consolas,"Courier New",monospace;font-size:9pt;word-break:break-all}
.hash{font-family:Consolas,"Courier New",monospace;font-size:8pt;word-break:break-all}
blockquote{white-space:pre-wrap;overflow-wrap:anywhere;border-left:3px solid #999;margin:.25rem 0;padding:.25rem .75rem;background:#f6f6f6}
.ok{border:2px solid #1a7f37;padding:.25rem 1rem;background:#eef8f0}
.alarm{border:4px solid #b00020;padding:.25rem 1rem;background:#fde8ea;color:#600}
.alarm h2{color:#b00020;border:0}
tr.bad td{background:#fde8ea}
figure{margin:1rem 0;page-break-inside:avoid;break-inside:avoid}figure img{max-width:100%;max-height:24cm;border:1px solid #bbb}
figcaption{font-size:8pt;color:#444;word-break:break-all}
tr{page-break-inside:avoid;break-inside:avoid}
@media print{body{margin:0;max-width:none}.alarm,.ok,tr.bad td{-webkit-print-color-adjust:exact;print-color-adjust:exact}}
`;

/** Markup written here; anything else interpolated into `html` is escaped. */
class Html {
  constructor(readonly html: string) {}
}

function raw(markup: string): Html {
  return new Html(markup);
}

function html(strings: TemplateStringsArray, ...values: unknown[]): Html {
  let out = strings[0] ?? '';
  values.forEach((value, i) => {
    out += piece(value) + (strings[i + 1] ?? '');
  });
  return new Html(out);
}

function piece(value: unknown): string {
  if (value instanceof Html) return value.html;
  if (Array.isArray(value)) return value.map(piece).join('');
  if (value === undefined || value === null || value === false) return '';
  return escapeHtml(String(value));
}

export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ESCAPES[c] ?? c);
}

const ESCAPES: Record<string, string> = { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' };
