/**
 * What the approving manager attests to when a reply holds free text (DESIGN: "anything else in
 * it is free text that the approving manager attests to, sentence by sentence, on the record").
 * The card's tick carries a key of the exact sentences it listed, so an attestation given for one
 * version of the reply never approves another: the server recomputes the free text and the key.
 */

export const ATTESTATION_STATEMENT =
  'I have checked these sentences: they confirm nobody is a patient, give no clinical or personal information and name no one.';

export interface ReplyAttestation {
  statement: string;
  /** The free-text sentences attested, exactly as in the approved reply. */
  sentences: string[];
}

/** A short key for a list of sentences (FNV-1a, 32 bits, twice): not a secret, a fingerprint. */
export function attestationKey(sentences: readonly string[]): string {
  const text = sentences.join('\u0000');
  let a = 0x811c9dc5;
  let b = 0x01000193;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193) >>> 0;
    b = Math.imul(b ^ c, 0x811c9dc5) >>> 0;
  }
  return `attest-${a.toString(16).padStart(8, '0')}${b.toString(16).padStart(8, '0')}`;
}
