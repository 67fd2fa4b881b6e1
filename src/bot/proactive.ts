import { ActivityTypes, CardFactory, CloudAdapter, type Activity, type ConversationReference, type TurnContext } from 'botbuilder';
import { SendFailure, type OutgoingMessage, type Sender } from '../app/outbox.ts';
import type { ConversationAddress } from '../store/ports.ts';

/** Proactive sends through the Bot Framework connector, with the stored conversation references. */
export class ConnectorSender implements Sender {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async send(address: ConversationAddress, message: OutgoingMessage): Promise<{ id?: string }> {
    let id: string | undefined;
    await this.continue(address, async (context) => {
      id = (await context.sendActivity(toActivity(message)))?.id;
    });
    return id ? { id } : {};
  }

  async update(address: ConversationAddress, activityId: string, message: OutgoingMessage): Promise<void> {
    await this.continue(address, async (context) => {
      await context.updateActivity({ ...toActivity(message), id: activityId });
    });
  }

  private async continue(address: ConversationAddress, logic: (context: TurnContext) => Promise<void>): Promise<void> {
    // An error thrown inside the logic goes to adapter.onTurnError, which (set in server.ts) logs it
    // and returns: continueConversationAsync then resolves as if the send had worked. Catch it here.
    let failure: { error: unknown } | undefined;
    try {
      await this.adapter.continueConversationAsync(this.appId, address.reference as Partial<ConversationReference>, async (context) => {
        try {
          withoutConnectorRetries(context);
          await logic(context);
        } catch (error) {
          failure = { error };
        }
      });
    } catch (error) {
      throw asSendFailure(error);
    }
    if (failure) throw asSendFailure(failure.error);
  }
}

/**
 * botframework-connector's client would retry a 429 or 5xx three times itself, sleeping through
 * each Retry-After inside one outbox pass (and ignores its own noRetryPolicy option). The outbox
 * owns retries and honours Retry-After, so the client of a proactive turn makes one request.
 */
function withoutConnectorRetries(context: TurnContext): void {
  const connector = context.turnState.get(context.adapter.ConnectorClientKey) as
    | { client?: { pipeline?: { removePolicy(options: { name: string }): unknown } } }
    | undefined;
  connector?.client?.pipeline?.removePolicy({ name: 'defaultRetryPolicy' });
}

export function toActivity(message: OutgoingMessage): Partial<Activity> {
  return {
    type: ActivityTypes.Message,
    ...(message.text ? { text: message.text } : {}),
    ...(message.card ? { attachments: [CardFactory.adaptiveCard(message.card)] } : {}),
  };
}

/** The connector's status and Retry-After, whatever shape the SDK's error has. */
export function asSendFailure(error: unknown): SendFailure {
  const e = (error ?? {}) as {
    statusCode?: unknown;
    status?: unknown;
    response?: { status?: unknown; headers?: { get?: (name: string) => string | null | undefined } & Record<string, unknown> };
  };
  const status = [e.statusCode, e.status, e.response?.status].find((s): s is number => typeof s === 'number');
  const header =
    (typeof e.response?.headers?.get === 'function' ? e.response.headers.get('retry-after') : undefined) ??
    (e.response?.headers?.['retry-after'] as string | undefined);
  return new SendFailure(`connector ${status ?? 'unreachable'}`, status, retryAfterMs(header));
}

function retryAfterMs(header: string | null | undefined): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
  const at = Date.parse(header);
  return Number.isNaN(at) ? undefined : Math.max(0, at - Date.now());
}
