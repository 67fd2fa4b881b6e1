import { execFileSync } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { isPublicAddress } from '../../src/bot/download/addresses.ts';
import { allowedTarget, tokenMayGoTo, type Origin } from '../../src/bot/download/hosts.ts';
import { systemNetwork } from '../../src/bot/download/network.ts';
import { ByteBudget, DEFAULT_LIMITS, SafeFetch, type FetchPlan } from '../../src/bot/download/safeFetch.ts';
import { png, StandIn, StandInHosts } from '../support/standInHosts.ts';

const TEAMS: Origin = { serviceUrl: 'https://smba.trafficmanager.net/emea/', local: false };

describe('the bot token goes only to Microsoft hosts', () => {
  const yes = [
    'https://smba.trafficmanager.net/emea/v3/attachments/1/views/original',
    'https://smba.trafficmanager.net/uk/v3/attachments/1/views/original',
    'HTTPS://SMBA.TRAFFICMANAGER.NET/emea/v3/attachments/1', // the parser lower-cases the host
    'https://smba.trafficmanager.net:443/emea/x', // the default port, written out
    'https://smba.infra.gcc.teams.microsoft.com/x',
    'https://api.botframework.com/v3/attachments/1',
    'https://europe.directline.botframework.com/x',
  ];
  const no = [
    'https://evil.trafficmanager.net/v3/attachments/1', // anyone registers names under trafficmanager.net
    'https://evil-smba.trafficmanager.net/x',
    'https://smba.trafficmanager.net.evil.com/x',
    'https://smba.trafficmanager.net@evil.example/x', // user info: the host is evil.example
    'https://user:pw@smba.trafficmanager.net/x', // user info on the right host is refused too
    'http://smba.trafficmanager.net/emea/x', // not https
    'https://smba.trafficmanager.net:8443/emea/x', // another port
    'https://smba.trafficmanager.net./emea/x', // trailing dot
    'https://smba.trafficmanagеr.net/x', // Cyrillic е: punycode, another host
    'https://xn--smba-9na.trafficmanager.net/x',
    'https://botframework.com.evil.example/x',
    'https://evilbotframework.com/x',
    'https://mybot.azurewebsites.net/x',
    'https://x.cloudapp.net/x',
    'https://acct.blob.core.windows.net/x',
    'https://x.uksouth.cloudapp.azure.com/x',
    'https://x.azurefd.net/x',
    'https://contoso.sharepoint.com/x', // a tenant's host: files from there get no token
    'https://teams.microsoft.com/x', // not an attachment host Teams documents
    'https://us-api.asm.skype.com/v1/objects/x/views/imgo',
    'https://52.112.0.1/x', // IP literals
    'https://[2603:1020::1]/x',
    'data:image/png;base64,iVBORw0KGgo=',
    'file:///etc/passwd',
    'not a url',
  ];
  it.each(yes)('sends it to %s', (url) => expect(tokenMayGoTo(url, TEAMS)).toBe(true));
  it.each(no)('never to %s', (url) => expect(tokenMayGoTo(url, TEAMS)).toBe(false));

  it("sends it to the activity's own serviceUrl origin over https, and only that origin", () => {
    const origin: Origin = { serviceUrl: 'https://smba.infra.gov.teams.microsoft.us/', local: false };
    expect(tokenMayGoTo('https://smba.infra.gov.teams.microsoft.us/v3/attachments/1', origin)).toBe(true);
    const odd: Origin = { serviceUrl: 'https://connector.example:4443/', local: false };
    expect(tokenMayGoTo('https://connector.example:4443/v3/attachments/1', odd)).toBe(true);
    expect(tokenMayGoTo('https://connector.example/v3/attachments/1', odd)).toBe(false);
    expect(tokenMayGoTo('https://connector.example:4444/v3/attachments/1', odd)).toBe(false);
    // An http serviceUrl (a stand-in on loopback) never gets the token, in any mode.
    const loop: Origin = { serviceUrl: 'http://127.0.0.1:3978/', local: true };
    expect(tokenMayGoTo('http://127.0.0.1:3978/v3/attachments/1', loop)).toBe(false);
  });
});

