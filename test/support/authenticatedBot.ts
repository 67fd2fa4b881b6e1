import { MicrosoftAppCredentials } from 'botframework-connector';
import { vi } from 'vitest';
import type { EmbeddedAzurite } from '../../src/store/embeddedAzurite.ts';
import type { Stores } from '../../src/store/ports.ts';
import { writePracticesFile } from './botProcess.ts';
import { FakeConnector } from './connector.ts';
import { startRealServer, startStorage, type RealServer, type RealServerOptions } from './realServer.ts';
import { TeamsWire, TENANT } from './teamsWire.ts';
import { BOT_FRAMEWORK_ISSUER, TestTokenIssuer } from './tokenIssuer.ts';

/**
 * The real server with Bot Framework authentication on, as Teams reaches it: a local OpenID/JWKS
 * issuer signs the tokens, a stand-in connector receives what the bot sends, Azurite stores, and
 * the practices come from a practices file. Used by the over-the-wire tests of who sees what.
 */
export const TEST_APP_ID = '0b5e4c2a-7d0f-4f43-9d43-2a8f3c0ffee1';

export interface AuthenticatedBot {
  connector: FakeConnector;
  issuer: TestTokenIssuer;
  azurite: EmbeddedAzurite;
  server: RealServer;
  wire: TeamsWire;
  /** The settings the server was started with (a second instance can share them). */
  env: Record<string, string>;
  close(): Promise<void>;
}

export async function startAuthenticatedBot(options: {
  practices: Parameters<typeof writePracticesFile>[0];
  env?: Record<string, string>;
  server?: RealServerOptions;
}): Promise<AuthenticatedBot> {
  // The bot's own outbound token would come from Entra ID: the one thing stubbed.
  vi.spyOn(MicrosoftAppCredentials.prototype, 'getToken').mockResolvedValue('outbound-token');
  const connector = new FakeConnector();
  await connector.start();
  const issuer = await new TestTokenIssuer(['msteams']).start();
  const azurite = await startStorage();
  const practices = await writePracticesFile(options.practices);
  const env = {
    MicrosoftAppId: TEST_APP_ID,
    MicrosoftAppPassword: 'test-password',
    ToBotFromChannelOpenIdMetadataUrl: issuer.metadataUrl,
    ToBotFromChannelTokenIssuer: BOT_FRAMEWORK_ISSUER,
    POSTWATCH_ALLOWED_TENANTS: TENANT,
    POSTWATCH_PRACTICES_FILE: practices.path,
    ...options.env,
  };
  const server = await startRealServer(azurite.connectionString, env, options.server);
  const wire = new TeamsWire(server.url, connector, () => ({ authorization: `Bearer ${issuer.sign(issuer.validClaims(TEST_APP_ID, connector.url))}` }));
  return {
    connector,
    issuer,
    azurite,
    server,
    wire,
    env,
    async close() {
      await server.close();
      await azurite.close();
      await issuer.stop();
      await connector.stop();
      await practices.remove();
      vi.restoreAllMocks();
    },
  };
}

/** Wraps every store so each call is recorded as "store.method" in `calls` (what a request cost). */
export function countingStores(calls: string[]): (stores: Stores) => Stores {
  return (stores) => {
    const wrap = <T extends object>(name: string, store: T): T =>
      new Proxy(store, {
        get(target, prop, receiver) {
          const value = Reflect.get(target, prop, receiver);
          if (typeof value !== 'function') return value;
          return (...args: unknown[]) => {
            calls.push(`${name}.${String(prop)}`);
            return (value as (...a: unknown[]) => unknown).apply(target, args);
          };
        },
      });
    return Object.fromEntries(Object.entries(stores).map(([name, store]) => [name, wrap(name, store as object)])) as unknown as Stores;
  };
}
