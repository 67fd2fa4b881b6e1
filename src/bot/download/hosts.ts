/**
 * Which hosts a screenshot may be fetched from, and which of them may see the bot's token.
 *
 * The token is the bot's identity towards the Bot Framework: whoever holds it can post as the bot
 * into any chat it is in. It goes only to
 * - the activity's own serviceUrl origin (the connector that sent the activity; Bot Framework signs
 *   that URL into the request's token, so nobody else chooses it), over https; and
 * - the exact hosts below that Teams documents as the Bot Connector, over https on port 443.
 * Never to a suffix under which customers register names of their own: trafficmanager.net,
 * azurewebsites.net, cloudapp.net, cloudapp.azure.com, blob.core.windows.net, azurefd.net,
 * azureedge.net, sharepoint.com (tenants) and the like.
 *
 * Host names are compared after the WHATWG URL parser has lower-cased them, mapped full-width
 * characters and converted international names to punycode, so "SMBA.TrafficManager.net" matches
 * and a look-alike with a Cyrillic letter does not. A trailing dot, a port, user info or another
 * scheme never matches.
 */

/** The Bot Connector of each Teams cloud; regions are paths (/emea/, /amer/, /apac/, ...), not hosts. */
const CONNECTOR_HOSTS = new Set([
  // Public cloud (UK tenants get https://smba.trafficmanager.net/emea/ or /uk/). Microsoft's own
  // name: every other name under trafficmanager.net is anyone's.
  'smba.trafficmanager.net',
  // Microsoft 365 Government clouds: teams.microsoft.com / teams.microsoft.us are Microsoft's own
  // zones, but only these exact connector hosts are needed, so nothing else under them is trusted.
  'smba.infra.gcc.teams.microsoft.com',
  'smba.infra.gov.teams.microsoft.us',
  'smba.infra.dod.teams.microsoft.us',
]);

/**
 * Suffixes of zones Microsoft alone controls. botframework.com is the Bot Framework's own domain
 * (api., token., directline., europe.directline., webchat.): no Azure product hands out names
 * under it, and the token's own audience is https://api.botframework.com, so these services are
 * whom it is meant for.
 */
const CONNECTOR_SUFFIXES = ['.botframework.com'];

/**
 * Where Teams puts a file sent with the paper clip: the sender's OneDrive or the team's SharePoint,
 * as a short-lived pre-authorised downloadUrl. Tenants name their own hosts under these suffixes,
 * so the token never goes there; the address checks still apply.
 */
const FILE_SUFFIXES = ['.sharepoint.com', '.sharepoint.us'];

/** What kind of attachment a URL came from: it decides the hosts allowed (redirects included). */
export type SourceKind = 'connector' | 'file';

export interface Origin {
  /** The serviceUrl of the activity the attachment came with. */
  serviceUrl: string;
  /** Local mode (no Bot Framework authentication): a connector stand-in on loopback is allowed. */
  local: boolean;
}

/** The URL, parsed, if it is one the bot may fetch at all for this kind of attachment. */
export function allowedTarget(raw: string, kind: SourceKind, origin: Origin): URL | undefined {
  const url = parse(raw);
  if (!url || url.username || url.password) return undefined;
  if (kind === 'connector' && isLocalConnector(url, origin)) return url;
  if (url.protocol !== 'https:' || url.port !== '') return undefined;
  if (kind === 'connector') return isServiceOrigin(url, origin) || isConnectorHost(url.hostname) ? url : undefined;
  return FILE_SUFFIXES.some((s) => url.hostname.endsWith(s)) ? url : undefined;
}

/** Whether the bot's token may be sent with a request to this URL. */
export function tokenMayGoTo(raw: string | URL, origin: Origin): boolean {
  const url = typeof raw === 'string' ? parse(raw) : raw;
  if (!url || url.username || url.password || url.protocol !== 'https:') return false;
  return isServiceOrigin(url, origin) || (url.port === '' && isConnectorHost(url.hostname));
}

/**
 * In local mode the Agents Playground or a test's connector stand-in runs on this machine and may
 * serve attachments over http: only its exact origin, and only when the serviceUrl itself is a
 * loopback address. With authentication on (always in production) this never applies.
 */
export function isLocalConnector(url: URL, origin: Origin): boolean {
  if (!origin.local) return false;
  const service = parse(origin.serviceUrl);
  if (!service || !LOOPBACK_NAMES.test(service.hostname)) return false;
  return url.origin === service.origin && (url.protocol === 'http:' || url.protocol === 'https:');
}

const LOOPBACK_NAMES = /^(localhost|127\.\d+\.\d+\.\d+|\[::1\])$/;

function isServiceOrigin(url: URL, origin: Origin): boolean {
  const service = parse(origin.serviceUrl);
  return !!service && service.protocol === 'https:' && !service.username && !service.password && url.origin === service.origin;
}

function isConnectorHost(hostname: string): boolean {
  return CONNECTOR_HOSTS.has(hostname) || CONNECTOR_SUFFIXES.some((s) => hostname.endsWith(s));
}

function parse(raw: string): URL | undefined {
  try {
    return new URL(raw);
  } catch {
    return undefined;
  }
}
