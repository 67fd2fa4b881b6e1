import type { ServerResponse } from 'node:http';
import { MicrosoftAppCredentials } from 'botframework-connector';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import { FakeConnector } from '../support/connector.ts';
import { blockEgress } from '../support/egress.ts';
import { cardInvoke, LEAK, postActivity, startRealServer, startStorage, teamsActivity, type RealServer } from '../support/realServer.ts';
import { png, StandIn, StandInHosts } from '../support/standInHosts.ts';
import { BOT_FRAMEWORK_ISSUER, TestTokenIssuer } from '../support/tokenIssuer.ts';

/**
 * Screenshot downloads against the real server over HTTP, with Bot Framework authentication on
 * (so the bot really holds a token to leak). Attachment hosts are stand-ins on loopback reached
 * under their real names through the server's injected resolver: smba.trafficmanager.net (the
 * connector's attachment service), evil.trafficmanager.net (anyone's), a SharePoint tenant, a host
 * that never answers, and names that resolve inside the network. Every other lookup is blocked.
 */

const APP_ID = '6f1c0b51-8f5e-4a36-9a39-1c2f00c0ffee';
const TENANT = 'nhsmail';
const OUTBOUND_TOKEN = 'outbound-token-from-the-stub';
const SMBA = 'https://smba.trafficmanager.net/emea/v3/attachments';

let azurite: EmbeddedAzurite;
let issuer: TestTokenIssuer;
let server: RealServer;
const connector = new FakeConnector();
const egress = blockEgress();
const consoleError = vi.spyOn(console, 'error').mockImplementation(() => undefined);

const redirects = new Map<string, string>();
/** restify patches Node's ServerResponse (writeHead no longer chains), so stand-ins answer through this. */
function answer(res: ServerResponse, status: number, headersOrBody?: Record<string, string> | string | Buffer, body?: string | Buffer): void {
  if (typeof headersOrBody === 'object' && !Buffer.isBuffer(headersOrBody)) {
    res.writeHead(status, headersOrBody);
    res.end(body);
  } else {
    res.writeHead(status);
    res.end(headersOrBody);
  }
}
/** The connector's attachment service: images by path, redirects on request, a huge body for /huge. */
const smba = new StandIn((req, res) => {
  const path = req.url ?? '';
  const target = redirects.get(path);
  if (target) return void answer(res, 302, { location: target });
  if (path.endsWith('/missing')) return void answer(res, 404, 'not found');
  if (path.endsWith('/forbidden')) return void answer(res, 403, 'no');
  if (path.endsWith('/text')) return void answer(res, 200, { 'content-type': 'image/png' }, 'just text');
  if (path.endsWith('/huge')) {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.on('error', () => undefined);
    res.end(Buffer.alloc(11 * 1024 * 1024, 7));
    return;
  }
  answer(res, 200, { 'content-type': 'image/png' }, png(path));
});
const evil = new StandIn((_req, res) => void answer(res, 200, { 'content-type': 'image/png' }, png('evil')));
const sharepoint = new StandIn((_req, res) => void answer(res, 200, { 'content-type': 'image/png' }, png('sharepoint')));
const stalled = new StandIn(() => undefined); // accepts the connection, never answers
const inside = new StandIn((_req, res) => void answer(res, 200, { 'content-type': 'image/png' }, png('inside')));

const internet = new StandInHosts()
  .resolve('smba.trafficmanager.net', '52.112.0.10')
  .route('52.112.0.10', smba)
  .resolve('evil.trafficmanager.net', '20.50.0.66')
  .route('20.50.0.66', evil)
  .resolve('contoso.sharepoint.com', '13.107.136.9')
  .route('13.107.136.9', sharepoint)
  .resolve('contoso-my.sharepoint.com', '13.107.136.11')
  .route('13.107.136.11', stalled)
  // Names on allowed suffixes that point inside the network; an address inside is routed to a
  // stand-in only so that a connection, if one were made, would be seen.
  .resolve('intranet.botframework.com', '10.0.0.5')
  .resolve('rebind.sharepoint.com', '13.107.136.12', '169.254.169.254')
  .route('10.0.0.5', inside)
  .route('169.254.169.254', inside)
  .route('13.107.136.12', inside);

beforeAll(async () => {
  vi.spyOn(MicrosoftAppCredentials.prototype, 'getToken').mockResolvedValue(OUTBOUND_TOKEN);
  await Promise.all([connector.start(), smba.start(), evil.start(), sharepoint.start(), stalled.start(), inside.start()]);
  issuer = await new TestTokenIssuer(['msteams']).start();
  azurite = await startStorage();
  server = await startRealServer(
    azurite.connectionString,
    {
      MicrosoftAppId: APP_ID,
      MicrosoftAppPassword: 'test-password',
      ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
      ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
      POSTWATCH_ALLOWED_TENANTS: TENANT,
    },
    { downloads: { network: internet, limits: { timeoutMs: 1_500 } } },
  );
});

