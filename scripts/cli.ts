/**
 * What the operator scripts (npm run audit:verify, npm run retention) share: a strict command line
 * with --help, the storage the bot uses named by the environment and never created here, ids
 * printed safely, and one exit code convention (0 done, 1 found a problem, 2 could not run).
 */
import { parseArgs, type ParseArgsConfig } from 'node:util';
import { odata } from '@azure/data-tables';
import { storageNames, tableServiceClient } from '../src/store/azure/clients.ts';

/** Could not run: no storage, bad arguments, storage unreachable. */
export const CANNOT_RUN = 2;

const HELP = { help: { type: 'boolean', short: 'h', default: false } } as const;

type Options = NonNullable<ParseArgsConfig['options']>;
type Values<O extends Options> = ReturnType<typeof parseArgs<{ options: O & typeof HELP; strict: true; allowPositionals: false }>>['values'];

/**
 * The options given, strictly (an unknown option or a stray word prints the usage and ends with 2);
 * --help prints the usage and ends with 0. Returns the values, or the exit code to end with.
 */
export function commandLine<const O extends Options>(options: O, usage: string): Values<O> | number {
  let values: Values<O>;
  try {
    values = parseArgs({ options: { ...options, ...HELP }, strict: true, allowPositionals: false }).values as Values<O>;
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n\n${usage}`);
    return CANNOT_RUN;
  }
  if ((values as { help?: boolean }).help) {
    console.log(usage);
    return 0;
  }
  return values;
}

export interface ScriptStorage {
  connectionString: string;
  tablePrefix: string;
  names: ReturnType<typeof storageNames>;
}

/**
 * The storage named by AZURE_STORAGE_CONNECTION_STRING and POSTWATCH_TABLE_PREFIX (default "pw"),
 * if its incident table exists. Unlike the bot, a script creates nothing: a mistyped prefix must not
 * leave empty tables behind. Otherwise says why on stderr and returns the exit code.
 */
export async function existingStorage(noStorage: string): Promise<ScriptStorage | number> {
  const connectionString = process.env.AZURE_STORAGE_CONNECTION_STRING?.trim();
  if (!connectionString) {
    console.error(noStorage);
    return CANNOT_RUN;
  }
  const tablePrefix = process.env.POSTWATCH_TABLE_PREFIX?.trim() || 'pw';
  let names;
  try {
    names = storageNames(tablePrefix);
  } catch (error) {
    console.error(`POSTWATCH_TABLE_PREFIX: ${error instanceof Error ? error.message : String(error)}`);
    return CANNOT_RUN;
  }
  if (!(await tableExists(connectionString, names.incidents))) {
    console.error(`There is no table "${names.incidents}" in that storage account: check POSTWATCH_TABLE_PREFIX (now "${tablePrefix}") and AZURE_STORAGE_CONNECTION_STRING.`);
    return CANNOT_RUN;
  }
  return { connectionString, tablePrefix, names };
}

async function tableExists(connectionString: string, name: string): Promise<boolean> {
  const tables = tableServiceClient(connectionString).listTables({ queryOptions: { filter: odata`TableName eq ${name}` } });
  for await (const _ of tables) return true;
  return false;
}

/** Stored ids are data: no control characters reach the terminal. */
export function printable(text: string): string {
  return text.replace(/[\u0000-\u001f\u007f-\u009f]/g, '?');
}

/** Runs the script and exits with its code; an error it did not expect is one line on stderr and 2. */
export function runScript(main: () => Promise<number>, what: string): void {
  main().then(
    (code) => process.exit(code),
    (error: unknown) => {
      console.error(`${what} could not run: ${error instanceof Error ? error.message : String(error)}`);
      process.exit(CANNOT_RUN);
    },
  );
}
