import type { Config } from './config.ts';
import type { Practice } from './domain/practice.ts';
import { practiceReadiness as readinessOf } from './app/readiness.ts';
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
  /** People holding a role whose 1:1 chat with Postwatch is known. */
  reachableDeciders: number;
  warnings: string[];
}

/** One practice's readiness in the block's words, computed once by app/readiness.ts (also served on /healthz). */
export async function practiceReadiness(stores: Pick<Stores, 'practices'>, practice: Practice): Promise<PracticeReadiness> {
  const r = await readinessOf(stores, practice);
  return {
    practiceId: r.id,
    name: practice.name,
    managers: r.managers,
    deputies: r.deputies,
    dataProtectionOfficers: r.dpos,
    safeguardingLeads: r.safeguardingLeads,
    reviewChannel: r.reviewChannel,
    reachableDeciders: r.reachableDeciders,
    warnings: r.warnings,
  };
}

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

