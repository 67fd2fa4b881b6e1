import type { IncomingMessage } from 'node:http';
import { isIPv4 } from 'node:net';
import { isLoopbackAddress, isPublicAddress } from './addresses.ts';
import { allowedTarget, isLocalConnector, tokenMayGoTo, type Origin, type SourceKind } from './hosts.ts';
import type { Network, ResolvedAddress } from './network.ts';

/**
 * Downloads of screenshots named by an attachment, which anyone who can message the bot chooses.
 *
 * Threat model. The attacker controls the attachment URL (contentUrl or downloadUrl), the host
 * behind it if it is theirs (its DNS answers, status codes, redirects, headers, speed and size),
 * and how many attachments one message carries. They want: the bot's token (sent with a request
 * to their host, or carried along a redirect); to make the bot reach what only it can reach
 * (loopback, the private network, the cloud metadata service at 169.254.169.254 or Azure's wire
 * server), directly, through a name that resolves there (or resolves there on a second lookup:
 * DNS rebinding) or through a redirect; to learn about that network from how the bot answers
 * (status, open or closed port, timeout); or to tie up memory, sockets and time.
 *
 * So: a URL is fetched only from hosts allowed for its kind of attachment (hosts.ts), over https
 * (http only to a local-mode connector stand-in on loopback); the name is resolved once, every
 * address checked (addresses.ts), and the connection pinned to a checked address; redirects are
 * followed by hand, at most three, each hop checked again, and the token goes only to the first
 * URL's origin and only if that origin may have it; each download has its own deadline, a byte
 * limit counted on the bytes that arrive (not Content-Length), and a share of the message's byte
 * budget; only a few downloads run at once in the whole process. The caller tells the person the
 * same words whatever went wrong (the reason is for the log only).
 */

export interface DownloadLimits {
  /** Bytes one screenshot may have. */
  fileBytes: number;
  /** Time one screenshot may take, every redirect and the whole body included. */
  timeoutMs: number;
  maxRedirects: number;
  /** Downloads running at once across the process (the rest wait their turn). */
  concurrent: number;
}

export const DEFAULT_LIMITS: DownloadLimits = {
  fileBytes: 10 * 1024 * 1024,
  timeoutMs: 15_000,
  maxRedirects: 3,
  concurrent: 6,
};

/** Why a download failed: for the log only, never shown (the words must not become an oracle). */
export type Refusal = 'host-not-allowed' | 'address-not-allowed' | 'unresolved' | 'status' | 'redirects' | 'too-large' | 'timeout' | 'network';

export type Fetched = { ok: true; bytes: Buffer } | { ok: false; reason: Refusal };

export interface FetchPlan {
  url: string;
  kind: SourceKind;
  origin: Origin;
  /** The bot's token, sent only where tokenMayGoTo allows and never past a redirect to another origin. */
  token?: string;
}

/** Bytes a whole message may still bring in; shared by its downloads. */
export class ByteBudget {
  constructor(private remaining: number) {}
  take(bytes: number): boolean {
    if (bytes > this.remaining) return false;
    this.remaining -= bytes;
    return true;
  }
  give(bytes: number): void {
    this.remaining += bytes;
  }
}

const REDIRECTS = new Set([301, 302, 303, 307, 308]);

class Refused extends Error {
  constructor(readonly reason: Refusal) {
    super(reason);
  }
}

export class SafeFetch {
  private running = 0;
  private readonly queue: Array<() => void> = [];

  constructor(
    private readonly network: Network,
    readonly limits: DownloadLimits = DEFAULT_LIMITS,
  ) {}

  /** One download; `deadline`, when given, also ends it (the whole message's time is bounded too). */
  async get(plan: FetchPlan, budget: ByteBudget, deadline?: AbortSignal): Promise<Fetched> {
    await this.turn();
    const own = AbortSignal.timeout(this.limits.timeoutMs);
    const { signal, release } = eitherOf(own, deadline);
    try {
      if (signal.aborted) return { ok: false, reason: 'timeout' };
      return { ok: true, bytes: await this.follow(plan, budget, signal) };
    } catch (error) {
      if (signal.aborted) return { ok: false, reason: 'timeout' };
      return { ok: false, reason: error instanceof Refused ? error.reason : 'network' };
    } finally {
      release();
      this.done();
    }
  }

