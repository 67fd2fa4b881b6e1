import pino from 'pino';
import type { Sender } from '../../src/app/outbox.ts';
import { createServices, type Services } from '../../src/compose.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import type { Stores } from '../../src/store/ports.ts';
import { TeamsDriver } from './teams.ts';

/**
 * The bot's use cases wired as in production (compose.ts) on the test's own stores, clock and
 * connector, without authentication or an HTTP server; each practice on the default policy. With
 * `deliverAtOnce: false` nothing is sent until the test runs the outbox itself.
 */
export function startServices(options: { directory: PracticeDirectory; stores: Stores; now: () => Date; sender: Sender; deliverAtOnce?: boolean }): { services: Services; driver: TeamsDriver } {
  const services = createServices({
    config: { practices: options.directory, policies: new Map(options.directory.practices.map((p) => [p.id, loadPolicy()])), bot: { authEnabled: false } },
    stores: options.stores,
    log: pino({ level: 'silent' }),
    now: options.now,
    sender: options.sender,
    privateChats: { send: async () => undefined },
    ...(options.deliverAtOnce === undefined ? {} : { deliverAtOnce: options.deliverAtOnce }),
  });
  return { services, driver: new TeamsDriver((c) => services.bot.run(c)) };
}
