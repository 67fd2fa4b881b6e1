/**
 * npm run retention [-- --dry-run]
 *
 * The records duty by hand: lists every closed incident's retention date, what is due, what is
 * under legal hold; without --dry-run it then runs the retention job once (under the same lease as
 * the bot, so it never runs alongside a bot instance doing the same). Exit code 0 when done, 2
 * when it could not run (no storage configured, unreachable, bad arguments).
 */
import { randomUUID } from 'node:crypto';
import { RetentionJob, type RetentionItem } from '../src/app/retention.ts';
import { ukDate } from '../src/domain/ukTime.ts';
import { createLogger } from '../src/log.ts';
import { RETENTION_RULES } from '../src/policy/retention.ts';
import { createAzureStores } from '../src/store/azure/index.ts';
import { commandLine, existingStorage, printable, runScript } from './cli.ts';

const USAGE = `Usage: npm run retention [-- --dry-run] [-- --practice <id>]

  --dry-run        list what is due and when, delete nothing
  --practice <id>  list one practice only (the job itself always covers every practice)

Environment:
  AZURE_STORAGE_CONNECTION_STRING  the storage the bot uses (required)
  POSTWATCH_TABLE_PREFIX           table name prefix (default: pw)`;

async function main(): Promise<number> {
  const args = commandLine({ 'dry-run': { type: 'boolean', default: false }, practice: { type: 'string' } }, USAGE);
  if (typeof args === 'number') return args;
  const storage = await existingStorage(`AZURE_STORAGE_CONNECTION_STRING is not set: there is no storage to look at.\n\n${USAGE}`);
  if (typeof storage === 'number') return storage;
  const { connectionString, tablePrefix } = storage;
  const stores = await createAzureStores(connectionString, { tablePrefix });
  const job = new RetentionJob({ stores, rules: RETENTION_RULES, now: () => new Date(), log: createLogger('warn'), instanceId: `cli-${randomUUID()}` });
  const plan = await job.plan(args.practice?.trim() || undefined);
  console.log(`Retention under the ${RETENTION_RULES.source}.`);
  console.log(plan.length === 0 ? 'No closed incidents.' : plan.map(describe).join('\n'));
  if (args['dry-run']) {
    const due = plan.filter((i) => i.retention.state === 'due').length;
    console.log(`\nDry run: ${due} incident${due === 1 ? '' : 's'} would be deleted now; nothing was deleted.`);
    return 0;
  }
  const run = await job.run();
  if (!run.ran) {
    console.log('\nAnother instance holds the retention lease and is running the job now: nothing done here.');
    return 0;
  }
  console.log(`\nDeleted ${run.deleted.length} (${run.deleted.map((d) => printable(`${d.practiceId} ${d.reference}`)).join(', ') || 'none'}); ${run.held.length} held; ${run.finished} interrupted deletions finished; ${run.purgedDeliveries} delivered notification rows purged.`);
  return 0;
}

function describe(item: RetentionItem): string {
  const r = item.retention;
  const where = printable(`${item.practiceId} ${item.reference}`);
  switch (r.state) {
    case 'due':
      return `DUE   ${where}: kept until ${ukDate(r.retainUntil)} (${r.basis})`;
    case 'held':
      return `HELD  ${where}: legal hold since ${ukDate(r.hold.at)}${r.retainUntil ? `, period ends ${ukDate(r.retainUntil)}` : ''}`;
    case 'kept':
      return `kept  ${where}: until ${ukDate(r.retainUntil)} (${r.basis})`;
    case 'open':
      return `open  ${where}`;
  }
}

runScript(main, 'Retention');
