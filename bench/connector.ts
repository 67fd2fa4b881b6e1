import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Bot Framework connector on loopback, built for load: it answers every REST
 * call the bot makes (send, reply, update, create conversation) the way the connector does, counts
 * them, and keeps only the last report card sent to each 1:1 conversation (the driver reads the
 * first step from there). Nothing else is retained, so it does not grow over a long run.
 */
export class BenchConnector {
  calls = 0;
  sends = 0;
  updates = 0;
  url = '';
  private server?: Server;
  private nextId = 1;
  private readonly lastCard = new Map<string, unknown>();
  /** When (performance.now()) an incident card first reached a 1:1 chat, by "conversation|reference". */
  private readonly incidentCards = new Map<string, number>();
  private readonly waiters = new Map<string, (at: number) => void>();

  async start(): Promise<this> {
    this.server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        this.calls++;
        const path = req.url ?? '';
        res.setHeader('content-type', 'application/json');
        if (req.method === 'POST' && path === '/v3/conversations') {
          res.end(JSON.stringify({ id: `a:private-${this.nextId++}`, activityId: `act-${this.nextId++}` }));
          return;
        }
        const conversation = /^\/v3\/conversations\/([^/]+)\/activities/.exec(path)?.[1];
        if (req.method === 'PUT') this.updates++;
        if (req.method === 'POST' && conversation) {
          this.sends++;
          const id = decodeURIComponent(conversation);
          const text = Buffer.concat(chunks).toString('utf8');
          if (id.startsWith('a:personal-') && text.includes('"verb":"incident.')) this.incidentCardArrived(id, text);
          // Only report cards: notifications to the same chat (the decision reaching the reporter)
          // arrive whenever the outbox sends them and must not be mistaken for the first step.
          if (id.startsWith('a:personal-') && text.includes('"verb":"report.')) {
            try {
              const body = JSON.parse(text) as { attachments?: Array<{ content?: unknown }> };
              const card = body.attachments?.[0]?.content;
              if (card) this.lastCard.set(id, card);
            } catch {
              // not JSON: nothing to keep
            }
          }
        }
        res.end(JSON.stringify({ id: `act-${this.nextId++}` }));
      });
    });
    this.server.keepAliveTimeout = 30_000;
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server.address() as AddressInfo).port}/`;
    return this;
  }

  private incidentCardArrived(conversationId: string, body: string): void {
    const reference = /PW-\d{4}-\d{4,}/.exec(body)?.[0];
    if (!reference) return;
    const key = `${conversationId}|${reference}`;
    const at = performance.now();
    const waiter = this.waiters.get(key);
    if (waiter) {
      this.waiters.delete(key);
      waiter(at);
      return;
    }
    if (this.incidentCards.has(key)) return;
    // Cards nobody waits for (the reporter's update, a second copy) must not pile up.
    if (this.incidentCards.size > 5_000) this.incidentCards.delete(this.incidentCards.keys().next().value!);
    this.incidentCards.set(key, at);
  }

  /** Resolves with the time (performance.now()) the incident card reached this chat; undefined on timeout. */
  waitForCard(conversationId: string, reference: string, timeoutMs: number): Promise<number | undefined> {
    const key = `${conversationId}|${reference}`;
    const already = this.incidentCards.get(key);
    if (already !== undefined) {
      this.incidentCards.delete(key);
      return Promise.resolve(already);
    }
    return new Promise((resolve) => {
      const timer = setTimeout(() => {
        this.waiters.delete(key);
        resolve(undefined);
      }, timeoutMs);
      this.waiters.set(key, (at) => {
        clearTimeout(timer);
        resolve(at);
      });
    });
  }

  /** The last card the bot sent to this 1:1 conversation, taken (so a stale one is never reused). */
  takeCard(conversationId: string): unknown {
    const card = this.lastCard.get(conversationId);
    this.lastCard.delete(conversationId);
    return card;
  }

  async stop(): Promise<void> {
    await new Promise<void>((resolve) => {
      if (!this.server) return resolve();
      this.server.closeAllConnections();
      this.server.close(() => resolve());
    });
  }
}
