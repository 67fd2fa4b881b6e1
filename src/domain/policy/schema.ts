import { z } from 'zod';
import { AUTHOR_RELATIONSHIPS, NAMED_PARTIES, PLATFORMS, POST_CATEGORIES } from '../vocabulary.ts';

/**
 * The shape of a practice's social media policy, as data. Everything the grading engine applies
 * is here (categories, severities, actions, rules, warnings, reply templates), so a practice can
 * change it in a JSON file without touching code, and every rule cites the sentence it comes from.
 *
 * Two schemas: `policySchema` for a complete policy (the default, or the default merged with a
 * practice's file) and `policyOverrideSchema` for what a practice's file may contain (any part of
 * a policy; list entries are matched to the default's by id).
 */

export const SEVERITY_IDS = ['low', 'medium', 'high', 'critical'] as const;
export type SeverityId = (typeof SEVERITY_IDS)[number];

/** The placeholders a reply template may use. Nothing else is ever substituted or evaluated. */
export const TEMPLATE_PLACEHOLDERS = ['practiceName', 'practicePhone', 'practiceEmail'] as const;
export type TemplatePlaceholder = (typeof TEMPLATE_PLACEHOLDERS)[number];

/** Reply templates the bot relies on; a practice may reword them and add others, not remove them. */
export const REQUIRED_TEMPLATE_IDS = ['public-reply', 'removal-request', 'complaints-invitation'] as const;

const ids = <T extends readonly { id: string }[]>(list: T) => list.map((item) => item.id) as [T[number]['id'], ...T[number]['id'][]];

export const categoryIdSchema = z.enum(ids(POST_CATEGORIES));
export const platformIdSchema = z.enum(ids(PLATFORMS));
export const authorRelationshipIdSchema = z.enum(ids(AUTHOR_RELATIONSHIPS));
export const namedPartyIdSchema = z.enum(ids(NAMED_PARTIES));
export const severityIdSchema = z.enum(SEVERITY_IDS);

/** Lower-case words joined by hyphens: stored in the incident register, so never free text. */
const idSchema = z.string().regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, { error: 'expected an id in lower-case-with-hyphens' });
const text = z.string().trim().min(1, { error: 'must not be empty' });
const positiveNumber = z.number({ error: 'expected a positive number' }).positive({ error: 'expected a positive number' });
const count = () =>
  z.number({ error: 'expected a whole number, 0 or more' }).int({ error: 'expected a whole number, 0 or more' }).min(0, { error: 'expected a whole number, 0 or more' });

/** Where a rule or action comes from: a document (by id), the section, and the sentence itself. */
export const sourceSchema = z.strictObject({
  document: idSchema,
  section: text,
  quote: text,
});

export const documentSchema = z.strictObject({
  id: idSchema,
  title: text,
  /**
   * For documents not kept beside the code: where the quoted words are recorded verbatim,
   * relative to the shared folder (e.g. "policies/wickersley.txt" or "DESIGN.md").
   */
  recordedIn: text.optional(),
});

export const categorySchema = z.strictObject({
  id: categoryIdSchema,
  title: text,
  /** Plain English for the member of staff ticking the box on the report card. */
  description: text,
  source: sourceSchema,
});

export const deciderSchema = z.strictObject({
  id: idSchema,
  title: text,
  source: sourceSchema,
});

export const severitySchema = z.strictObject({
  title: text,
  description: text,
  /** How soon the decision should be made (the LMC: "hours, not days"). */
  decisionTargetHours: positiveNumber,
  deciders: z.array(idSchema).min(1, { error: 'must name at least one decider' }),
  immediateAlert: z.boolean({ error: 'expected true or false' }),
  source: sourceSchema,
});

export const actionSchema = z.strictObject({
  id: idSchema,
  title: text,
  guidance: text,
  source: sourceSchema,
  /** The reply template this action drafts from, if any. */
  templateId: idSchema.optional(),
  /** Never offered as the first recommendation (e.g. legal action: the LMC says it is slow and costly). */
  neverFirst: z.boolean({ error: 'expected true or false' }).optional(),
});

