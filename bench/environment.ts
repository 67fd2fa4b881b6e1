import { randomBytes } from 'node:crypto';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startAzuriteProcess } from '../src/store/azuriteProcess.ts';
import { devConnectionString, type EmbeddedAzurite } from '../src/store/embeddedAzurite.ts';
import { BenchConnector } from './connector.ts';
import { setUpPractice } from './flows.ts';
import { activePractices, allPractices, practiceOf, staffMember } from './people.ts';
import { childPids, startServerProcess, type ServerProcess } from './processes.ts';
import { SETTINGS } from './settings.ts';
import { TableProxy } from './tableProxy.ts';

// ---- the environment: Azurite (own process), counting proxy, fake connector -----------------

export interface Environment {
  dir: string;
  azurite: EmbeddedAzurite;
  azuritePid: number | undefined;
  proxy: TableProxy;
  connector: BenchConnector;
  /** Tables through the counting proxy; blobs direct. */
  connectionString: string;
  /** Tables straight to Azurite. */
  directConnectionString: string;
  practicesFile: string;
}

export async function startEnvironment(): Promise<Environment> {
  const dir = await mkdtemp(join(tmpdir(), 'postwatch-bench-'));
  const azurite = await startAzuriteProcess(); // in memory
  const azuritePid = childPids('azuriteChild').at(-1);
  const proxy = await new TableProxy(azurite.tableEndpoint).start();
  const connector = await new BenchConnector().start();
  const practicesFile = join(dir, 'practices.json');
  await writeFile(
    practicesFile,
    JSON.stringify({
      practices: allPractices.map((p, i) => ({
        id: p.id,
        name: `Bench Practice ${i + 1}`,
        teamIds: [p.teamId],
        // Staff are learnt from the practice's Team (membersAdded), as in production.
        staff: [],
        managers: [p.manager.aadObjectId],
        phone: '01234 567890',
      })),
    }),
  );
  const connectionString = devConnectionString({ tableEndpoint: proxy.endpoint, blobEndpoint: azurite.blobEndpoint });
  return { dir, azurite, azuritePid, proxy, connector, connectionString, directConnectionString: azurite.connectionString, practicesFile };
}

export async function stopEnvironment(e: Environment): Promise<void> {
  await e.connector.stop();
  await e.proxy.stop();
  await e.azurite.close();
  await rm(e.dir, { recursive: true, force: true });
}

/** Timed runs go through the proxy unless BENCH_PROXY=0; the profile always does. */
export function timedConnection(e: Environment): string {
  return SETTINGS.proxy ? e.connectionString : e.directConnectionString;
}

export function startPostwatch(e: Environment, tablePrefix: string, background = true, connectionString = timedConnection(e), execArgv: string[] = []): Promise<ServerProcess> {
  return startServerProcess({
    mode: 'postwatch',
    execArgv,
    env: { POSTWATCH_PRACTICES_FILE: e.practicesFile, LOG_LEVEL: 'warn' },
    connectionString,
    tablePrefix,
    background,
  });
}

export const prefix = (tag: string) => `b${tag}${randomBytes(3).toString('hex')}`;

export async function setUp(e: Environment, server: ServerProcess, staffCount: number): Promise<void> {
  for (const p of activePractices()) {
    const staff = Array.from({ length: staffCount }, (_, i) => i).filter((i) => practiceOf(i) === p).map(staffMember);
    await setUpPractice(server.url, e.connector, p.manager, staff, p.teamId);
  }
}
