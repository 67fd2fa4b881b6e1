import dns from 'node:dns';

/**
 * Keeps a test's server on this machine: every DNS lookup of a name other than loopback fails at
 * once (no query leaves the process) and is recorded, so a test can assert that the server never
 * tried to reach out — for example to botbuilder's default connector, https://api.botframework.com,
 * which it falls back to when an activity has no serviceUrl. Node's net module looks up
 * `dns.lookup` at connect time, so replacing it covers http, https and fetch.
 */
export interface EgressGuard {
  /** Host names the process tried to resolve, in order. */
  readonly attempts: string[];
  restore(): void;
}

const LOOPBACK = new Set(['localhost', '127.0.0.1', '::1', '[::1]']);

export function blockEgress(): EgressGuard {
  const original = dns.lookup;
  const attempts: string[] = [];
  const guarded = ((hostname: string, ...rest: unknown[]) => {
    if (LOOPBACK.has(hostname)) return (original as (...args: unknown[]) => unknown)(hostname, ...rest);
    attempts.push(hostname);
    const callback = rest.at(-1) as (error: NodeJS.ErrnoException) => void;
    const error: NodeJS.ErrnoException = Object.assign(new Error(`egress blocked by the test: ${hostname}`), { code: 'ENOTFOUND', hostname });
    process.nextTick(() => callback(error));
    return {};
  }) as typeof dns.lookup;
  dns.lookup = guarded;
  return {
    attempts,
    restore: () => {
      if (dns.lookup === guarded) dns.lookup = original;
    },
  };
}
