import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A stand-in for the Bot Framework connector service on loopback: it accepts the REST calls the
 * bot makes (send, reply, update, create conversation), records them and answers as the connector
 * does. Each conversation can be told to fail: a queue of answers to give first (429 with a
 * Retry-After, 503, ...) or a refusal that lasts until heal().
 */
export interface ConnectorCall {
  method: string;
  path: string;
  body: any;
  authorization?: string;
  /** The conversation the call is about (decoded), when the path names one. */
  conversationId?: string;
  /** The activity in the path: the one replied to (POST) or replaced (PUT). */
  activityId?: string;
  /** The status the fake answered with. */
  status: number;
  /** The id the fake gave a new activity, when it accepted one. */
  createdId?: string;
  /** When the call arrived (Date.now()). */
  at: number;
}

/** One scripted answer: a status and, for 429/503, the Retry-After header (seconds). */
export interface ScriptedAnswer {
  status: number;
  retryAfter?: number | string;
}

const CONVERSATION_PATH = /^\/v3\/conversations\/([^/?]+)(?:\/activities(?:\/([^/?]+))?)?/;

export class FakeConnector {
  readonly calls: ConnectorCall[] = [];
  private server?: Server;
  private nextId = 1;
  private readonly scripts = new Map<string, ScriptedAnswer[]>();
  private readonly refusals = new Map<string, ScriptedAnswer>();
  url = '';

  async start(): Promise<this> {
    this.server = createServer(async (req, res) => {
      const body = await readJson(req);
      const path = req.url ?? '';
      const method = req.method ?? '';
      const match = CONVERSATION_PATH.exec(path);
      const conversationId = match?.[1] ? decodeURIComponent(match[1]) : undefined;
      const activityId = match?.[2] ? decodeURIComponent(match[2]) : undefined;
      const call: ConnectorCall = {
        method,
        path,
        body,
        ...(req.headers.authorization ? { authorization: req.headers.authorization } : {}),
        ...(conversationId ? { conversationId } : {}),
        ...(activityId ? { activityId } : {}),
        status: 200,
        at: Date.now(),
      };
      this.calls.push(call);
      res.setHeader('content-type', 'application/json');

      const failure = conversationId ? this.failureFor(conversationId) : undefined;
      if (failure) {
        call.status = failure.status;
        res.statusCode = failure.status;
        if (failure.retryAfter !== undefined) res.setHeader('retry-after', String(failure.retryAfter));
        res.end(JSON.stringify({ error: { code: failure.status === 429 ? 'Throttled' : 'ServiceError', message: `scripted ${failure.status}` } }));
        return;
      }
      if (method === 'POST' && path === '/v3/conversations') {
        const id = `a:private-${this.nextId++}`;
        call.createdId = `act-${this.nextId++}`;
        res.end(JSON.stringify({ id, activityId: call.createdId }));
        return;
      }
      if (method === 'PUT' && activityId) {
        res.end(JSON.stringify({ id: activityId }));
        return;
      }
      call.createdId = `act-${this.nextId++}`;
      res.end(JSON.stringify({ id: call.createdId }));
    });
    await new Promise<void>((resolve) => this.server!.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(this.server!.address() as AddressInfo).port}/`;
    return this;
  }

  /** The next requests about this conversation get these answers, in order; then it behaves again. */
  script(conversationId: string, answers: ScriptedAnswer[]): void {
    this.scripts.set(conversationId, [...(this.scripts.get(conversationId) ?? []), ...answers]);
  }

  /** Every request about this conversation fails like this (after any scripted answers) until heal(). */
  refuse(conversationId: string, answer: ScriptedAnswer = { status: 503 }): void {
    this.refusals.set(conversationId, answer);
  }

  /** Ends refusals and scripted failures for the conversation. */
  heal(conversationId: string): void {
    this.refusals.delete(conversationId);
    this.scripts.delete(conversationId);
  }

  /** Scripted answers not given yet for the conversation. */
  scriptLeft(conversationId: string): number {
    return this.scripts.get(conversationId)?.length ?? 0;
  }

  /** Scripted answers first, then the refusal, if any. */
  private failureFor(conversationId: string): ScriptedAnswer | undefined {
    const next = this.scripts.get(conversationId)?.shift();
    if (next) return next.status < 200 || next.status >= 300 ? next : undefined;
    return this.refusals.get(conversationId);
  }

  /** Activities the bot sent (new messages and replies), in order. */
  sentActivities(): any[] {
    return this.calls.filter((c) => c.method === 'POST' && /\/activities/.test(c.path)).map((c) => c.body);
  }

  /** New messages the connector accepted (2xx) for a conversation, or for all, in order. */
  delivered(conversationId?: string): ConnectorCall[] {
    return this.calls.filter(
      (c) => c.method === 'POST' && /\/activities/.test(c.path) && ok(c.status) && (conversationId === undefined || c.conversationId === conversationId),
    );
  }

  /** Card replacements (PUT .../activities/{id}) the connector accepted, in order. */
  updates(conversationId?: string): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'PUT' && ok(c.status) && (conversationId === undefined || c.conversationId === conversationId));
  }

  /** Conversations the bot opened (POST /v3/conversations). */
  createdConversations(): ConnectorCall[] {
    return this.calls.filter((c) => c.method === 'POST' && c.path === '/v3/conversations' && ok(c.status));
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeAllConnections();
    await closed;
  }
}

const ok = (status: number) => status >= 200 && status < 300;

/** The Adaptive Card of a sent activity, if it carries one. */
export function cardIn(activity: any): Record<string, any> | undefined {
  const attachment = (activity?.attachments ?? []).find((a: any) => a?.contentType === 'application/vnd.microsoft.card.adaptive');
  return attachment?.content;
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
