import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { z } from 'zod';
import type { Policy } from './domain/policy/schema.ts';
import type { PracticeDirectory } from './domain/practice.ts';
import { loadPolicy, PolicyFileError } from './policy/load.ts';
import { err, ok, type Result } from './domain/result.ts';

/** The environment, parsed and checked once at start-up. Every problem is reported by name. */
export interface Config {
  port: number;
  /** The address to listen on with authentication on (local mode always uses loopback). */
  listenHost: string;
  production: boolean;
  bot: {
    appId: string;
    appPassword: string;
    appType: 'MultiTenant' | 'SingleTenant' | 'UserAssignedMSI';
    tenantId: string;
    /** Bot Framework authentication is on whenever an app id is set. */
    authEnabled: boolean;
    /** Bot Framework settings for other clouds (and the tests' own token issuer). */
    openIdMetadataUrl?: string;
    tokenIssuer?: string;
  };
  storage:
    | { kind: 'azure'; connectionString: string }
    | { kind: 'embedded'; dataDir: string };
  tablePrefix: string;
  practices: PracticeDirectory;
  /** Each practice's policy: the default, changed by its own policy file when it has one. */
  policies: Map<string, Policy>;
  /** Tenants whose activities are accepted; empty means any (the app registration still limits who can reach the bot). */
  allowedTenants: string[];
  /** Where the bot is reached from outside (evidence pack links); local mode uses loopback. */
  publicUrl: string;
  /** Signs evidence pack links; shared by every instance (a random one is made when unset). */
  linkSecret?: string;
  logLevel: string;
}

const practiceSchema = z.object({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{1,62}$/, 'use lower-case letters, digits and hyphens (2-63 characters)'),
  name: z.string().min(1).max(120),
  teamIds: z.array(z.string().min(1)).default([]),
  staff: z.array(z.string().min(1)).default([]),
  phone: z.string().max(40).optional(),
  email: z.string().email().optional(),
  supportText: z.string().max(500).optional(),
  policyFile: z.string().min(1).optional(),
  staffNames: z.array(z.string().min(1).max(100)).default([]),
  managers: z.array(z.string().min(1)).default([]),
  deputies: z.array(z.string().min(1)).default([]),
  dataProtectionOfficers: z.array(z.string().min(1)).default([]),
  safeguardingLeads: z.array(z.string().min(1)).default([]),
});

const practicesFileSchema = z
  .object({
    practices: z.array(practiceSchema).min(1),
    defaultPracticeId: z.string().optional(),
  })
  .superRefine((file, ctx) => {
    const ids = file.practices.map((p) => p.id);
    ids.forEach((id, i) => {
      if (ids.indexOf(id) !== i) ctx.addIssue({ code: 'custom', path: ['practices', i, 'id'], message: `duplicate practice id "${id}"` });
    });
    if (file.defaultPracticeId && !ids.includes(file.defaultPracticeId)) {
      ctx.addIssue({ code: 'custom', path: ['defaultPracticeId'], message: 'names no practice in the file' });
    }
  });

/**
 * An empty (or blank) value means "not set", the same as leaving the variable out: env.sample
 * lists every setting with an empty value, and App Service keeps cleared settings as empty strings.
 */
function withoutEmptyValues(env: unknown): unknown {
  if (typeof env !== 'object' || env === null) return env;
  return Object.fromEntries(Object.entries(env).filter(([, value]) => !(typeof value === 'string' && value.trim() === '')));
}