export const warningSchema = z.strictObject({
  id: idSchema,
  text,
  source: sourceSchema,
});

/** One test on the facts of a report. Every field given must hold (they are ANDed). */
const conditionShape = {
  /** At least one of these categories was ticked. */
  anyCategory: z.array(categoryIdSchema).min(1).optional(),
  /** Every ticked category is one of these (and at least one was ticked). */
  everyCategoryIn: z.array(categoryIdSchema).min(1).optional(),
  /** None of these categories was ticked. */
  noCategory: z.array(categoryIdSchema).min(1).optional(),
  anyNamedParty: z.array(namedPartyIdSchema).min(1).optional(),
  author: z.array(authorRelationshipIdSchema).min(1).optional(),
  notAuthor: z.array(authorRelationshipIdSchema).min(1).optional(),
  atRisk: z.boolean({ error: 'expected true or false' }).optional(),
  platform: z.array(platformIdSchema).min(1).optional(),
  notPlatform: z.array(platformIdSchema).min(1).optional(),
  /** Earlier incidents by the same author at this practice (1 = this is their second post). */
  minPriorIncidents: count().optional(),
  maxPriorIncidents: count().optional(),
  /** The post's words suggest urgency (chest pain, cannot breathe, …): see domain/policy/urgency.ts. */
  urgentWording: z.boolean({ error: 'expected true or false' }).optional(),
};

export const conditionSchema = z.strictObject(conditionShape);

export const whenSchema = z.strictObject({
  ...conditionShape,
  /** At least one of these conditions holds (in addition to the fields above). */
  anyOf: z.array(conditionSchema).min(1).optional(),
});

export const recommendationSchema = z.strictObject({
  id: idSchema,
  /** Lower comes first: 0-9 safety, 10-29 the main route, 30-59 follow-up, 60+ formal steps. */
  priority: count(),
  /** Why this action, for this report: shown to the manager beside the action. */
  reason: text,
  /** The sentence behind this recommendation, when it is not the rule's own source. */
  source: sourceSchema.optional(),
});

export const thenSchema = z.strictObject({
  /** The least severity a report matching this rule has. */
  severity: severityIdSchema.optional(),
  /** Who must take part in the decision, in addition to the severity's deciders. */
  deciders: z.array(idSchema).optional(),
  immediateAlert: z.boolean({ error: 'expected true or false' }).optional(),
  actions: z.array(recommendationSchema).optional(),
  warnings: z.array(idSchema).optional(),
  /** Actions that do not apply when this rule matches, whatever other rules recommend. */
  excludeActions: z.array(idSchema).optional(),
});

export const ruleSchema = z.strictObject({
  id: idSchema,
  description: text,
  enabled: z.boolean({ error: 'expected true or false' }).optional(),
  when: whenSchema,
  then: thenSchema,
  source: sourceSchema,
});

export const templateSchema = z.strictObject({
  id: idSchema,
  title: text,
  text,
  source: sourceSchema,
});

export const replyGuardSettingsSchema = z.strictObject({
  /** Over this many words a public reply is no longer "brief" (advisory). */
  briefWordLimit: z.number({ error: 'expected a whole number' }).int({ error: 'expected a whole number' }).positive({ error: 'expected a positive number' }),
  /** Words the practice adds to the built-in clinical word list. */
  extraClinicalTerms: z.array(text),
  /**
   * Sentences the practice approved in advance for public replies, with slots {{practiceName}},
   * {{practicePhone}}, {{practiceEmail}} and {{role}} (a role name from `roles`, never a person).
   * Any other sentence in a reply is free text the approving manager attests to.
   */
  approvedSentences: z.array(text),
  /** Role names a {{role}} slot may hold ("practice manager", "reception team"). */
  roles: z.array(text),
});

/** The slots an approved sentence may use: the template placeholders and a role name. */
export const SENTENCE_SLOTS = [...TEMPLATE_PLACEHOLDERS, 'role'] as const;

