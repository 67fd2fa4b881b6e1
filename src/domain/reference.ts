/**
 * Incident references: "PW-2026-0042". Sequential per practice and year, so a person can read one
 * out on the phone; the store allocates the number atomically with the incident itself.
 */
export const REFERENCE_PREFIX = 'PW';

export function formatReference(year: number, sequence: number): string {
  return `${REFERENCE_PREFIX}-${year}-${String(sequence).padStart(4, '0')}`;
}

const REFERENCE_PATTERN = /^\s*PW[-\s]?(\d{4})[-\s]?(\d{1,6})\s*$/i;

/** Accepts what people type ("pw 2026 42", "PW-2026-0042") and returns the canonical form. */
export function parseReference(text: string): string | undefined {
  const match = REFERENCE_PATTERN.exec(text);
  if (!match) return undefined;
  return formatReference(Number(match[1]), Number(match[2]));
}
