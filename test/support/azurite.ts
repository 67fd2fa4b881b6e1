import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll } from 'vitest';
import { startEmbeddedAzurite, type EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';

/**
 * Storage for a test file: an in-memory Azurite on free loopback ports, started before the file's
 * tests and closed after them. Each call gets its own table prefix, so suites never share tables.
 *
 *   const storage = useAzurite();
 *   ...  await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix })
 */
export interface TestStorage {
  readonly connectionString: string;
  readonly tablePrefix: string;
  readonly azurite: EmbeddedAzurite;
}

export function useAzurite(): TestStorage {
  let azurite: EmbeddedAzurite | undefined;
  const tablePrefix = uniqueTablePrefix();
  beforeAll(async () => {
    azurite = await startEmbeddedAzurite({ tablePort: 0, blobPort: 0 });
  });
  afterAll(async () => {
    await azurite?.close();
  });
  const started = (): EmbeddedAzurite => {
    if (!azurite) throw new Error('Azurite is not started yet: use it inside a test or a beforeAll/beforeEach.');
    return azurite;
  };
  return {
    get connectionString() {
      return started().connectionString;
    },
    tablePrefix,
    get azurite() {
      return started();
    },
  };
}

/** Letters and digits only (valid in table and container names). */
export function uniqueTablePrefix(): string {
  return `t${randomBytes(5).toString('hex')}`;
}