const envShape = z.object({
  PORT: z.coerce.number().int().min(0).max(65535).default(3978),
  POSTWATCH_LISTEN_HOST: z.string().trim().regex(/^(\d{1,3}(\.\d{1,3}){3}|::|::1)$/, 'use an IP address such as 0.0.0.0 or 127.0.0.1').optional(),
  NODE_ENV: z.string().optional(),
  MicrosoftAppId: z.string().trim().optional(),
  MicrosoftAppPassword: z.string().optional(),
  MicrosoftAppType: z.enum(['MultiTenant', 'SingleTenant', 'UserAssignedMSI']).optional(),
  MicrosoftAppTenantId: z.string().trim().optional(),
  AZURE_STORAGE_CONNECTION_STRING: z.string().trim().optional(),
  POSTWATCH_DATA_DIR: z.string().trim().optional(),
  POSTWATCH_TABLE_PREFIX: z
    .string()
    .regex(/^[a-z][a-z0-9]{1,19}$/, 'use 2-20 lower-case letters and digits, starting with a letter')
    .optional(),
  POSTWATCH_PRACTICES_FILE: z.string().trim().optional(),
  POSTWATCH_PRACTICE_NAME: z.string().trim().max(120).optional(),
  POSTWATCH_MANAGERS: z.string().optional(),
  POSTWATCH_POLICY_FILE: z.string().trim().optional(),
  POSTWATCH_ALLOWED_TENANTS: z.string().optional(),
  POSTWATCH_PUBLIC_URL: z.string().url().optional(),
  POSTWATCH_LINK_SECRET: z.string().min(32, 'use at least 32 characters').optional(),
  ToBotFromChannelOpenIdMetadataUrl: z.string().url().optional(),
  ToBotFromChannelTokenIssuer: z.string().min(1).optional(),
  LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).optional(),
});
const envSchema = z.preprocess(withoutEmptyValues, envShape);

/** Every setting Postwatch reads (env.sample lists each one). */
export const SETTING_NAMES: readonly string[] = Object.keys(envShape.shape);

export function loadConfig(env: NodeJS.ProcessEnv = process.env, cwd = process.cwd()): Result<Config, string[]> {
  const parsed = envSchema.safeParse(env);
  if (!parsed.success) return err(parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`));
  const e = parsed.data;
  const problems: string[] = [];
  const production = e.NODE_ENV === 'production';
  const appId = e.MicrosoftAppId ?? '';

  if (production) {
    if (!appId) problems.push('MicrosoftAppId is required when NODE_ENV=production (the bot must not run without authentication).');
    if (!e.MicrosoftAppPassword && e.MicrosoftAppType !== 'UserAssignedMSI')
      problems.push('MicrosoftAppPassword is required when NODE_ENV=production.');
    if (!e.AZURE_STORAGE_CONNECTION_STRING)
      problems.push('AZURE_STORAGE_CONNECTION_STRING is required when NODE_ENV=production (the embedded emulator is for trying the bot only).');
  }
  // botbuilder checks tokens against the issuer that goes with the metadata: one without the other accepts no token at all.
  if (Boolean(e.ToBotFromChannelOpenIdMetadataUrl) !== Boolean(e.ToBotFromChannelTokenIssuer))
    problems.push('ToBotFromChannelOpenIdMetadataUrl and ToBotFromChannelTokenIssuer must be set together (or neither, for the public cloud).');
  // Without an app id nothing is authenticated, so the app type does not matter (env.sample suggests SingleTenant).
  if (appId && e.MicrosoftAppType === 'SingleTenant' && !e.MicrosoftAppTenantId)
    problems.push('MicrosoftAppTenantId is required when MicrosoftAppType=SingleTenant.');

  const practices = loadPractices(e, cwd);
  if (!practices.ok) problems.push(...practices.error);
  const policies = practices.ok ? loadPolicies(practices.value, e.POSTWATCH_POLICY_FILE, cwd) : err([]);
  if (!policies.ok) problems.push(...policies.error);
  if (problems.length > 0 || !practices.ok || !policies.ok) return err(problems);
  // Support for a targeted colleague: the practice's own words, else its policy's, never another practice's.
  for (const practice of practices.value.practices) {
    const fromPolicy = policies.value.get(practice.id)?.supportText;
    if (!practice.supportText && fromPolicy) practice.supportText = fromPolicy;
  }

  return ok({
    port: e.PORT,
    listenHost: e.POSTWATCH_LISTEN_HOST ?? '0.0.0.0',
    production,
    bot: {
      appId,
      appPassword: e.MicrosoftAppPassword ?? '',
      // botbuilder refuses SingleTenant without an app id; in local mode the type means nothing.
      appType: appId ? (e.MicrosoftAppType ?? 'MultiTenant') : 'MultiTenant',
      tenantId: e.MicrosoftAppTenantId ?? '',
      authEnabled: appId.length > 0,
      ...(e.ToBotFromChannelOpenIdMetadataUrl ? { openIdMetadataUrl: e.ToBotFromChannelOpenIdMetadataUrl } : {}),
      ...(e.ToBotFromChannelTokenIssuer ? { tokenIssuer: e.ToBotFromChannelTokenIssuer } : {}),
    },
    storage: e.AZURE_STORAGE_CONNECTION_STRING
      ? { kind: 'azure', connectionString: e.AZURE_STORAGE_CONNECTION_STRING }
      : { kind: 'embedded', dataDir: resolve(cwd, e.POSTWATCH_DATA_DIR ?? '.postwatch-data') },
    tablePrefix: e.POSTWATCH_TABLE_PREFIX ?? 'pw',
    practices: practices.value,
    policies: policies.value,
    allowedTenants: splitList(e.POSTWATCH_ALLOWED_TENANTS),
    publicUrl: e.POSTWATCH_PUBLIC_URL ?? `http://127.0.0.1:${e.PORT}`,
    ...(e.POSTWATCH_LINK_SECRET ? { linkSecret: e.POSTWATCH_LINK_SECRET } : {}),
    logLevel: e.LOG_LEVEL ?? 'info',
  });
}

