import type { Config } from './config.ts';
import type { Practice } from './domain/practice.ts';
import { bootstrapRoles } from './app/routing.ts';
import type { Stores } from './store/ports.ts';

/**
 * The block `npm start` prints once it is listening: what an operator (or a newcomer) checks
 * first. Mode, storage, and for each practice whether someone would really be told about an
 * incident. Counts and practice names only: never an object id, a person's name or a secret.
 */

export interface StorageInUse {
  kind: 'embedded' | 'azure';
  /** Embedded: the emulator's endpoints and the folder its data is kept in. */
  tableEndpoint?: string;
  blobEndpoint?: string;
  dataDir?: string;
  /** Azure: the connection string, from which only the account name (or host) is shown. */
  connectionString?: string;
}

/** One practice's readiness, as the start-up block and /healthz report it. */
export interface PracticeReadiness {
  practiceId: string;
  name: string;
  managers: number;
  deputies: number;
  dataProtectionOfficers: number;
  safeguardingLeads: number;
  reviewChannel: boolean;
  /** Deciders (managers and deputies) with a 1:1 chat Postwatch can message. */
  reachableDeciders: number;
  warnings: string[];
}

// ---- PER-PRACTICE READINESS ------------------------------------------------------------------
// A simple version from the roles in effect (stored roles, seeded from configuration), so the
// block is complete on its own. The "edge" work (issue 11 part 6) writes the full per-practice
// readiness; at merge, practiceReadiness below is replaced by it and startupBlock keeps its format.
export async function practiceReadiness(stores: Pick<Stores, 'practices'>, practice: Practice): Promise<PracticeReadiness> {
  const roles = (await stores.practices.roles(practice.id, bootstrapRoles(practice))).value;
  const deciders = unique([...roles.managers, ...roles.deputies]);
  const chats = await Promise.all(deciders.map((aad) => stores.practices.userChat(practice.id, aad)));
  const reviewChannel = (await stores.practices.reviewChannel(practice.id)) !== undefined;
  const readiness = {
    practiceId: practice.id,
    name: practice.name,
    managers: roles.managers.length,
    deputies: roles.deputies.length,
    dataProtectionOfficers: roles.dataProtectionOfficers.length,
    safeguardingLeads: (roles.safeguardingLeads ?? []).length,
    reviewChannel,
    reachableDeciders: chats.filter(Boolean).length,
  };
  const warnings: string[] = [];
  if (readiness.managers === 0) warnings.push('no practice manager: set POSTWATCH_MANAGERS (or "managers" in the practices file)');
  if (!reviewChannel) warnings.push('no incident-review channel: a manager types "@Postwatch use this channel for incident review" in it');
  if (readiness.reachableDeciders === 0) warnings.push('no manager or deputy can be messaged yet: each must open a chat with Postwatch (or get it through a setup policy)');
  return { ...readiness, warnings };
}
// ---- END PER-PRACTICE READINESS --------------------------------------------------------------

export function modeLine(config: Pick<Config, 'bot'>): string {
  return config.bot.authEnabled
    ? `authenticated (Bot Framework tokens required; ${config.bot.appType})`
    : 'local (no authentication: MicrosoftAppId is not set; loopback only)';
}

export function storageLine(storage: StorageInUse): string {
  if (storage.kind === 'embedded') {
    return `embedded Azurite at ${storage.tableEndpoint ?? '?'} (tables) and ${storage.blobEndpoint ?? '?'} (blobs)${storage.dataDir ? `, data in ${storage.dataDir}` : ''}`;
  }
  return `Azure Storage account ${accountOf(storage.connectionString ?? '')}`;
}

/** The account name, or the host of an endpoint: never the key or a SAS token. */
export function accountOf(connectionString: string): string {
  const parts = new Map<string, string>();
  for (const part of connectionString.split(';')) {
    const at = part.indexOf('=');
    if (at > 0) parts.set(part.slice(0, at).trim().toLowerCase(), part.slice(at + 1).trim());
  }
  const name = parts.get('accountname');
  if (name) return `"${name}"`;
  const endpoint = parts.get('tableendpoint') ?? parts.get('blobendpoint');
  if (endpoint) {
    try {
      return `at ${new URL(endpoint).host}`;
    } catch {
      // fall through: a malformed endpoint is storage's problem to report, not ours to echo
    }
  }
  return '(not named in the connection string)';
}

export function practiceLines(r: PracticeReadiness): string[] {
  const n = (count: number, one: string, many: string) => `${count} ${count === 1 ? one : many}`;
  return [
    `${r.name} (${r.practiceId}): ${n(r.managers, 'manager', 'managers')}, ${n(r.deputies, 'deputy', 'deputies')}, ` +
      `${n(r.dataProtectionOfficers, 'DPO', 'DPOs')}, ${n(r.safeguardingLeads, 'safeguarding lead', 'safeguarding leads')}; ` +
      `review channel ${r.reviewChannel ? 'set' : 'not set'}; ${n(r.reachableDeciders, 'decider', 'deciders')} reachable`,
    ...r.warnings.map((w) => `  warning: ${w}`),
  ];
}

export interface StartupFacts {
  config: Pick<Config, 'bot' | 'practices'>;
  storage: StorageInUse;
  url: string;
  /** "compiled (dist/app)" or "TypeScript sources (tsx)". */
  code: string;
  /** Each practice's readiness, or why it could not be read. */
  practices: Array<PracticeReadiness | { practiceId: string; name: string; problem: string }>;
}

export function startupBlock(facts: StartupFacts): string {
  const rows = [
    'Postwatch is running',
    `  mode:      ${modeLine(facts.config)}`,
    `  storage:   ${storageLine(facts.storage)}`,
    `  code:      ${facts.code}`,
    `  messages:  ${facts.url}/api/messages   health: ${facts.url}/healthz`,
    `  practices: ${facts.practices.length}`,
    ...facts.practices.flatMap((p) => ('problem' in p ? [`${p.name} (${p.practiceId}): readiness not known (${p.problem})`] : practiceLines(p))).map((line) => `    ${line}`),
  ];
  return `${rows.join('\n')}\n`;
}

function unique(ids: string[]): string[] {
  return ids.filter((id, i) => ids.findIndex((x) => x.toLowerCase() === id.toLowerCase()) === i);
}
