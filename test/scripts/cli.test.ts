import { afterEach, describe, expect, it, vi } from 'vitest';
import { CANNOT_RUN, commandLine, existingStorage, printable } from '../../scripts/cli.ts';

/** The command line and environment every operator script reads (npm run audit:verify, npm run retention). */
const USAGE = 'Usage: npm run something [-- --practice <id>]';
const argv = process.argv;
const env = { ...process.env };

function withArgs(...args: string[]): void {
  process.argv = [argv[0]!, 'script.ts', ...args];
}

afterEach(() => {
  process.argv = argv;
  process.env = { ...env };
  vi.restoreAllMocks();
});

describe('commandLine', () => {
  it('gives the options typed, with their defaults', () => {
    withArgs('--practice', 'millbrook');
    expect(commandLine({ practice: { type: 'string' }, 'dry-run': { type: 'boolean', default: false } }, USAGE)).toEqual({ practice: 'millbrook', 'dry-run': false, help: false });
  });

  it('refuses an unknown option or a stray word with the usage on stderr (exit 2), and prints nothing else', () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const logs = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    withArgs('--delete-everything');
    expect(commandLine({ practice: { type: 'string' } }, USAGE)).toBe(CANNOT_RUN);
    withArgs('millbrook');
    expect(commandLine({ practice: { type: 'string' } }, USAGE)).toBe(CANNOT_RUN);
    expect(errors).toHaveBeenCalledTimes(2);
    expect(String(errors.mock.calls[0]?.[0])).toContain(USAGE);
    expect(logs).not.toHaveBeenCalled();
  });

  it('prints the usage for --help or -h and ends with 0', () => {
    const logs = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    withArgs('-h');
    expect(commandLine({ practice: { type: 'string' } }, USAGE)).toBe(0);
    withArgs('--help');
    expect(commandLine({}, USAGE)).toBe(0);
    expect(logs.mock.calls).toEqual([[USAGE], [USAGE]]);
  });
});

describe('existingStorage', () => {
  it('ends with 2 and the given explanation when no storage is named', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    delete process.env.AZURE_STORAGE_CONNECTION_STRING;
    expect(await existingStorage('No storage: say which.')).toBe(CANNOT_RUN);
    process.env.AZURE_STORAGE_CONNECTION_STRING = '   ';
    expect(await existingStorage('No storage: say which.')).toBe(CANNOT_RUN);
    expect(errors.mock.calls).toEqual([['No storage: say which.'], ['No storage: say which.']]);
  });

  it('refuses a table prefix that cannot name a table, before reaching any storage', async () => {
    const errors = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    process.env.AZURE_STORAGE_CONNECTION_STRING = 'UseDevelopmentStorage=true';
    process.env.POSTWATCH_TABLE_PREFIX = 'no spaces!';
    expect(await existingStorage('unused')).toBe(CANNOT_RUN);
    expect(String(errors.mock.calls[0]?.[0])).toMatch(/^POSTWATCH_TABLE_PREFIX: /);
  });
});

describe('printable', () => {
  it('turns control characters in stored ids into ?', () => {
    expect(printable('PW-2026-0001\u001b[2J\r\n\u0085')).toBe('PW-2026-0001?[2J???');
  });
});