const policyShape = {
  name: text,
  documents: z.array(documentSchema),
  categories: z.array(categorySchema),
  deciders: z.array(deciderSchema),
  severities: z.strictObject({
    low: severitySchema,
    medium: severitySchema,
    high: severitySchema,
    critical: severitySchema,
  }),
  actions: z.array(actionSchema),
  warnings: z.array(warningSchema),
  rules: z.array(ruleSchema),
  templates: z.array(templateSchema),
  replyGuard: replyGuardSettingsSchema,
  /** Where a targeted colleague gets support, in the practice's words (a practice's own supportText wins). */
  supportText: text.max(500).optional(),
};

export const policySchema = z.strictObject(policyShape).superRefine((policy, ctx) => {
  const problem = (path: (string | number)[], message: string) => ctx.addIssue({ code: 'custom', path, message });

  for (const key of ['documents', 'categories', 'deciders', 'actions', 'warnings', 'rules', 'templates'] as const) {
    const seen = new Set<string>();
    policy[key].forEach((item, i) => {
      if (seen.has(item.id)) problem([key, i, 'id'], `"${item.id}" is listed twice`);
      seen.add(item.id);
    });
  }
  const documents = new Set(policy.documents.map((d) => d.id));
  const deciders = new Set(policy.deciders.map((d) => d.id));
  const actions = new Set(policy.actions.map((a) => a.id));
  const warnings = new Set(policy.warnings.map((w) => w.id));
  const templates = new Set(policy.templates.map((t) => t.id));
  const checkSource = (source: { document: string }, path: (string | number)[]) => {
    if (!documents.has(source.document)) problem([...path, 'document'], `unknown document "${source.document}" (add it to documents)`);
  };

  for (const category of POST_CATEGORIES) {
    if (!policy.categories.some((c) => c.id === category.id)) problem(['categories'], `missing category "${category.id}"`);
  }
  for (const id of REQUIRED_TEMPLATE_IDS) {
    if (!templates.has(id)) problem(['templates'], `missing template "${id}"`);
  }
  policy.categories.forEach((c, i) => checkSource(c.source, ['categories', i, 'source']));
  policy.deciders.forEach((d, i) => checkSource(d.source, ['deciders', i, 'source']));
  for (const level of SEVERITY_IDS) {
    const severity = policy.severities[level];
    checkSource(severity.source, ['severities', level, 'source']);
    severity.deciders.forEach((d, i) => {
      if (!deciders.has(d)) problem(['severities', level, 'deciders', i], `unknown decider "${d}"`);
    });
  }
  for (let i = 1; i < SEVERITY_IDS.length; i++) {
    const lower = policy.severities[SEVERITY_IDS[i - 1]!];
    const higher = policy.severities[SEVERITY_IDS[i]!];
    if (higher.decisionTargetHours > lower.decisionTargetHours) {
      problem(
        ['severities', SEVERITY_IDS[i]!, 'decisionTargetHours'],
        `must not be longer than ${SEVERITY_IDS[i - 1]}'s (${lower.decisionTargetHours} hours)`,
      );
    }
  }
  policy.actions.forEach((a, i) => {
    checkSource(a.source, ['actions', i, 'source']);
    if (a.templateId && !templates.has(a.templateId)) problem(['actions', i, 'templateId'], `unknown template "${a.templateId}"`);
  });
  policy.warnings.forEach((w, i) => checkSource(w.source, ['warnings', i, 'source']));
  policy.templates.forEach((t, i) => {
    checkSource(t.source, ['templates', i, 'source']);
    for (const name of placeholdersIn(t.text)) {
      if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
        problem(['templates', i, 'text'], `unknown placeholder {{${name}}} (use ${TEMPLATE_PLACEHOLDERS.map((p) => `{{${p}}}`).join(', ')})`);
      }
    }
    const stray = t.text.replace(PLACEHOLDER, '');
    if (stray.includes('{{') || stray.includes('}}')) problem(['templates', i, 'text'], 'has a "{{" or "}}" that is not a placeholder');
  });
  policy.replyGuard.approvedSentences.forEach((sentence, i) => {
    for (const name of placeholdersIn(sentence)) {
      if (!(SENTENCE_SLOTS as readonly string[]).includes(name)) {
        problem(['replyGuard', 'approvedSentences', i], `unknown slot {{${name}}} (use ${SENTENCE_SLOTS.map((p) => `{{${p}}}`).join(', ')})`);
      }
    }
  });
  policy.rules.forEach((r, i) => {
    checkSource(r.source, ['rules', i, 'source']);
    r.then.actions?.forEach((a, j) => {
      if (!actions.has(a.id)) problem(['rules', i, 'then', 'actions', j, 'id'], `unknown action "${a.id}"`);
      if (a.source) checkSource(a.source, ['rules', i, 'then', 'actions', j, 'source']);
    });
    r.then.excludeActions?.forEach((a, j) => {
      if (!actions.has(a)) problem(['rules', i, 'then', 'excludeActions', j], `unknown action "${a}"`);
    });
    r.then.warnings?.forEach((w, j) => {
      if (!warnings.has(w)) problem(['rules', i, 'then', 'warnings', j], `unknown warning "${w}"`);
    });
    r.then.deciders?.forEach((d, j) => {
      if (!deciders.has(d)) problem(['rules', i, 'then', 'deciders', j], `unknown decider "${d}"`);
    });
    const { minPriorIncidents: min, maxPriorIncidents: max } = r.when;
    if (min !== undefined && max !== undefined && min > max) problem(['rules', i, 'when', 'maxPriorIncidents'], 'must not be less than minPriorIncidents');
  });
});

