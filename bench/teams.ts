import { Agent, request } from 'node:http';

/**
 * Teams-shaped activities over HTTP: what a Teams client (through the Bot Framework service) posts
 * to the bot's /api/messages, and small helpers to read the cards that come back.
 */

export const TENANT = 'bench-tenant';

export interface Person {
  id: string;
  aadObjectId: string;
  name: string;
}

const agent = new Agent({ keepAlive: true, maxSockets: 512 });
let sequence = 0;

export interface Posted {
  status: number;
  json: any;
}

/** POST a JSON body; resolves with the status and parsed body (undefined when empty). */
export function postJson(url: string, body: unknown): Promise<Posted> {
  const data = Buffer.from(JSON.stringify(body));
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': data.length } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let json: any;
        try {
          json = text ? JSON.parse(text) : undefined;
        } catch {
          json = text;
        }
        resolve({ status: res.statusCode ?? 0, json });
      });
      res.on('error', reject);
    });
    req.on('error', reject);
    req.end(data);
  });
}

export function personalConversationId(person: Person): string {
  return `a:personal-${person.id}`;
}

function base(serviceUrl: string, person: Person) {
  return {
    channelId: 'msteams',
    serviceUrl,
    from: { id: person.id, aadObjectId: person.aadObjectId, name: person.name },
    recipient: { id: '28:postwatch', name: 'Postwatch' },
    conversation: { id: personalConversationId(person), conversationType: 'personal', tenantId: TENANT },
    channelData: { tenant: { id: TENANT } },
    id: `in-${++sequence}`,
    timestamp: new Date().toISOString(),
    locale: 'en-GB',
  };
}

export function personalMessage(serviceUrl: string, person: Person, text: string) {
  return { ...base(serviceUrl, person), type: 'message', text };
}

export function channelMention(serviceUrl: string, person: Person, text: string, teamId: string) {
  return {
    ...base(serviceUrl, person),
    type: 'message',
    text: `<at>Postwatch</at> ${text}`,
    entities: [{ type: 'mention', mentioned: { id: '28:postwatch', name: 'Postwatch' }, text: '<at>Postwatch</at>' }],
    conversation: { id: `19:review-${teamId}@thread.tacv2;messageid=1`, conversationType: 'channel', tenantId: TENANT, isGroup: true },
    channelData: { tenant: { id: TENANT }, team: { id: teamId }, channel: { id: `19:review-${teamId}@thread.tacv2`, name: 'Incident review' } },
  };
}

/** Teams tells the bot that people joined the practice's Team. */
export function membersAdded(serviceUrl: string, by: Person, people: Person[], teamId: string) {
  return {
    ...channelMention(serviceUrl, by, '', teamId),
    type: 'conversationUpdate',
    text: undefined,
    entities: undefined,
    channelData: { tenant: { id: TENANT }, team: { id: teamId }, eventType: 'teamMemberAdded' },
    // userPrincipalName marks a full TeamsChannelAccount, so botbuilder does not look the member up.
    membersAdded: people.map((p) => ({ id: p.id, aadObjectId: p.aadObjectId, name: p.name, userPrincipalName: `${p.aadObjectId}@nhs.net` })),
  };
}

export function cardAction(serviceUrl: string, person: Person, verb: string, data: Record<string, unknown>) {
  return {
    ...base(serviceUrl, person),
    type: 'invoke',
    name: 'adaptiveCard/action',
    replyToId: 'card-1',
    value: { action: { type: 'Action.Execute', verb, data }, trigger: 'manual' },
  };
}

export interface CardAction {
  title: string;
  verb: string;
  data: Record<string, unknown>;
}

/** Every Action.Execute on a card, wherever it sits (ShowCard sub-cards included): the tests' own walker. */
export { actionsOf } from '../test/support/teams.ts';
import { actionsOf } from '../test/support/teams.ts';

export function findAction(card: unknown, match: { title?: string; verb?: string }): CardAction | undefined {
  return actionsOf(card).find((a) => (match.title === undefined || a.title === match.title) && (match.verb === undefined || a.verb === match.verb));
}

/** The card an adaptiveCard/action invoke answered with, if it answered with a card. */
export function invokeCard(posted: Posted): unknown {
  const body = posted.json as { type?: string; value?: unknown } | undefined;
  return body?.type === 'application/vnd.microsoft.card.adaptive' ? body.value : undefined;
}
