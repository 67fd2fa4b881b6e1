import { Agent, createServer, request, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A counting HTTP proxy in front of Azurite's Table endpoint, on loopback. Point a connection
 * string's TableEndpoint at it and every table request the bot makes is counted by kind, without
 * touching src/. Batches are parsed just enough to count the failed ones (a $batch answers 202
 * even when its change set fails, e.g. 412 on a stale counter).
 */

export type TableOpKind = 'read' | 'query' | 'insert' | 'update' | 'delete' | 'batch' | 'other';
export const OP_KINDS: TableOpKind[] = ['read', 'query', 'insert', 'update', 'delete', 'batch', 'other'];

export type OpCounts = Record<TableOpKind, number> & { total: number; batchFailed: number; errors4xx: number };

export function emptyCounts(): OpCounts {
  return { read: 0, query: 0, insert: 0, update: 0, delete: 0, batch: 0, other: 0, total: 0, batchFailed: 0, errors4xx: 0 };
}

export function diffCounts(after: OpCounts, before: OpCounts): OpCounts {
  const d = emptyCounts();
  for (const k of Object.keys(d) as Array<keyof OpCounts>) d[k] = after[k] - before[k];
  return d;
}

export function kindOf(method: string, path: string): TableOpKind {
  const p = decodeURIComponent(path.split('?')[0] ?? '');
  if (method === 'POST' && p.endsWith('/$batch')) return 'batch';
  if (/\/Tables(\(|$|\/)/.test(p)) return 'other'; // create/delete/list tables
  if (method === 'GET') return /\(PartitionKey='.*',RowKey='.*'\)$/.test(p) ? 'read' : 'query';
  if (method === 'POST') return 'insert';
  if (method === 'PUT' || method === 'MERGE' || method === 'PATCH') return 'update';
  if (method === 'DELETE') return 'delete';
  return 'other';
}

export class TableProxy {
  readonly counts: OpCounts = emptyCounts();
  /** Requests forwarded and not yet answered. */
  inFlight = 0;
  /** Date.now() of the last request start or finish (for "storage is quiet" checks). */
  lastActivity = 0;
  url = '';
  /** When set, each request's kind, method and path are handed to it (BENCH_TRACE). */
  trace?: (line: string) => void;
  private server?: Server;
  private readonly agent = new Agent({ keepAlive: true, maxSockets: 256 });
  private readonly target: URL;

  constructor(tableEndpoint: string) {
    this.target = new URL(tableEndpoint);
  }

  async start(): Promise<this> {
    this.server = createServer((req, res) => this.forward(req, res));
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
    return this;
  }

  /** The proxied endpoint for the same account path (…/devstoreaccount1). */
  get endpoint(): string {
    return `${this.url}${this.target.pathname}`;
  }

  snapshot(): OpCounts {
    return { ...this.counts };
  }

  /** Resolves once no table request has been in flight for `quietMs`. */
  async quiet(quietMs = 60, maxMs = 5_000): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < maxMs) {
      if (this.inFlight === 0 && Date.now() - this.lastActivity >= quietMs) return;
      await new Promise((r) => setTimeout(r, 10));
    }
  }

  private forward(req: IncomingMessage, res: import('node:http').ServerResponse): void {
    const kind = kindOf(req.method ?? '', req.url ?? '');
    this.trace?.(`${kind.padEnd(6)} ${req.method} ${decodeURIComponent(req.url ?? '').replace(/^\/[^/]+\//, '/').slice(0, 200)}`);
    this.counts[kind]++;
    this.counts.total++;
    this.inFlight++;
    this.lastActivity = Date.now();
    let done = false;
    const finish = () => {
      if (done) return;
      done = true;
      this.inFlight--;
      this.lastActivity = Date.now();
    };
    const headers = { ...req.headers, host: this.target.host };
    const upstream = request(
      { host: this.target.hostname, port: this.target.port, method: req.method, path: req.url, headers, agent: this.agent },
      (up) => {
        if ((up.statusCode ?? 0) >= 400 && (up.statusCode ?? 0) < 500) this.counts.errors4xx++;
        res.writeHead(up.statusCode ?? 502, up.headers);
        if (kind === 'batch') {
          // A failed change set carries the failing sub-response's status line in the body.
          const chunks: Buffer[] = [];
          up.on('data', (c: Buffer) => {
            chunks.push(c);
            res.write(c);
          });
          up.on('end', () => {
            if (/HTTP\/1\.1 (4\d\d|5\d\d)/.test(Buffer.concat(chunks).toString('latin1'))) this.counts.batchFailed++;
            res.end();
            finish();
          });
        } else {
          up.pipe(res);
          up.on('end', finish);
        }
        up.on('error', finish);
      },
    );
    upstream.on('error', () => {
      finish();
      if (!res.headersSent) res.writeHead(502);
      res.end();
    });
    res.on('close', finish);
    req.pipe(upstream);
  }

  async stop(): Promise<void> {
    this.agent.destroy();
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
