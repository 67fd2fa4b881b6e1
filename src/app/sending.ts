import type { ConversationAddress } from '../store/ports.ts';

/** What the outbox hands to Teams, and what Teams answers when it will not take it. */

export interface OutgoingMessage {
  text?: string;
  card?: object;
}

export interface Sender {
  send(address: ConversationAddress, message: OutgoingMessage): Promise<{ id?: string }>;
  update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void>;
}

/** What the connector said when a send failed. */
export class SendFailure extends Error {
  override readonly name = 'SendFailure';
  constructor(
    message: string,
    readonly status: number | undefined,
    readonly retryAfterMs: number | undefined,
  ) {
    super(message);
  }

  /** The conversation is gone or the app is not installed for the person: retried, but rarely. */
  get permanent(): boolean {
    return this.status === 403 || this.status === 404;
  }
}
