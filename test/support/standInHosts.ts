import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { Network, OpenRequest, ResolvedAddress } from '../../src/bot/download/network.ts';

/**
 * The Internet as the screenshot downloader sees it, on loopback: host names of the test's choosing
 * (smba.trafficmanager.net, evil.trafficmanager.net, contoso.sharepoint.com, ...) resolve to the
 * addresses the test gives them (public or private, as the attack needs), and a connection to an
 * address the test routed reaches a stand-in HTTP server on 127.0.0.1. Everything the downloader
 * decides (hosts, addresses, redirects, token, limits) runs unchanged; only DNS and the socket's
 * far end are replaced. Every lookup and every connection is recorded.
 */
export class StandInHosts implements Network {
  readonly lookups: string[] = [];
  readonly opened: Array<{ host: string; address: string; path: string; authorization?: string }> = [];
  private readonly names = new Map<string, ResolvedAddress[]>();
  private readonly routes = new Map<string, StandIn>();

  /** `host` resolves to these addresses (one or more, public or not). */
  resolve(host: string, ...addresses: string[]): this {
    this.names.set(host, addresses.map((address) => ({ address, family: address.includes(':') ? 6 : 4 })));
    return this;
  }

  /** A connection to `address` reaches the stand-in. */
  route(address: string, standIn: StandIn): this {
    this.routes.set(address, standIn);
    return this;
  }

  async lookup(hostname: string): Promise<ResolvedAddress[]> {
    this.lookups.push(hostname);
    const found = this.names.get(hostname);
    if (!found) throw Object.assign(new Error(`not found: ${hostname}`), { code: 'ENOTFOUND' });
    return found;
  }

  open({ url, address, headers, signal }: OpenRequest): Promise<IncomingMessage> {
    this.opened.push({ host: url.host, address: address.address, path: url.pathname, ...(headers.authorization ? { authorization: headers.authorization } : {}) });
    const standIn = this.routes.get(address.address);
    if (!standIn) return Promise.reject(Object.assign(new Error(`connect ECONNREFUSED ${address.address}`), { code: 'ECONNREFUSED' }));
    return new Promise((resolve, reject) => {
      const req = request(
        { host: '127.0.0.1', port: standIn.port, path: `${url.pathname}${url.search}`, headers: { ...headers, host: url.host }, signal, agent: false },
        resolve,
      );
      req.on('error', reject);
      req.end();
    });
  }
}

export interface SeenRequest {
  host: string;
  path: string;
  authorization?: string;
}

/** One stand-in web server on 127.0.0.1 that records every request and answers with `handler`. */
export class StandIn {
  readonly requests: SeenRequest[] = [];
  private server?: Server;
  port = 0;

  constructor(private readonly handler: (req: IncomingMessage, res: ServerResponse) => void) {}

  get url(): string {
    return `http://127.0.0.1:${this.port}`;
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests.push({ host: req.headers.host ?? '', path: req.url ?? '', ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      this.handler(req, res);
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.port = (this.server.address() as AddressInfo).port;
    return this;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

/** A small valid PNG signature plus a body, unique per label so SHA-256 fingerprints differ. */
export function png(label: string): Buffer {
  return Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from(`png ${label}`)]);
}
