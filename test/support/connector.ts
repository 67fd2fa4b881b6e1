import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Bot Framework connector service on loopback: it accepts the REST calls the
 * bot makes (send, reply, update, create conversation), records them and answers as the connector
 * does.
 */
export interface ConnectorCall {
  method: string;
  path: string;
  body: any;
  authorization?: string;
}

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private server?: Server;
  private nextId = 1;
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await readJson(req);
      this.calls.push({ method: req.method ?? '', path: req.url ?? '', body, ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}) });
      res.setHeader('content-type', 'application/json');
      if (req.method === 'POST' && req.url === '/v3/conversations') {
        res.end(JSON.stringify({ id: `a:private-${this.nextId++}`, activityId: `act-${this.nextId++}` }));
        return;
      }
      res.end(JSON.stringify({ id: `act-${this.nextId++}` }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this;
  }

  /** Activities the bot sent (new messages and replies), in order. */
  sentActivities(): any[] {
    return this.calls.filter((c) => c.method === 'POST' && /\/activities/.test(c.path)).map((c) => c.body);
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  const text = Buffer.concat(chunks).toString('utf8');
  try {
    return text ? JSON.parse(text) : undefined;
  } catch {
    return text;
  }
}
