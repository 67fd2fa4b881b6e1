/**
 * npm run audit:verify [-- --practice <id>] [-- --evidence] [-- --seal <hex>]
 *
 * Checks every incident's audit chain in the storage named by AZURE_STORAGE_CONNECTION_STRING
 * (tables prefixed by POSTWATCH_TABLE_PREFIX, default "pw"): one line per incident, then a summary.
 * Exit code 0 when every chain is whole, 1 when any is broken, 2 when it could not check (no
 * storage configured, storage unreachable, bad arguments). Read-only: it never writes to storage,
 * and it never starts an emulator of its own (an empty one would verify nothing).
 */
import { checkAgainstSeal, describeSealCheck, SEAL_SHOWN_HEX } from '../src/app/auditSeal.ts';
import { describeChainReport, summariseChainReports, verifyAuditChains } from '../src/app/auditVerify.ts';
import { AzureSealStore } from '../src/store/azure/sealStore.ts';
import type { Stores } from '../src/store/ports.ts';
import { evidenceContainer, tableClient } from '../src/store/azure/clients.ts';
import { AzureEvidenceStore } from '../src/store/azure/evidenceStore.ts';
import { AzureIncidentStore } from '../src/store/azure/incidentStore.ts';
import { devConnectionString } from '../src/store/embeddedAzurite.ts';
import { CANNOT_RUN, commandLine, existingStorage, printable, runScript } from './cli.ts';

const USAGE = `Usage: npm run audit:verify [-- --practice <practiceId>] [-- --evidence] [-- --seal <hex>]

  --practice <id>  check one practice only (default: every practice)
  --evidence       also read every evidence file back and re-hash it (slower)
  --seal <hex>     also check the chains against the audit seal with this digest (at least the
                   16 hex digits posted in the practice's review channel): names every incident
                   whose sealed entry was rewritten since

Environment:
  AZURE_STORAGE_CONNECTION_STRING  the storage to check (required)
  POSTWATCH_TABLE_PREFIX           table name prefix (default: pw)`;

const NO_STORAGE = `AZURE_STORAGE_CONNECTION_STRING is not set: there is no storage to check.

Point it at the storage the bot uses, for example:
  AZURE_STORAGE_CONNECTION_STRING='DefaultEndpointsProtocol=https;AccountName=...;AccountKey=...;EndpointSuffix=core.windows.net' npm run audit:verify

For the embedded emulator of \`npm start\`, keep the bot running and use the table and blob
endpoints it logs at start-up with the emulator's well-known development account:
  AZURE_STORAGE_CONNECTION_STRING='${devConnectionString({
    tableEndpoint: 'http://127.0.0.1:<table port>/devstoreaccount1',
    blobEndpoint: 'http://127.0.0.1:<blob port>/devstoreaccount1',
  })}' npm run audit:verify

This command does not start an emulator of its own: an empty one would verify nothing.`;

async function main(): Promise<number> {
  const args = commandLine({ practice: { type: 'string' }, evidence: { type: 'boolean', default: false }, seal: { type: 'string' } }, USAGE);
  if (typeof args === 'number') return args;
  const practiceId = args.practice?.trim();
  if (args.practice !== undefined && !practiceId) {
    console.error(`--practice needs a practice id.\n\n${USAGE}`);
    return CANNOT_RUN;
  }
  const sealHex = args.seal?.trim().replace(/…$/, '').toLowerCase();
  if (sealHex !== undefined && !/^[0-9a-f]{16,64}$/.test(sealHex)) {
    console.error(`--seal needs at least the ${SEAL_SHOWN_HEX} hex digits shown on the seal card.\n\n${USAGE}`);
    return CANNOT_RUN;
  }
  const storage = await existingStorage(NO_STORAGE);
  if (typeof storage === 'number') return storage;
  const { connectionString, tablePrefix, names } = storage;
  const stores = {
    incidents: new AzureIncidentStore(tableClient(connectionString, names.incidents), () => new Date()),
    evidence: new AzureEvidenceStore(evidenceContainer(connectionString, names.evidenceContainer)),
  };
  const scope = practiceId ? `practice ${printable(practiceId)}` : 'every practice';
  console.log(`Checking audit chains of ${scope} (tables prefixed "${tablePrefix}")${args.evidence ? ', re-hashing evidence files' : ''}…`);
  const reports = await verifyAuditChains(stores, {
    ...(practiceId ? { practiceId } : {}),
    rehashEvidence: args.evidence,
    onReport: (report) => console.log(printable(describeChainReport(report))),
  });
  const summary = summariseChainReports(reports);
  const sealBroken = sealHex === undefined ? false : await checkSeal(connectionString, names.sealContainer, stores, sealHex, practiceId);
  console.log('');
  if (summary.incidents === 0) {
    console.log(`No incidents found for ${scope}. Check AZURE_STORAGE_CONNECTION_STRING and POSTWATCH_TABLE_PREFIX if you expected some.`);
    return 0;
  }
  if (summary.broken === 0 && sealBroken) {
    console.log(`All ${summary.incidents} audit chains are whole in themselves, but the seal shows some were rewritten (above).`);
    return 1;
  }
  if (summary.broken === 0) {
    console.log(`All ${summary.incidents} audit chains are whole${summary.deleted ? ` (${summary.deleted} of them end in a tombstone: incidents deleted by Postwatch under the records policy, not tampering)` : ''}.`);
    return 0;
  }
  console.log(`${summary.broken} of ${summary.incidents} audit chains are BROKEN:`);
  for (const b of summary.brokenIncidents) {
    console.log(`  ${printable(b.practiceId)} ${printable(b.reference)}${b.brokenAt === undefined ? '' : ` (first broken entry: ${b.brokenAt})`}`);
  }
  return 1;
}

/** Checks against the stored seal with this digest; true when something was rewritten (or the seal cannot be trusted). */
async function checkSeal(connectionString: string, container: string, stores: Pick<Stores, 'incidents'>, hex: string, practiceId: string | undefined): Promise<boolean> {
  const seals = new AzureSealStore(evidenceContainer(connectionString, container));
  const found = await seals.find(hex, practiceId);
  console.log('');
  if (found.length !== 1) {
    console.log(
      found.length === 0
        ? `SEAL   No stored audit seal has the digest ${hex}…: the stored seals were altered or removed, or the digest is mistyped.`
        : `SEAL   ${found.length} stored seals start with ${hex}…: give more of the digest (or --practice).`,
    );
    return found.length === 0;
  }
  const check = await checkAgainstSeal({ ...stores, seals }, found[0]);
  console.log(printable(`SEAL   ${check.kind === 'checked' && check.changes.length === 0 ? 'ok' : 'BROKEN'} ${describeSealCheck(check)}`));
  return check.kind !== 'checked' || check.changes.length > 0;
}

runScript(main, 'Audit verification');