afterAll(async () => {
  await server?.close();
  await azurite?.close();
  await issuer?.stop();
  for (const s of [connector, smba, evil, sharepoint, stalled, inside]) await s.stop();
  vi.restoreAllMocks();
  consoleError.mockRestore();
  egress.restore();
});

const auth = () => ({ authorization: `Bearer ${issuer.sign(issuer.validClaims(APP_ID, connector.url))}` });
let people = 0;
const newPerson = () => {
  const n = ++people;
  return { id: `29:shots-${n}`, aadObjectId: `aad-shots-${n}`, name: `Staff ${n}` };
};
type Person = ReturnType<typeof newPerson>;

/** Someone with a report open, at the evidence step or not: screenshots are kept with it. */
async function withOpenReport(): Promise<Person> {
  const person = newPerson();
  const started = await postActivity(server.url, teamsActivity(connector.url, person, cardInvoke('report.start', {}), TENANT), auth());
  expect(started.status).toBe(200);
  expect(await server.stores.drafts.get('practice', person.aadObjectId)).toBeDefined();
  return person;
}

/** Sends a message with these attachments; resolves with every text the bot sent back to it. */
async function sendAttachments(person: Person, attachments: unknown[]): Promise<string[]> {
  const before = connector.sentActivities().length;
  const response = await postActivity(server.url, teamsActivity(connector.url, person, { type: 'message', text: '', attachments }, TENANT), auth());
  expect(response.status).toBeLessThan(300);
  expect(response.text).not.toMatch(LEAK);
  return connector
    .sentActivities()
    .slice(before)
    .filter((a) => a.conversation?.id === `a:personal-${person.id}`)
    .map((a) => String(a.text ?? ''));
}

const image = (url: string, name = 'shot.png') => ({ contentType: 'image/png', contentUrl: url, name });
const file = (downloadUrl: string, name = 'shot.png') => ({
  contentType: 'application/vnd.microsoft.teams.file.download.info',
  name,
  content: { downloadUrl, uniqueId: 'x', fileType: 'png' },
});
const evidence = async (person: Person) => (await server.stores.drafts.get('practice', person.aadObjectId))!.value.evidence;

describe("the bot's token goes only to Microsoft's own hosts", () => {
  it('sends it to smba.trafficmanager.net, never to evil.trafficmanager.net, and says what was kept', async () => {
    const rita = await withOpenReport();
    const replies = await sendAttachments(rita, [image(`${SMBA}/good/views/original`, 'good.png'), image('https://evil.trafficmanager.net/v3/attachments/x/views/original', 'bad.png')]);
    expect(smba.requests.find((r) => r.path === '/emea/v3/attachments/good/views/original')?.authorization).toBe(`Bearer ${OUTBOUND_TOKEN}`);
    expect(evil.requests).toEqual([]); // not a single request, so the token never reached it
    expect(internet.opened.filter((o) => o.host === 'evil.trafficmanager.net')).toEqual([]);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^Saved your screenshot with your report \(fingerprint [0-9a-f]{12}\)\. 1 could not be saved \("bad\.png"\)/);
    expect(await evidence(rita)).toHaveLength(1);
  });

  it('fetches a file sent with the paper clip from SharePoint with no token', async () => {
    const rita = await withOpenReport();
    const replies = await sendAttachments(rita, [file('https://contoso.sharepoint.com/personal/r/_layouts/15/download.aspx?UniqueId=1&tempauth=abc')]);
    expect(sharepoint.requests).toHaveLength(1);
    expect(sharepoint.requests[0]!.authorization).toBeUndefined();
    expect(replies).toEqual([expect.stringMatching(/^Saved your screenshot/)]);
  });
});

