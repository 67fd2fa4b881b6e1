import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Policy } from '../domain/policy/schema.ts';
import { validatePolicy } from '../domain/policy/validate.ts';

/**
 * The default social media policy, drawn from all five documents (Wickersley, Millbrook,
 * Cockhedge, Caergwrle, the LMC's guidance) and the facts recorded from the BMA, GMC, MDU, NHS
 * website, platforms and the Defamation Act. A practice changes it with its own JSON file
 * (src/policy/load.ts); examples are in src/policy/presets/. The policy itself is data, in
 * default.json beside this file, checked by the same schema as a practice's file.
 *
 * Action priorities: 0-9 safety, 10-29 the main route, 30-59 follow-up and support, 60-79 the
 * practice's formal policies, 80+ legal and PR (never first).
 */

export const DEFAULT_POLICY_FILE = join(dirname(fileURLToPath(import.meta.url)), 'default.json');

function readDefaultPolicy(): Policy {
  const raw: unknown = JSON.parse(readFileSync(DEFAULT_POLICY_FILE, 'utf8'));
  const checked = validatePolicy(raw);
  // A broken default is a defect in the release, not something a practice can fix: stop at once.
  if (!checked.ok) throw new Error(`The default policy (${DEFAULT_POLICY_FILE}) is not valid:\n  ${checked.error.join('\n  ')}`);
  return raw as Policy;
}

export const DEFAULT_POLICY: Policy = readDefaultPolicy();
