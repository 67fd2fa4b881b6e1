/**
 * Who downloaded a file through a signed link (evidence pack, register export, subject access
 * pack), as the HTTP request says: recorded in the audit trail, bounded and printable, because
 * every header is the client's own text.
 */
export interface DownloadClient {
  address: string | undefined;
  forwardedFor: string | undefined;
  userAgent: string | undefined;
}

/** "client address …, user agent "…"" for an audit entry. */
export function describeClient(client: DownloadClient): string {
  return `client address ${printable(client.address, 64) || 'unknown'}${client.forwardedFor ? ` (X-Forwarded-For: ${printable(client.forwardedFor, 200)})` : ''}, user agent "${printable(client.userAgent, 256) || 'none'}"`;
}

/** At most `limit` characters of printable ASCII (anything else becomes "?"): header text is the client's. */
export function printable(text: string | undefined, limit: number): string {
  const clean = (text ?? '').replace(/[^\x20-\x7e]/g, '?').replace(/"/g, "'").trim();
  return clean.length > limit ? `${clean.slice(0, limit)}…` : clean;
}
