import { TestAdapter, type Activity, type TurnContext } from 'botbuilder';

/**
 * Activities shaped the way Teams sends them, and a driver that runs them through botbuilder's
 * TestAdapter and hands back what the bot sent (messages, updates, the invoke response).
 */

export interface Person {
  id: string;
  aadObjectId: string;
  name: string;
}

export const TENANT = 'nhsmail-tenant';
export const SERVICE_URL = 'https://smba.trafficmanager.net/emea/';

/** A member of staff as Teams names them in tests: "rita" is 29:rita, Entra id aad-rita, named Rita. */
export function person(name: string): Person {
  return { id: `29:${name}`, aadObjectId: `aad-${name}`, name: name[0]!.toUpperCase() + name.slice(1) };
}

export function personalMessage(person: Person, text: string, extra: Partial<Activity> = {}): Partial<Activity> {
  return {
    type: 'message',
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    text,
    from: { id: person.id, aadObjectId: person.aadObjectId, name: person.name },
    recipient: { id: '28:postwatch', name: 'Postwatch' },
    conversation: { id: `a:personal-${person.id}`, conversationType: 'personal', tenantId: TENANT, isGroup: false, name: '' },
    channelData: { tenant: { id: TENANT } },
    ...extra,
  };
}

export function channelMention(person: Person, text: string, teamId: string): Partial<Activity> {
  return {
    type: 'message',
    channelId: 'msteams',
    serviceUrl: SERVICE_URL,
    text: `<at>Postwatch</at> ${text}`,
    entities: [{ type: 'mention', mentioned: { id: '28:postwatch', name: 'Postwatch' }, text: '<at>Postwatch</at>' }],
    from: { id: person.id, aadObjectId: person.aadObjectId, name: person.name },
    recipient: { id: '28:postwatch', name: 'Postwatch' },
    conversation: { id: `19:general@thread.tacv2;messageid=1`, conversationType: 'channel', tenantId: TENANT, isGroup: true, name: '' },
    channelData: { tenant: { id: TENANT }, team: { id: teamId }, channel: { id: '19:general@thread.tacv2' } },
  };
}

export function cardAction(person: Person, verb: string, data: Record<string, unknown>, replyToId?: string): Partial<Activity> {
  return {
    ...personalMessage(person, ''),
    type: 'invoke',
    name: 'adaptiveCard/action',
    text: undefined,
    ...(replyToId ? { replyToId } : {}),
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export interface TurnResult {
  sent: Partial<Activity>[];
  /** The card or message an adaptiveCard/action invoke answered with. */
  invoke?: { status: number; body: { statusCode: number; type: string; value: unknown } };
}

export class TeamsDriver {
  readonly adapter: TestAdapter;
  /** Every activity the bot replaced with updateActivity. */
  readonly updates: Partial<Activity>[] = [];

  constructor(private readonly logic: (context: TurnContext) => Promise<void>) {
    this.adapter = new TestAdapter(logic);
    const update = this.adapter.updateActivity.bind(this.adapter);
    this.adapter.updateActivity = async (context, activity) => {
      this.updates.push(activity);
      return update(context, activity);
    };
  }

  async send(activity: Partial<Activity>): Promise<TurnResult> {
    const queue = (this.adapter as unknown as { activeQueue: Partial<Activity>[] }).activeQueue;
    queue.length = 0;
    await this.adapter.processActivity(structuredClone(activity) as Activity);
    const all = queue.splice(0);
    const invoke = all.find((a) => a.type === 'invokeResponse');
    return {
      sent: all.filter((a) => a.type !== 'invokeResponse'),
      ...(invoke ? { invoke: invoke.value as TurnResult['invoke'] } : {}),
    };
  }
}

/** The Adaptive Card inside a sent message, or the card an invoke answered with. */
export function cardOf(result: TurnResult): Record<string, any> {
  if (result.invoke) {
    if (result.invoke.body.type !== 'application/vnd.microsoft.card.adaptive') {
      throw new Error(`invoke answered with ${result.invoke.body.type}: ${String(result.invoke.body.value)}`);
    }
    return result.invoke.body.value as Record<string, any>;
  }
  const card = result.sent.flatMap((a) => a.attachments ?? []).find((a) => a.contentType === 'application/vnd.microsoft.card.adaptive');
  if (!card) throw new Error(`no card in: ${JSON.stringify(result.sent.map((a) => a.text))}`);
  return card.content as Record<string, any>;
}

export function textsOf(result: TurnResult): string[] {
  return result.sent.map((a) => a.text ?? '').filter((t) => t.length > 0);
}

/** Every Action.Execute on a card, wherever it sits. */
export function actionsOf(card: unknown): Array<{ title: string; verb: string; data: Record<string, unknown> }> {
  const found: Array<{ title: string; verb: string; data: Record<string, unknown> }> = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    if (n.type === 'Action.Execute') found.push({ title: String(n.title), verb: String(n.verb), data: (n.data ?? {}) as Record<string, unknown> });
    Object.values(n).forEach(walk);
  };
  walk(card);
  return found;
}

export function action(card: unknown, title: string): { verb: string; data: Record<string, unknown> } {
  const found = actionsOf(card).find((a) => a.title === title);
  if (!found) throw new Error(`no "${title}" action; have ${actionsOf(card).map((a) => a.title).join(', ')}`);
  return found;
}

/** All visible text of a card, for assertions. */
export function textOfCard(card: unknown): string {
  const parts: string[] = [];
  const walk = (node: unknown) => {
    if (Array.isArray(node)) return node.forEach(walk);
    if (!node || typeof node !== 'object') return;
    const n = node as Record<string, unknown>;
    for (const key of ['text', 'title', 'value', 'label', 'errorMessage', 'placeholder']) {
      if (typeof n[key] === 'string') parts.push(n[key] as string);
    }
    Object.values(n).forEach(walk);
  };
  walk(card);
  return parts.join('\n');
}

/** The card element with this id (an input), wherever it is nested. */
export function findById(node: unknown, id: string): Record<string, any> | undefined {
  if (Array.isArray(node)) {
    for (const item of node) {
      const found = findById(item, id);
      if (found) return found;
    }
    return undefined;
  }
  if (node && typeof node === 'object') {
    const record = node as Record<string, any>;
    if (record.id === id) return record;
    for (const value of Object.values(record)) {
      const found = findById(value, id);
      if (found) return found;
    }
  }
  return undefined;
}
