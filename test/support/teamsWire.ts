import { cardIn, type FakeConnector } from './connector.ts';
import { cardInvoke, postActivity, seenYesterday, teamsActivity, teamsChannelActivity, type Posted } from './realServer.ts';
import { actionsOf, textOfCard } from './teams.ts';

/**
 * Teams, as the bot sees it over the wire: activities POSTed to /api/messages exactly as Teams
 * sends them, with the fake connector as their serviceUrl, and the bot's answers read back from the
 * HTTP response (invokes) or from what reached the connector (messages).
 */

export interface WirePerson {
  id: string;
  aadObjectId: string;
  name: string;
}

export interface InvokeAnswer {
  /** application/vnd.microsoft.card.adaptive or application/vnd.microsoft.activity.message */
  type: string;
  value: any;
}

export const TENANT = 'nhsmail-tenant';

/** The 1:1 conversation id Teams uses for a person in these tests. */
export const personalChat = (person: WirePerson) => `a:personal-${person.id}`;

export class TeamsWire {
  constructor(
    /** The bot's base URL; change it when the bot restarts on another port. */
    public botUrl: string,
    private readonly connector: FakeConnector,
    /** Headers for every request (a Bot Framework token, when the bot authenticates). */
    private readonly headers: () => Record<string, string> = () => ({}),
  ) {}

  /** A message in the person's 1:1 chat with the bot. Resolves with the HTTP answer. */
  async say(person: WirePerson, text: string): Promise<Posted> {
    return this.post(teamsActivity(this.connector.url, person, { type: 'message', text }, TENANT));
  }

  /** A message in a team channel that @mentions the bot. */
  async sayInChannel(person: WirePerson, text: string, team: { teamId: string; channelId: string; channelName?: string }): Promise<Posted> {
    return this.post(teamsChannelActivity(this.connector.url, person, text, team, TENANT));
  }

  /** A press of an Action.Execute button: the `adaptiveCard/action` invoke and its answer. */
  async press(person: WirePerson, verb: string, data: Record<string, unknown>, replyToId?: string): Promise<InvokeAnswer> {
    const response = await this.post(teamsActivity(this.connector.url, person, { ...cardInvoke(verb, data), ...(replyToId ? { replyToId } : {}) }, TENANT));
    if (response.status !== 200 || !response.json || typeof response.json.type !== 'string') {
      throw new Error(`invoke ${verb} answered ${response.status}: ${response.text.slice(0, 300)}`);
    }
    return response.json as InvokeAnswer;
  }

  /** A press on a card in a team channel (the invoke carries the channel's conversation and team). */
  async pressInChannel(person: WirePerson, verb: string, data: Record<string, unknown>, team: { teamId: string; channelId: string }, replyToId = 'card-1'): Promise<InvokeAnswer> {
    const { text: _text, textFormat: _format, entities: _entities, ...channel } = teamsChannelActivity(this.connector.url, person, '', team, TENANT);
    const conversation = { ...(channel.conversation as Record<string, unknown>), id: `${team.channelId};messageid=${replyToId}` };
    const response = await this.post({ ...channel, ...cardInvoke(verb, data), conversation, replyToId });
    if (response.status !== 200 || !response.json || typeof response.json.type !== 'string') {
      throw new Error(`invoke ${verb} in a channel answered ${response.status}: ${response.text.slice(0, 300)}`);
    }
    return response.json as InvokeAnswer;
  }

  /** Presses a button found on a card by its title, with the card's data plus the person's inputs. */
  async pressOn(person: WirePerson, card: unknown, title: string, inputs: Record<string, unknown> = {}, replyToId?: string): Promise<InvokeAnswer> {
    const found = actionsOf(card).find((a) => a.title === title);
    if (!found) throw new Error(`no "${title}" button; the card has: ${actionsOf(card).map((a) => a.title).join(', ')}`);
    return this.press(person, found.verb, { ...found.data, ...inputs }, replyToId);
  }

