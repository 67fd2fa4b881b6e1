import type { RetentionRules } from '../domain/retention.ts';

/**
 * How long Postwatch keeps an incident after it is closed, and what makes one "serious".
 *
 * Records Management Code of Practice for Health and Social Care (NHS England / NHSX, 2021,
 * updated 2023), retention schedule: incidents are kept 10 years from closure; serious incidents
 * 20 years; complaints files 10 years from closure, apart from the medical record (recorded in
 * DESIGN.md, "Facts from outside the policies"). UK GDPR Art. 5(1)(e) (storage limitation):
 * nothing is kept longer than that unless a legal hold stops the deletion.
 *
 * "Serious" is decided here, as data, so a practice's DPO can see exactly what doubles the period:
 *   - the incident was graded critical (a threat, a safeguarding signal, someone at risk);
 *   - the police were involved: the decision chose the police action, or the reporter said
 *     someone was at risk (the bot told them to call 999/101);
 *   - safeguarding: the post carried a safeguarding signal, or the safeguarding lead co-decided.
 */
export const RETENTION_RULES: RetentionRules = {
  source: 'Records Management Code of Practice for Health and Social Care 2021 (updated 2023): incidents 10 years from closure, serious incidents 20 years',
  standardYears: 10,
  seriousYears: 20,
  serious: {
    severities: ['critical'],
    policeActions: ['report-to-police'],
    policeWhenAtRisk: true,
    safeguardingCategories: ['safeguarding'],
    safeguardingDeciders: ['safeguarding-lead'],
  },
};
