import type { ReportFacts } from '../report.ts';
import type { AuthorRelationshipId, NamedPartyId, PlatformId, PostCategoryId } from '../vocabulary.ts';
import { hasUrgentWording } from './urgency.ts';
import { SEVERITY_IDS, type Policy, type RuleCondition, type RuleWhen, type SeverityId, type Source } from './schema.ts';

/** The facts of a report the policy grades on. */
export interface GradingFacts {
  categories: readonly PostCategoryId[];
  namedParties: readonly NamedPartyId[];
  authorRelationship: AuthorRelationshipId;
  atRisk: boolean;
  platform: PlatformId;
  /** Earlier incidents at this practice by the same author (0 for a first post). */
  priorIncidentsByAuthor: number;
  /** The post's words suggest someone needs medical help urgently (urgency.ts). */
  urgentWording?: boolean;
}

export interface GradedAction {
  id: string;
  title: string;
  /** Why this action, for this report. */
  reason: string;
  /** The policy sentence behind the recommendation. */
  source: Source;
  /** The rule that recommended it. */
  rule: string;
  /** What the action involves (the action's own guidance). */
  guidance: string;
  templateId?: string;
}

export interface GradedWarning {
  id: string;
  text: string;
  source: Source;
}

export interface Grading {
  severity: SeverityId;
  decisionTargetHours: number;
  /** Decider ids, in the policy's order (e.g. practice-manager, data-protection-officer). */
  deciders: string[];
  immediateAlert: boolean;
  /** Recommended actions, most important first. */
  actions: GradedAction[];
  warnings: GradedWarning[];
  /** The rules that applied, in policy order: the explanation of this grading. */
  matchedRules: { id: string; description: string; severity?: SeverityId }[];
}

export function gradingFactsFrom(report: ReportFacts, priorIncidentsByAuthor: number): GradingFacts {
  return {
    categories: [...report.what.categories],
    namedParties: [...report.what.namedParties],
    authorRelationship: report.where.authorRelationship,
    atRisk: report.risk.atRisk,
    platform: report.where.platform,
    priorIncidentsByAuthor: Math.max(0, Math.floor(priorIncidentsByAuthor)),
    urgentWording: hasUrgentWording(report.what.postText, report.risk.riskDetails),
  };
}

/**
 * Grades a report against a policy. Deterministic: the same policy and facts always give the same
 * grading, in the same order. Severity is the highest any matching rule sets (low if none); the
 * deciders are the severity's plus those the rules add; actions are ordered by priority, then by
 * the order of the rules and their entries in the policy, an action recommended twice keeping its
 * most urgent place; an action marked neverFirst is never first.
 */
export function gradeReport(policy: Policy, facts: GradingFacts): Grading {
  const matched = policy.rules.filter((rule) => rule.enabled !== false && matches(rule.when, facts));

  let severity: SeverityId = 'low';
  for (const rule of matched) {
    const level = rule.then.severity;
    if (level && rank(level) > rank(severity)) severity = level;
  }
  const severityDef = policy.severities[severity];

  const deciderIds = new Set(severityDef.deciders);
  for (const rule of matched) for (const d of rule.then.deciders ?? []) deciderIds.add(d);
  const deciders = [
    ...policy.deciders.map((d) => d.id).filter((id) => deciderIds.has(id)),
    ...[...deciderIds].filter((id) => !policy.deciders.some((d) => d.id === id)),
  ];

  const immediateAlert = severityDef.immediateAlert || matched.some((rule) => rule.then.immediateAlert === true);

  const excluded = new Set(matched.flatMap((rule) => rule.then.excludeActions ?? []));
  const best = new Map<string, { priority: number; order: number; reason: string; source: Source; rule: string }>();
  let order = 0;
  for (const rule of matched) {
    for (const rec of rule.then.actions ?? []) {
      order++;
      if (excluded.has(rec.id)) continue;
      const current = best.get(rec.id);
      if (current && current.priority <= rec.priority) continue;
      best.set(rec.id, { priority: rec.priority, order, reason: rec.reason, source: rec.source ?? rule.source, rule: rule.id });
    }
  }
  const ranked = [...best.entries()].sort(([, a], [, b]) => a.priority - b.priority || a.order - b.order);
  const firstAllowed = ranked.findIndex(([id]) => !policy.actions.find((a) => a.id === id)?.neverFirst);
  if (firstAllowed > 0) ranked.unshift(...ranked.splice(firstAllowed, 1));

  const actions: GradedAction[] = ranked.map(([id, rec]) => {
    const def = policy.actions.find((a) => a.id === id);
    return {
      id,
      title: def?.title ?? id,
      reason: rec.reason,
      source: rec.source,
      rule: rec.rule,
      guidance: def?.guidance ?? '',
      ...(def?.templateId ? { templateId: def.templateId } : {}),
    };
  });

  const warningIds: string[] = [];
  for (const rule of matched) for (const w of rule.then.warnings ?? []) if (!warningIds.includes(w)) warningIds.push(w);
  const warnings = warningIds.flatMap((id) => {
    const def = policy.warnings.find((w) => w.id === id);
    return def ? [{ id: def.id, text: def.text, source: def.source }] : [];
  });

  return {
    severity,
    decisionTargetHours: severityDef.decisionTargetHours,
    deciders,
    immediateAlert,
    actions,
    warnings,
    matchedRules: matched.map((rule) => ({
      id: rule.id,
      description: rule.description,
      ...(rule.then.severity ? { severity: rule.then.severity } : {}),
    })),
  };
}

export function rank(severity: SeverityId): number {
  return SEVERITY_IDS.indexOf(severity);
}

function matches(when: RuleWhen, facts: GradingFacts): boolean {
  if (!holds(when, facts)) return false;
  return when.anyOf === undefined || when.anyOf.some((c) => holds(c, facts));
}

function holds(c: RuleCondition, f: GradingFacts): boolean {
  if (c.anyCategory && !c.anyCategory.some((id) => f.categories.includes(id))) return false;
  if (c.everyCategoryIn && (f.categories.length === 0 || !f.categories.every((id) => c.everyCategoryIn!.includes(id)))) return false;
  if (c.noCategory && c.noCategory.some((id) => f.categories.includes(id))) return false;
  if (c.anyNamedParty && !c.anyNamedParty.some((id) => f.namedParties.includes(id))) return false;
  if (c.author && !c.author.includes(f.authorRelationship)) return false;
  if (c.notAuthor && c.notAuthor.includes(f.authorRelationship)) return false;
  if (c.atRisk !== undefined && c.atRisk !== f.atRisk) return false;
  if (c.platform && !c.platform.includes(f.platform)) return false;
  if (c.notPlatform && c.notPlatform.includes(f.platform)) return false;
  if (c.minPriorIncidents !== undefined && f.priorIncidentsByAuthor < c.minPriorIncidents) return false;
  if (c.maxPriorIncidents !== undefined && f.priorIncidentsByAuthor > c.maxPriorIncidents) return false;
  if (c.urgentWording !== undefined && c.urgentWording !== (f.urgentWording === true)) return false;
  return true;
}
