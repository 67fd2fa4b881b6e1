import dns from 'node:dns';
import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** One address a host name resolved to. */
export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

export interface OpenRequest {
  url: URL;
  /** The address already checked: the connection goes there and nowhere else. */
  address: ResolvedAddress;
  headers: Record<string, string>;
  signal: AbortSignal;
}

/**
 * How names become addresses and how a GET is opened to an address already checked. Production
 * uses the system resolver and real TLS (SystemNetwork); tests swap in one that resolves names of
 * their choosing and reaches stand-ins on loopback, so every check in safeFetch runs unchanged.
 */
export interface Network {
  lookup(hostname: string): Promise<ResolvedAddress[]>;
  open(request: OpenRequest): Promise<IncomingMessage>;
}

export const systemNetwork: Network = {
  lookup(hostname) {
    return new Promise((resolve, reject) => {
      // Called through the module object so a test's egress guard (which patches dns.lookup) sees it.
      dns.lookup(hostname, { all: true, verbatim: true }, (error, addresses) => {
        if (error) reject(error);
        else resolve(addresses.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 })));
      });
    });
  },

  open({ url, address, headers, signal }) {
    const client = url.protocol === 'https:' ? https : http;
    return new Promise((resolve, reject) => {
      const request = client.request(
        {
          protocol: url.protocol,
          hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
          port: url.port || undefined,
          path: `${url.pathname}${url.search}`,
          method: 'GET',
          headers,
          signal,
          agent: false,
          // The lookup is pinned to the address that was checked: a second DNS answer (rebinding)
          // cannot move the connection elsewhere. TLS still verifies the certificate for the name.
          lookup: ((_host: string, options: { all?: boolean }, callback: (...args: unknown[]) => void) => {
            if (options?.all) callback(null, [{ address: address.address, family: address.family }]);
            else callback(null, address.address, address.family);
          }) as never,
        },
        resolve,
      );
      request.on('error', reject);
      request.end();
    });
  },
};