/**
 * Without a practices file the deployment serves one practice and everyone who talks to the bot
 * belongs to it: the way a single practice tries Postwatch out.
 */
function loadPractices(e: z.infer<typeof envSchema>, cwd: string): Result<PracticeDirectory, string[]> {
  const file = e.POSTWATCH_PRACTICES_FILE;
  if (!file) {
    return ok({
      practices: [
        {
          id: 'practice',
          name: e.POSTWATCH_PRACTICE_NAME || 'Your practice',
          teamIds: [],
          staff: [],
          staffNames: [],
          managers: splitList(e.POSTWATCH_MANAGERS),
          // Its own policy file: the cards cite "<practice>'s social media policy".
          ...(e.POSTWATCH_POLICY_FILE ? { policyFile: e.POSTWATCH_POLICY_FILE } : {}),
          deputies: [],
          dataProtectionOfficers: [],
        },
      ],
      defaultPracticeId: 'practice',
    });
  }
  const path = resolve(cwd, file);
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(path, 'utf8'));
  } catch (e) {
    return err([`POSTWATCH_PRACTICES_FILE: cannot read ${path} as JSON (${(e as Error).message}).`]);
  }
  const parsed = practicesFileSchema.safeParse(raw);
  if (!parsed.success) {
    return err(parsed.error.issues.map((i) => `POSTWATCH_PRACTICES_FILE ${path}: ${i.path.join('.') || '(file)'}: ${i.message}`));
  }
  return ok(parsed.data as PracticeDirectory);
}

/** Every practice's policy is checked at start-up, so a mistake in a file stops the bot, not a report. */
function loadPolicies(directory: PracticeDirectory, defaultFile: string | undefined, cwd: string): Result<Map<string, Policy>, string[]> {
  const policies = new Map<string, Policy>();
  const problems: string[] = [];
  for (const practice of directory.practices) {
    const file = practice.policyFile ?? defaultFile;
    try {
      policies.set(practice.id, loadPolicy(file ? resolve(cwd, file) : undefined));
    } catch (error) {
      if (!(error instanceof PolicyFileError)) throw error;
      problems.push(`Practice "${practice.id}": ${error.message}`);
    }
  }
  return problems.length > 0 ? err(problems) : ok(policies);
}

function splitList(value: string | undefined): string[] {
  return (value ?? '')
    .split(',')
    .map((s) => s.trim())
    .filter((s) => s.length > 0);
}
