import { readFileSync } from 'node:fs';
import { basename, dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Policy } from '../domain/policy/schema.ts';
import { applyOverride, validatePolicy } from '../domain/policy/validate.ts';
import { DEFAULT_POLICY } from './default.ts';

/**
 * Loads the policy at start-up: the default, changed by the practice's own JSON file when a path
 * is configured. Anything wrong stops start-up with every problem listed by field, e.g.
 *
 *   Policy file millbrook.json is not valid:
 *     - severities.high.decisionTargetHours: expected a positive number
 */

export class PolicyFileError extends Error {
  readonly problems: readonly string[];
  readonly path: string | undefined;

  constructor(path: string | undefined, problems: readonly string[]) {
    const what = path ? `Policy file ${path}` : 'The default policy';
    super(`${what} is not valid:\n${problems.map((p) => `  - ${p}`).join('\n')}`);
    this.name = 'PolicyFileError';
    this.problems = problems;
    this.path = path;
  }
}

export const PRESETS_DIR = join(dirname(fileURLToPath(import.meta.url)), 'presets');

export const PRESETS = ['millbrook', 'cockhedge'] as const;
export type PresetId = (typeof PRESETS)[number];

export function presetPath(preset: PresetId): string {
  return join(PRESETS_DIR, `${preset}.json`);
}

export function loadPolicy(path?: string): Policy {
  if (path === undefined || path.trim() === '') {
    const checked = validatePolicy(DEFAULT_POLICY);
    if (!checked.ok) throw new PolicyFileError(undefined, checked.error);
    return checked.value;
  }
  const file = resolve(path);
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code;
    throw new PolicyFileError(path, [code === 'ENOENT' ? `no such file (${file})` : `cannot be read (${code ?? String(error)})`]);
  }
  return policyFromJson(text, path);
}

/** The default changed by a policy file's text; `origin` names the file in errors. */
export function policyFromJson(text: string, origin = 'policy file'): Policy {
  let json: unknown;
  try {
    json = JSON.parse(text.replace(/^\uFEFF/, ''));
  } catch (error) {
    throw new PolicyFileError(origin, [`not valid JSON: ${(error as Error).message}`]);
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new PolicyFileError(origin, ['expected a JSON object ({ ... }) at the top level']);
  }
  const merged = applyOverride(DEFAULT_POLICY, json);
  if (!merged.ok) throw new PolicyFileError(origin.includes('/') || origin.includes('\\') ? origin : basename(origin), merged.error);
  return merged.value;
}
