import type { z } from 'zod';
import { err, ok, type Result } from '../result.ts';
import { approvedSentenceProblems } from './reply-guard/startup-check.ts';
import { policyOverrideSchema, policySchema, type Policy, type PolicyOverride } from './schema.ts';

/**
 * Checking a policy and combining a practice's file with the default. Pure: the file is read in
 * src/policy/load.ts. Every problem is reported as "field.path: what is wrong", with list entries
 * named by their id (`rules[repeat-author].then.severity`) so a practice manager can find them.
 */

export function validatePolicy(input: unknown): Result<Policy, string[]> {
  const parsed = policySchema.safeParse(input);
  if (!parsed.success) return err(describeIssues(parsed.error.issues, input));
  // The approved sentences are checked by the reply guard itself: one it would block is a configuration error.
  const problems = approvedSentenceProblems(parsed.data);
  return problems.length > 0 ? err(problems) : ok(parsed.data);
}

export function validateOverride(input: unknown): Result<PolicyOverride, string[]> {
  const parsed = policyOverrideSchema.safeParse(input);
  return parsed.success ? ok(parsed.data) : err(describeIssues(parsed.error.issues, input));
}

/**
 * The default policy changed by a practice's file: objects are merged field by field, lists of
 * entries with an id are merged entry by entry (a new id is added at the end), anything else in
 * the file replaces the default's value. The result is validated as a whole policy.
 */
export function applyOverride(base: Policy, override: unknown): Result<Policy, string[]> {
  const checked = validateOverride(override);
  if (!checked.ok) return checked;
  const { $schema: _ignored, ...changes } = checked.value;
  return validatePolicy(deepMerge(base, changes));
}

export function deepMerge(base: unknown, change: unknown): unknown {
  if (change === undefined) return structuredClone(base);
  if (Array.isArray(base) && Array.isArray(change) && isIdList(base) && isIdList(change)) {
    const merged = base.map((item) => structuredClone(item) as { id: string });
    for (const entry of change) {
      const at = merged.findIndex((item) => item.id === entry.id);
      if (at >= 0) merged[at] = deepMerge(merged[at], entry) as { id: string };
      else merged.push(structuredClone(entry));
    }
    return merged;
  }
  if (isPlainObject(base) && isPlainObject(change)) {
    const merged: Record<string, unknown> = structuredClone(base);
    for (const [key, value] of Object.entries(change)) {
      if (value === undefined) continue;
      merged[key] = key in base ? deepMerge(base[key], value) : structuredClone(value);
    }
    return merged;
  }
  return structuredClone(change);
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isIdList(list: unknown[]): list is { id: string }[] {
  return list.every((item) => isPlainObject(item) && typeof item.id === 'string');
}

/** One line per problem, in the order found, e.g. `severities.high.decisionTargetHours: expected a positive number`. */
export function describeIssues(issues: readonly z.core.$ZodIssue[], input: unknown): string[] {
  const lines: string[] = [];
  for (const issue of issues) {
    const where = pathText(issue.path, input);
    if (issue.code === 'unrecognized_keys') {
      for (const key of issue.keys) lines.push(`${join(where, key)}: unknown field (check the spelling)`);
      continue;
    }
    if (issue.code === 'invalid_union') {
      lines.push(`${where || '(top level)'}: ${issue.message}`);
      continue;
    }
    lines.push(`${where || '(top level)'}: ${messageFor(issue, valueAt(input, issue.path))}`);
  }
  return [...new Set(lines)];
}

function messageFor(issue: z.core.$ZodIssue, value: unknown): string {
  switch (issue.code) {
    case 'invalid_type':
      if (value === undefined) return 'required';
      if (issue.message && !issue.message.startsWith('Invalid input')) return issue.message;
      return `expected ${kindName(issue.expected)}, got ${describeValue(value)}`;
    case 'invalid_value':
      return `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}, got ${describeValue(value)}`;
    case 'too_small':
      if (issue.message && !issue.message.startsWith('Too small')) return issue.message;
      if (issue.origin === 'array') return `must list at least ${String(issue.minimum)}`;
      if (issue.origin === 'string') return 'must not be empty';
      return `must be at least ${String(issue.minimum)}`;
    default:
      return issue.message;
  }
}

function kindName(expected: string): string {
  switch (expected) {
    case 'string':
      return 'text';
    case 'number':
      return 'a number';
    case 'boolean':
      return 'true or false';
    case 'array':
      return 'a list';
    case 'object':
      return 'an object';
    default:
      return expected;
  }
}

function describeValue(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'an object';
  if (typeof value === 'string') return JSON.stringify(value.length > 40 ? `${value.slice(0, 40)}…` : value);
  return String(value);
}

/** `rules[repeat-author].then.actions[block-on-page].priority`: list entries by id where they have one. */
function pathText(path: readonly PropertyKey[], input: unknown): string {
  let text = '';
  let node: unknown = input;
  for (const key of path) {
    if (typeof key === 'number') {
      const item = Array.isArray(node) ? node[key] : undefined;
      const id = isPlainObject(item) && typeof item.id === 'string' && /^[\w-]+$/.test(item.id) ? item.id : undefined;
      text += `[${id ?? key}]`;
    } else {
      text = join(text, String(key));
    }
    node = isPlainObject(node) || Array.isArray(node) ? (node as Record<PropertyKey, unknown>)[key] : undefined;
  }
  return text;
}

function valueAt(input: unknown, path: readonly PropertyKey[]): unknown {
  let node: unknown = input;
  for (const key of path) {
    if (!(isPlainObject(node) || Array.isArray(node))) return undefined;
    node = (node as Record<PropertyKey, unknown>)[key];
  }
  return node;
}

function join(path: string, key: string): string {
  return path ? `${path}.${key}` : key;
}
