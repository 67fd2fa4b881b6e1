import { CloudAdapter, TurnContext, type Activity, type ConversationParameters } from 'botbuilder';
import type { TeamsChannelData } from 'botbuilder';

/**
 * Reports continue in 1:1 chat, so abusive content is never re-posted where everyone sees it.
 * This opens (or reuses) the 1:1 chat with the person who wrote in a channel.
 */
export interface PrivateChats {
  /** Sends the activity to the person privately and returns the sent activity's id. */
  send(context: TurnContext, activity: Partial<Activity>): Promise<string | undefined>;
}

const BOT_FRAMEWORK_AUDIENCE = 'https://api.botframework.com';

export class ConnectorPrivateChats implements PrivateChats {
  constructor(
    private readonly adapter: CloudAdapter,
    private readonly appId: string,
  ) {}

  async send(context: TurnContext, activity: Partial<Activity>): Promise<string | undefined> {
    const incoming = context.activity;
    const tenantId = (incoming.channelData as TeamsChannelData | undefined)?.tenant?.id ?? incoming.conversation.tenantId;
    const parameters: ConversationParameters = {
      isGroup: false,
      bot: incoming.recipient,
      members: [incoming.from],
      tenantId: tenantId ?? '',
      channelData: { tenant: { id: tenantId } },
      activity: undefined as unknown as Activity,
    };
    let sentId: string | undefined;
    // An error inside the callback would go to adapter.onTurnError and be swallowed: keep it and rethrow,
    // so the person is never told "I've sent you a private message" when nothing arrived.
    let failure: { error: unknown } | undefined;
    await this.adapter.createConversationAsync(
      this.appId,
      incoming.channelId,
      incoming.serviceUrl,
      BOT_FRAMEWORK_AUDIENCE,
      parameters,
      async (privateContext) => {
        try {
          sentId = (await privateContext.sendActivity(activity))?.id;
        } catch (error) {
          failure = { error };
        }
      },
    );
    if (failure) throw failure.error;
    return sentId;
  }
}