  private async follow(plan: FetchPlan, budget: ByteBudget, signal: AbortSignal): Promise<Buffer> {
    const first = allowedTarget(plan.url, plan.kind, plan.origin);
    if (!first) throw new Refused('host-not-allowed');
    let url = first;
    for (let hop = 0; ; hop++) {
      const address = await this.checkedAddress(url, plan.origin);
      const headers: Record<string, string> = { accept: 'image/*', 'accept-encoding': 'identity', 'user-agent': 'Postwatch' };
      if (plan.token && url.origin === first.origin && tokenMayGoTo(url, plan.origin)) headers.authorization = `Bearer ${plan.token}`;
      const response = await this.network.open({ url, address, headers, signal });
      const status = response.statusCode ?? 0;
      if (REDIRECTS.has(status)) {
        const location = response.headers.location;
        response.destroy();
        if (!location || hop >= this.limits.maxRedirects) throw new Refused('redirects');
        const next = allowedTarget(resolveLocation(location, url), plan.kind, plan.origin);
        if (!next) throw new Refused('host-not-allowed');
        url = next;
        continue;
      }
      if (status !== 200) {
        response.destroy();
        throw new Refused('status');
      }
      return await this.readBounded(response, budget);
    }
  }

  /**
   * The address to connect to: an IP literal as it is, a name resolved once with every answer
   * checked (one bad answer refuses the host: the connection could otherwise be steered to it).
   */
  private async checkedAddress(url: URL, origin: Origin): Promise<ResolvedAddress> {
    const local = isLocalConnector(url, origin);
    const allowed = local ? isLoopbackAddress : isPublicAddress;
    const host = url.hostname.replace(/^\[(.*)\]$/, '$1');
    let addresses: ResolvedAddress[];
    if (isIPv4(host)) addresses = [{ address: host, family: 4 }];
    else if (url.hostname.startsWith('[')) addresses = [{ address: host, family: 6 }];
    else {
      try {
        addresses = await this.network.lookup(host);
      } catch {
        throw new Refused('unresolved');
      }
    }
    if (addresses.length === 0) throw new Refused('unresolved');
    if (!addresses.every((a) => allowed(a.address))) throw new Refused('address-not-allowed');
    return addresses[0]!;
  }

  /** The body, counted as it arrives: over the file limit or the message's budget, it is dropped. */
  private async readBounded(response: IncomingMessage, budget: ByteBudget): Promise<Buffer> {
    const declared = Number(response.headers['content-length']);
    if (Number.isFinite(declared) && declared > this.limits.fileBytes) {
      response.destroy();
      throw new Refused('too-large');
    }
    const chunks: Buffer[] = [];
    let total = 0;
    try {
      for await (const chunk of response as AsyncIterable<Buffer>) {
        total += chunk.byteLength;
        if (total > this.limits.fileBytes || !budget.take(chunk.byteLength)) {
          total -= chunk.byteLength;
          throw new Refused('too-large');
        }
        chunks.push(chunk);
      }
    } catch (error) {
      response.destroy();
      budget.give(total);
      throw error;
    }
    return Buffer.concat(chunks);
  }

  private async turn(): Promise<void> {
    if (this.running < this.limits.concurrent) {
      this.running++;
      return;
    }
    await new Promise<void>((resolve) => this.queue.push(resolve));
  }

  private done(): void {
    const next = this.queue.shift();
    if (next) next(); // the slot passes straight to the next download
    else this.running--;
  }
}

function resolveLocation(location: string, base: URL): string {
  try {
    return new URL(location, base).href;
  } catch {
    return '';
  }
}

/**
 * Aborted when either is (AbortSignal.any needs Node 20.3; package.json allows 20.0). release()
 * removes the listeners, so a message's deadline does not collect one per download.
 */
function eitherOf(own: AbortSignal, deadline: AbortSignal | undefined): { signal: AbortSignal; release: () => void } {
  if (!deadline) return { signal: own, release: () => undefined };
  const both = new AbortController();
  const stop = () => both.abort();
  if (own.aborted || deadline.aborted) both.abort();
  own.addEventListener('abort', stop, { once: true });
  deadline.addEventListener('abort', stop, { once: true });
  return {
    signal: both.signal,
    release: () => {
      own.removeEventListener('abort', stop);
      deadline.removeEventListener('abort', stop);
    },
  };
}