describe('which URLs may be fetched at all', () => {
  it('takes pasted images from the connector hosts only, and files from SharePoint only', () => {
    expect(allowedTarget('https://smba.trafficmanager.net/emea/v3/attachments/1/views/original', 'connector', TEAMS)).toBeDefined();
    expect(allowedTarget('https://evil.trafficmanager.net/v3/attachments/1', 'connector', TEAMS)).toBeUndefined();
    expect(allowedTarget('https://contoso.sharepoint.com/x.png', 'connector', TEAMS)).toBeUndefined();
    expect(allowedTarget('https://contoso.sharepoint.com/personal/a/_layouts/15/download.aspx?UniqueId=1', 'file', TEAMS)).toBeDefined();
    expect(allowedTarget('https://contoso-my.sharepoint.com/x', 'file', TEAMS)).toBeDefined();
    expect(allowedTarget('http://contoso.sharepoint.com/x', 'file', TEAMS)).toBeUndefined();
    expect(allowedTarget('https://contoso.sharepoint.com:8443/x', 'file', TEAMS)).toBeUndefined();
    expect(allowedTarget('https://contoso.sharepoint.com.evil.example/x', 'file', TEAMS)).toBeUndefined();
    expect(allowedTarget('https://smba.trafficmanager.net/x', 'file', TEAMS)).toBeUndefined();
    for (const url of ['data:image/png;base64,iVBORw0KGgo=', 'file:///etc/passwd', 'ftp://smba.trafficmanager.net/x', 'javascript:alert(1)', '']) {
      expect(allowedTarget(url, 'connector', TEAMS)).toBeUndefined();
      expect(allowedTarget(url, 'file', TEAMS)).toBeUndefined();
    }
  });

  it('allows http to a loopback connector stand-in only in local mode, only at its exact origin', () => {
    const local: Origin = { serviceUrl: 'http://127.0.0.1:56150/', local: true };
    expect(allowedTarget('http://127.0.0.1:56150/v3/attachments/1', 'connector', local)).toBeDefined();
    expect(allowedTarget('http://127.0.0.1:56151/v3/attachments/1', 'connector', local)).toBeUndefined();
    expect(allowedTarget('http://127.0.0.1:56150/v3/attachments/1', 'file', local)).toBeUndefined();
    expect(allowedTarget('http://127.0.0.1:56150/v3/attachments/1', 'connector', { ...local, local: false })).toBeUndefined();
    // A serviceUrl that is not loopback opens nothing over http, even in local mode.
    expect(allowedTarget('http://10.0.0.5/v3/attachments/1', 'connector', { serviceUrl: 'http://10.0.0.5/', local: true })).toBeUndefined();
  });
});

describe('addresses the bot may connect to', () => {
  const refused = [
    '127.0.0.1', '127.255.0.9', '0.0.0.0', '10.1.2.3', '172.16.0.1', '172.31.255.255', '192.168.1.1', '100.64.0.1', '100.127.255.254',
    '169.254.169.254', '169.254.0.1', '168.63.129.16', '192.0.2.1', '198.18.0.1', '224.0.0.1', '255.255.255.255',
    '::', '::1', '[::1]', '::ffff:127.0.0.1', '::ffff:10.0.0.1', '::ffff:a9fe:a9fe', '::ffff:8.8.8.8', '64:ff9b::a9fe:a9fe',
    'fc00::1', 'fd00:ec2::254', 'fe80::1', 'fe80::1%eth0', 'ff02::1', '2001:db8::1', '2002:a9fe:a9fe::1', '::127.0.0.1',
    'localhost', 'not-an-ip', '',
  ];
  const allowed = ['52.112.0.1', '8.8.8.8', '172.32.0.1', '100.128.0.1', '168.63.129.17', '2603:1020::1', '[2a00:1450:4009::200e]'];
  it.each(refused)('refuses %s', (a) => expect(isPublicAddress(a)).toBe(false));
  it.each(allowed)('allows %s', (a) => expect(isPublicAddress(a)).toBe(true));
});

