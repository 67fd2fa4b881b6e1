import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { VerifiedLink } from '../app/evidencePack.ts';

/**
 * Short-lived signed links to an evidence pack. The link names the practice, the incident and the
 * decider it was issued to, and stops working after LINK_MINUTES; the signature stops anyone from
 * changing what it points to. Each link has its own random id, so it can be used once only (the
 * download records the id in storage, shared by every instance). Issued only after the server has
 * checked the person is a decider.
 */
export const LINK_MINUTES = 10;

/** The fields the download use case reads (app/evidencePack.ts), plus what the other kinds carry. */
export interface PackLink extends VerifiedLink {
  /** What the link downloads: an incident's evidence pack (absent), or the register as CSV for a period. */
  kind?: 'register' | 'subject-access';
  /** register: the period, ISO instants [from, to). */
  from?: string;
  to?: string;
  /** subject-access: the request, and a random id so the link is used once. */
  requestId?: string;
  nonce?: string;
}

/** What a link downloads: an evidence pack, the register, or a subject access pack. */
export type LinkKind = NonNullable<PackLink['kind']> | 'pack';

/** Where each kind of link is served (src/server.ts). */
const PATHS: Record<LinkKind, string> = { pack: '/evidence', register: '/export', 'subject-access': '/subject-access' };

export class EvidenceLinks {
  private readonly secret: Buffer;

  constructor(secret: string | undefined, private readonly baseUrl: string) {
    this.secret = secret ? Buffer.from(secret, 'utf8') : randomBytes(32);
  }

  issue(link: Omit<PackLink, 'expiresAt' | 'id'>, now: Date): { url: string; expiresAt: Date } {
    const expiresAt = new Date(now.getTime() + LINK_MINUTES * 60_000);
    const payload = Buffer.from(JSON.stringify({ ...link, id: randomBytes(16).toString('base64url'), expiresAt: expiresAt.getTime() })).toString('base64url');
    // In the query string: the token is longer than restify's route parameters may be.
    return { url: `${this.baseUrl.replace(/\/$/, '')}${PATHS[link.kind ?? 'pack']}?t=${payload}.${this.sign(payload)}`, expiresAt };
  }

  /** The link's contents if it is genuine, unexpired and of the kind served here; otherwise undefined. */
  verify(token: string, now: Date, kind: LinkKind = 'pack'): PackLink | undefined {
    const [payload, signature] = token.split('.');
    if (!payload || !signature) return undefined;
    const expected = Buffer.from(this.sign(payload));
    const given = Buffer.from(signature);
    if (expected.length !== given.length || !timingSafeEqual(expected, given)) return undefined;
    try {
      const link = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8')) as PackLink;
      if (typeof link.expiresAt !== 'number' || link.expiresAt <= now.getTime()) return undefined;
      if (typeof link.id !== 'string' || !/^[\w-]{16,64}$/.test(link.id)) return undefined;
      if (typeof link.practiceId !== 'string' || typeof link.reference !== 'string' || typeof link.issuedTo !== 'string') return undefined;
      // A register link never opens an evidence pack, nor the other way round.
      if ((link.kind ?? 'pack') !== kind) return undefined;
      return link;
    } catch {
      return undefined;
    }
  }

  private sign(payload: string): string {
    return createHmac('sha256', this.secret).update(payload).digest('base64url');
  }
}