  /** Cards the connector accepted for a conversation since `since` (an index into connector.calls). */
  cardsDelivered(conversationId: string, since = 0): Array<{ activityId: string; card: Record<string, any>; text?: string }> {
    return this.connector
      .delivered(conversationId)
      .filter((c) => this.connector.calls.indexOf(c) >= since)
      .filter((c) => cardIn(c.body))
      .map((c) => ({ activityId: c.createdId ?? '', card: cardIn(c.body)!, ...(typeof c.body?.text === 'string' ? { text: c.body.text } : {}) }));
  }

  /** Plain text messages the connector accepted for a conversation since `since`. */
  textsDelivered(conversationId: string, since = 0): string[] {
    return this.connector
      .delivered(conversationId)
      .filter((c) => this.connector.calls.indexOf(c) >= since)
      .map((c) => (typeof c.body?.text === 'string' ? c.body.text : ''))
      .filter((t) => t.length > 0);
  }

  private async post(activity: Record<string, unknown>): Promise<Posted> {
    return postActivity(this.botUrl, activity, this.headers());
  }
}

export interface ReportAnswers {
  where?: Record<string, unknown>;
  what: Record<string, unknown>;
  risk?: 'yes' | 'no';
  riskDetails?: string;
  evidence?: Record<string, unknown>;
}

export const DEFAULT_WHERE = () => ({
  platform: 'facebook',
  postUrl: 'https://www.facebook.com/millbrook/posts/9',
  ...seenYesterday(),
  authorName: '@angry_dad',
  authorRelationship: 'patient',
});

/**
 * One report through every card, as a member of staff fills it in: "report a post" in 1:1 chat,
 * the five steps, Submit. Each press goes to the card the previous one answered with (or the one
 * `onStep` hands back, for tests that interfere mid-way). Resolves with the confirmation card.
 */
export async function reportThroughCards(
  wire: TeamsWire,
  connector: FakeConnector,
  person: WirePerson,
  answers: ReportAnswers,
  onStep?: (step: string, card: Record<string, any>, press: (title: string, inputs?: Record<string, unknown>) => Promise<InvokeAnswer>) => Promise<Record<string, any> | void>,
): Promise<{ card: Record<string, any>; reference: string; cardActivityId: string }> {
  const since = connector.calls.length;
  const started = await wire.say(person, 'report a post');
  if (started.status !== 200) throw new Error(`"report a post" answered ${started.status}`);
  const first = wire.cardsDelivered(personalChat(person), since).at(-1);
  if (!first) throw new Error('the first report card did not reach the connector');
  const replyToId = first.activityId;
  let card = first.card;
  const press = async (title: string, inputs: Record<string, unknown> = {}): Promise<InvokeAnswer> => {
    const answer = await wire.pressOn(person, card, title, inputs, replyToId);
    if (answer.type === 'application/vnd.microsoft.card.adaptive') card = answer.value;
    return answer;
  };
  const step = async (name: string, title: string, inputs: Record<string, unknown> = {}) => {
    if (onStep) {
      const replaced = await onStep(name, card, press);
      if (replaced) card = replaced;
    }
    const answer = await press(title, inputs);
    if (answer.type !== 'application/vnd.microsoft.card.adaptive') throw new Error(`step ${name}: ${String(answer.value)}`);
  };
  await step('where', 'Next', answers.where ?? DEFAULT_WHERE());
  await step('what', 'Next', answers.what);
  if (answers.risk === 'yes') {
    await step('risk', 'Yes', { riskDetails: answers.riskDetails ?? '' });
    await step('risk-details', 'Next', { riskDetails: answers.riskDetails ?? '' });
  } else {
    await step('risk', 'No');
  }
  await step('evidence', 'Next', answers.evidence ?? { noScreenshot: 'true', noScreenshotReason: 'On my own phone' });
  await step('review', 'Submit');
  const reference = /PW-\d{4}-\d{4}/.exec(textOfCard(card))?.[0];
  if (!reference) throw new Error(`no reference on the confirmation: ${textOfCard(card).slice(0, 400)}`);
  return { card, reference, cardActivityId: replyToId };
}