/** `{{ name }}`: the only syntax a template has. */
export const PLACEHOLDER = /\{\{\s*([A-Za-z][A-Za-z0-9]*)\s*\}\}/g;

export function placeholdersIn(template: string): string[] {
  return [...template.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** A list entry in a practice's file: the id, and whichever fields it changes. */
const withId = <S extends z.ZodObject>(schema: S) => schema.partial().extend({ id: idSchema });

/**
 * What a practice's own policy file may hold: any part of a policy. Entries in a list are matched
 * to the default's by id (and changed field by field) or, with a new id, added whole.
 */
export const policyOverrideSchema = z.strictObject({
  $schema: z.string().optional(),
  name: text.optional(),
  documents: z.array(withId(documentSchema)).optional(),
  categories: z.array(withId(categorySchema)).optional(),
  deciders: z.array(withId(deciderSchema)).optional(),
  severities: z
    .strictObject({
      low: severitySchema.partial().optional(),
      medium: severitySchema.partial().optional(),
      high: severitySchema.partial().optional(),
      critical: severitySchema.partial().optional(),
    })
    .optional(),
  actions: z.array(withId(actionSchema)).optional(),
  warnings: z.array(withId(warningSchema)).optional(),
  rules: z
    .array(
      z.strictObject({
        id: idSchema,
        description: text.optional(),
        enabled: z.boolean({ error: 'expected true or false' }).optional(),
        when: whenSchema.optional(),
        then: thenSchema.extend({ actions: z.array(withId(recommendationSchema)).optional() }).optional(),
        source: sourceSchema.optional(),
      }),
    )
    .optional(),
  templates: z.array(withId(templateSchema)).optional(),
  replyGuard: replyGuardSettingsSchema.partial().optional(),
  supportText: text.max(500).optional(),
});

export type Source = z.output<typeof sourceSchema>;
export type PolicyDocument = z.output<typeof documentSchema>;
export type CategoryDef = z.output<typeof categorySchema>;
export type DeciderDef = z.output<typeof deciderSchema>;
export type SeverityDef = z.output<typeof severitySchema>;
export type ActionDef = z.output<typeof actionSchema>;
export type WarningDef = z.output<typeof warningSchema>;
export type RuleCondition = z.output<typeof conditionSchema>;
export type RuleWhen = z.output<typeof whenSchema>;
export type RuleThen = z.output<typeof thenSchema>;
export type Recommendation = z.output<typeof recommendationSchema>;
export type Rule = z.output<typeof ruleSchema>;
export type ReplyTemplate = z.output<typeof templateSchema>;
export type ReplyGuardSettings = z.output<typeof replyGuardSettingsSchema>;
export type Policy = z.output<typeof policySchema>;
export type PolicyOverride = z.output<typeof policyOverrideSchema>;