describe('SafeFetch over real HTTP (stand-in hosts on loopback)', () => {
  const hosts = new StandInHosts();
  const hits: Record<string, number> = {};
  let connectorImages: StandIn;
  let evil: StandIn;
  let microsoft: StandIn;
  let sharepoint: StandIn;
  let stall: StandIn;
  const redirectTo = new Map<string, string>();

  beforeAll(async () => {
    connectorImages = await new StandIn((req, res) => {
      const path = req.url ?? '';
      hits[path] = (hits[path] ?? 0) + 1;
      const target = redirectTo.get(path);
      if (target) return void res.writeHead(302, { location: target }).end();
      if (path.startsWith('/big-chunked')) {
        res.writeHead(200, { 'content-type': 'image/png' });
        const chunk = Buffer.alloc(64 * 1024, 1);
        let sent = 0;
        const more = () => {
          while (sent < 3 * 1024 * 1024) {
            sent += chunk.length;
            if (!res.write(chunk)) return void res.once('drain', more);
          }
          res.end();
        };
        res.on('error', () => undefined);
        return more();
      }
      if (path.startsWith('/lying-length')) {
        // Declares 10 bytes and sends 2 MB: the real bytes count.
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': '10' });
        res.on('error', () => undefined);
        res.socket?.write(Buffer.alloc(2 * 1024 * 1024, 2));
        return void res.socket?.end();
      }
      if (path.startsWith('/status-')) return void res.writeHead(Number(path.slice(8, 11))).end('no');
      res.writeHead(200, { 'content-type': 'image/png' }).end(png(path));
    }).start();
    evil = await new StandIn((_req, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(png('evil'))).start();
    microsoft = await new StandIn((_req, res) => void res.writeHead(200, { 'content-type': 'image/png' }).end(png('api'))).start();
    sharepoint = await new StandIn((req, res) => {
      const target = redirectTo.get(`sp:${req.url}`);
      if (target) return void res.writeHead(302, { location: target }).end();
      res.writeHead(200, { 'content-type': 'image/png' }).end(png('sharepoint'));
    }).start();
    stall = await new StandIn(() => undefined /* never answers */).start();
    hosts
      .resolve('smba.trafficmanager.net', '52.112.0.10')
      .route('52.112.0.10', connectorImages)
      .resolve('evil.trafficmanager.net', '20.50.0.66')
      .route('20.50.0.66', evil)
      .resolve('api.botframework.com', '52.112.0.20')
      .route('52.112.0.20', microsoft)
      .resolve('contoso.sharepoint.com', '13.107.136.9')
      .route('13.107.136.9', sharepoint)
      .resolve('intranet.sharepoint.com', '10.0.0.5') // a name on an allowed suffix that points inside
      .route('10.0.0.5', evil)
      .resolve('mixed.sharepoint.com', '13.107.136.10', '169.254.169.254') // one good answer, one bad
      .route('13.107.136.10', sharepoint)
      .route('169.254.169.254', evil)
      .resolve('slow.sharepoint.com', '13.107.136.11')
      .route('13.107.136.11', stall);
  });

  afterAll(async () => {
    for (const s of [connectorImages, evil, microsoft, sharepoint, stall]) await s?.stop();
  });

  const fetcher = (limits = {}) => new SafeFetch(hosts, { ...DEFAULT_LIMITS, ...limits });
  const plan = (url: string, extra: Partial<FetchPlan> = {}): FetchPlan => ({ url, kind: 'connector', origin: TEAMS, token: 'BOT-TOKEN', ...extra });
  const budget = () => new ByteBudget(40 * 1024 * 1024);

  it('sends the token to the connector and gets the image', async () => {
    const got = await fetcher().get(plan('https://smba.trafficmanager.net/emea/v3/attachments/a/views/original'), budget());
    expect(got).toEqual({ ok: true, bytes: png('/emea/v3/attachments/a/views/original') });
    expect(connectorImages.requests.at(-1)).toMatchObject({ host: 'smba.trafficmanager.net', authorization: 'Bearer BOT-TOKEN' });
  });

  it('never contacts a foreign host under trafficmanager.net, so it never sees the token', async () => {
    const got = await fetcher().get(plan('https://evil.trafficmanager.net/v3/attachments/a/views/original'), budget());
    expect(got).toEqual({ ok: false, reason: 'host-not-allowed' });
    expect(evil.requests).toEqual([]);
    expect(hosts.lookups).not.toContain('evil.trafficmanager.net');
  });

  it('fetches a SharePoint file with no token, even when one is at hand', async () => {
    const got = await fetcher().get(plan('https://contoso.sharepoint.com/download.aspx?UniqueId=1', { kind: 'file' }), budget());
    expect(got.ok).toBe(true);
    expect(sharepoint.requests.at(-1)).toEqual({ host: 'contoso.sharepoint.com', path: '/download.aspx?UniqueId=1' });
  });

  it('refuses a redirect to a private address, by literal or by name, without connecting to it', async () => {
    redirectTo.set('/to-metadata', 'https://169.254.169.254/latest/meta-data/');
    redirectTo.set('sp:/to-intranet', 'https://intranet.sharepoint.com/secret.png');
    const before = hosts.opened.length;
    expect(await fetcher().get(plan('https://smba.trafficmanager.net/to-metadata'), budget())).toEqual({ ok: false, reason: 'host-not-allowed' });
    expect(await fetcher().get(plan('https://contoso.sharepoint.com/to-intranet', { kind: 'file' }), budget())).toEqual({ ok: false, reason: 'address-not-allowed' });
    expect(hosts.opened.slice(before).map((o) => o.address)).toEqual(['52.112.0.10', '13.107.136.9']);
    expect(evil.requests).toEqual([]);
  });

  it('refuses a name when any of its addresses is private (no rebinding on a second answer)', async () => {
    expect(await fetcher().get(plan('https://mixed.sharepoint.com/x.png', { kind: 'file' }), budget())).toEqual({ ok: false, reason: 'address-not-allowed' });
    expect(hosts.opened.map((o) => o.host)).not.toContain('mixed.sharepoint.com');
  });

  it('follows a redirect to another Microsoft host without the token', async () => {
    redirectTo.set('/to-api', 'https://api.botframework.com/v3/attachments/b');
    const got = await fetcher().get(plan('https://smba.trafficmanager.net/to-api'), budget());
    expect(got).toEqual({ ok: true, bytes: png('api') });
    expect(connectorImages.requests.at(-1)?.authorization).toBe('Bearer BOT-TOKEN');
    expect(microsoft.requests.at(-1)).toEqual({ host: 'api.botframework.com', path: '/v3/attachments/b' });
  });

  it('refuses a redirect to a host not allowed, and more than three redirects', async () => {
    redirectTo.set('/to-evil', 'https://evil.trafficmanager.net/x');
    expect(await fetcher().get(plan('https://smba.trafficmanager.net/to-evil'), budget())).toEqual({ ok: false, reason: 'host-not-allowed' });
    redirectTo.set('/to-http', 'http://smba.trafficmanager.net/x');
    expect(await fetcher().get(plan('https://smba.trafficmanager.net/to-http'), budget())).toEqual({ ok: false, reason: 'host-not-allowed' });
    for (let i = 0; i < 5; i++) redirectTo.set(`/loop-${i}`, `/loop-${i + 1}`);
    expect(await fetcher().get(plan('https://smba.trafficmanager.net/loop-0'), budget())).toEqual({ ok: false, reason: 'redirects' });
    expect(hits['/loop-3']).toBe(1);
    expect(hits['/loop-4']).toBeUndefined();
    expect(evil.requests).toEqual([]);
  });

  it('stops a body over the limit, counting the bytes that arrive rather than Content-Length', async () => {
    const small = fetcher({ fileBytes: 1024 * 1024 });
    expect(await small.get(plan('https://smba.trafficmanager.net/big-chunked'), budget())).toEqual({ ok: false, reason: 'too-large' });
    expect(await small.get(plan('https://smba.trafficmanager.net/lying-length'), budget())).toMatchObject({ ok: false });
    expect((await small.get(plan('https://smba.trafficmanager.net/fine'), budget())).ok).toBe(true);
  });

  it("shares one byte budget across a message's downloads and gives back what a failed one took", async () => {
    const shared = new ByteBudget(png('/a1').length + png('/a2').length - 1);
    const f = fetcher();
    expect((await f.get(plan('https://smba.trafficmanager.net/a1'), shared)).ok).toBe(true);
    expect(await f.get(plan('https://smba.trafficmanager.net/a2'), shared)).toEqual({ ok: false, reason: 'too-large' });
    expect(shared.take(png('/a2').length - 1)).toBe(true);
  });

  it('gives up on a stalled host within its own time limit', async () => {
    const got = await fetcher({ timeoutMs: 300 }).get(plan('https://slow.sharepoint.com/x.png', { kind: 'file' }), budget());
    expect(got).toEqual({ ok: false, reason: 'timeout' });
    expect(stall.requests).toHaveLength(1);
  });

  it("ends with the message's deadline too, before opening anything", async () => {
    const opened = hosts.opened.length;
    const got = await fetcher().get(plan('https://smba.trafficmanager.net/late'), budget(), AbortSignal.abort());
    expect(got).toEqual({ ok: false, reason: 'timeout' });
    expect(hosts.opened.length).toBe(opened);
  });

  it('refuses statuses other than 200 and names that do not resolve', async () => {
    expect(await fetcher().get(plan('https://smba.trafficmanager.net/status-404'), budget())).toEqual({ ok: false, reason: 'status' });
    expect(await fetcher().get(plan('https://nowhere.botframework.com/x'), budget())).toEqual({ ok: false, reason: 'unresolved' });
  });

  it('with the real network, refuses loopback and metadata literals without opening a connection', async () => {
    const real = new SafeFetch(systemNetwork);
    for (const url of ['https://127.0.0.1/x', 'https://[::1]/x', 'https://169.254.169.254/x', 'https://[::ffff:7f00:1]/x']) {
      const origin: Origin = { serviceUrl: new URL(url).origin + '/', local: false };
      expect(await real.get({ url, kind: 'connector', origin }, budget())).toEqual({ ok: false, reason: 'address-not-allowed' });
    }
    // A local-mode connector stand-in on loopback over http is reached (this is how the Playground works).
    const local: Origin = { serviceUrl: `${connectorImages.url}/`, local: true };
    expect((await real.get({ url: `${connectorImages.url}/local.png`, kind: 'connector', origin: local }, budget())).ok).toBe(true);
    expect(await real.get({ url: `${connectorImages.url}/local.png`, kind: 'connector', origin: { ...local, local: false } }, budget())).toEqual({ ok: false, reason: 'host-not-allowed' });
  });
});

describe('the production network', () => {
  it('connects to the pinned address, sends the name for SNI and checks the certificate against it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'postwatch-tls-'));
    try {
      const key = join(dir, 'key.pem');
      const cert = join(dir, 'cert.pem');
      execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', key, '-out', cert, '-days', '1', '-subj', '/CN=smba.trafficmanager.net', '-addext', 'subjectAltName=DNS:smba.trafficmanager.net'], { stdio: 'ignore' });
      const script = fileURLToPath(new URL('./fixtures/pinnedTls.ts', import.meta.url));
      const output = execFileSync(process.execPath, ['--import', 'tsx', script, key, cert], {
        env: { PATH: process.env.PATH ?? '', NODE_EXTRA_CA_CERTS: cert },
        encoding: 'utf8',
        timeout: 30_000,
      });
      const lines = JSON.parse(output.trim().split('\n').at(-1)!) as string[];
      expect(lines[0]).toMatch(/^200 smba\.trafficmanager\.net:\d+ Bearer T$/);
      expect(lines[1]).toBe('evil: ERR_TLS_CERT_ALTNAME_INVALID');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