describe('screenshot downloads cannot probe the network', () => {
  it('refuses a redirect from the connector to a private or metadata address, connecting to none', async () => {
    const rita = await withOpenReport();
    redirects.set('/emea/v3/attachments/to-metadata/views/original', 'https://169.254.169.254/latest/meta-data/identity/oauth2/token');
    redirects.set('/emea/v3/attachments/to-intranet/views/original', 'https://intranet.botframework.com/admin.png');
    redirects.set('/emea/v3/attachments/to-loopback/views/original', 'http://127.0.0.1:9/x.png');
    const replies = await sendAttachments(rita, [
      image(`${SMBA}/to-metadata/views/original`, 'a.png'),
      image(`${SMBA}/to-intranet/views/original`, 'b.png'),
      image(`${SMBA}/to-loopback/views/original`, 'c.png'),
      file('https://rebind.sharepoint.com/x.png', 'd.png'),
    ]);
    expect(inside.requests).toEqual([]);
    expect(internet.opened.map((o) => o.address)).not.toEqual(expect.arrayContaining(['10.0.0.5']));
    expect(internet.opened.map((o) => o.address).filter((a) => a === '10.0.0.5' || a === '169.254.169.254' || a === '13.107.136.12')).toEqual([]);
    expect(replies).toEqual(['4 could not be saved ("a.png", "b.png", "c.png" and 1 more): please send them again as images (PNG, JPEG, GIF or WebP), or tick "I have no screenshot" on the card.']);
    expect(await evidence(rita)).toEqual([]);
  });

  it('refuses data: and file: URLs without fetching anything', async () => {
    const rita = await withOpenReport();
    const opened = internet.opened.length;
    const replies = await sendAttachments(rita, [image('data:image/png;base64,iVBORw0KGgo=', 'a.png'), image('file:///etc/passwd', 'b.png'), file('file:///etc/passwd', 'c.png')]);
    expect(internet.opened.length).toBe(opened);
    expect(replies).toEqual([expect.stringMatching(/^3 could not be saved/)]);
  });

  it('keeps the others when one host stalls', async () => {
    const rita = await withOpenReport();
    const replies = await sendAttachments(rita, [
      image(`${SMBA}/first/views/original`, 'first.png'),
      file('https://contoso-my.sharepoint.com/personal/r/download.aspx?UniqueId=2', 'stalled.png'),
      image(`${SMBA}/second/views/original`, 'second.png'),
    ]);
    expect(stalled.requests).toHaveLength(1);
    expect(replies).toHaveLength(1);
    expect(replies[0]).toMatch(/^Saved 2 screenshots with your report \(fingerprint [0-9a-f]{12}, [0-9a-f]{12}\)\. 1 could not be saved \("stalled\.png"\)/);
    expect(await evidence(rita)).toHaveLength(2);
  });

  it('uses the same words for every refused link, whatever the reason', async () => {
    const rita = await withOpenReport();
    const causes = [
      image('https://evil.trafficmanager.net/v3/attachments/x'), // a host not allowed
      image(`${SMBA}/missing`), // 404
      image(`${SMBA}/forbidden`), // 403
      image(`${SMBA}/text`), // not an image
      image(`${SMBA}/huge`), // over 10 MB
      image('https://nowhere.botframework.com/x'), // does not resolve
      image('https://intranet.botframework.com/x'), // resolves inside the network
      file('https://contoso-my.sharepoint.com/stall'), // never answers
      image('https://smba.trafficmanager.net:8443/emea/x'), // another port
      image('http://127.0.0.1:9/x'), // a closed port on loopback
      image(`${connector.url}v3/attachments/x`), // the serviceUrl itself (http): not in production mode
      { contentType: 'application/pdf', contentUrl: `${SMBA}/doc`, name: 'shot.png' }, // not an image type
    ];
    const answers: string[] = [];
    for (const cause of causes) answers.push((await sendAttachments(rita, [cause])).join('\n'));
    expect(new Set(answers)).toEqual(
      new Set(['1 could not be saved ("shot.png"): please send it again as an image (PNG, JPEG, GIF or WebP), or tick "I have no screenshot" on the card.']),
    );
    expect(await evidence(rita)).toEqual([]);
  });
});

describe('screenshot downloads are bounded', () => {
  it('refuses 21 attachments in one message before downloading any', async () => {
    const rita = await withOpenReport();
    const seen = smba.requests.length;
    const attachments = Array.from({ length: 21 }, (_, i) => image(`${SMBA}/many-${i}/views/original`, `s${i}.png`));
    const replies = await sendAttachments(rita, attachments);
    expect(smba.requests.length).toBe(seen);
    expect(replies).toEqual(['I can take up to 20 screenshots in one message, so I kept none of these. Please send them again, at most 20 at a time.']);
    expect(await evidence(rita)).toEqual([]);
    // Twenty are fine.
    const twenty = await sendAttachments(rita, attachments.slice(0, 20));
    expect(smba.requests.length).toBe(seen + 20);
    expect(twenty).toEqual([expect.stringMatching(/^Saved 20 screenshots/)]);
    // The report is full now: one more is refused before it is downloaded.
    const more = await sendAttachments(rita, [image(`${SMBA}/one-more/views/original`, 'more.png')]);
    expect(smba.requests.length).toBe(seen + 20);
    expect(more).toEqual(['1 not added: a report can hold up to 20 screenshots.']);
  });

  it('answers 25,000 empty attachments with one short message and no download', async () => {
    const rita = await withOpenReport();
    const opened = internet.opened.length;
    const replies = await sendAttachments(rita, Array.from({ length: 25_000 }, () => ({})));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.length).toBeLessThan(200);
    expect(internet.opened.length).toBe(opened);
    expect(await evidence(rita)).toEqual([]);
  });

  it('answers a message of non-images with one message of bounded length', async () => {
    const rita = await withOpenReport();
    const replies = await sendAttachments(rita, Array.from({ length: 20 }, (_, i) => ({ contentType: 'application/zip', name: `${'n'.repeat(300)}${i}` })));
    expect(replies).toHaveLength(1);
    expect(replies[0]!.length).toBeLessThan(600);
    expect(replies[0]).toMatch(/^20 could not be saved .* and 17 more\)/);
  });
});
