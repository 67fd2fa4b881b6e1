import { describe, expect, it } from 'vitest';
import { gradeReport, gradingFactsFrom, type GradingFacts } from '../../src/domain/policy/grade.ts';
import type { SeverityId } from '../../src/domain/policy/schema.ts';
import type { ReportFacts } from '../../src/domain/report.ts';
import { AUTHOR_RELATIONSHIPS, POST_CATEGORIES } from '../../src/domain/vocabulary.ts';
import { loadPolicy } from '../../src/policy/load.ts';

const policy = loadPolicy();

interface Case {
  name: string;
  /** The policy sentence this case pins down. */
  pins: string;
  facts: Partial<GradingFacts>;
  severity: SeverityId;
  /** The first recommended actions, in order. */
  first: string[];
  /** Every warning, in order. */
  warnings: string[];
  deciders?: string[];
  alert?: boolean;
  /** Actions that must not be recommended at all. */
  never?: string[];
}

const base: GradingFacts = {
  categories: [],
  namedParties: [],
  authorRelationship: 'patient',
  atRisk: false,
  platform: 'facebook',
  priorIncidentsByAuthor: 0,
};

const PM = ['practice-manager'];
const PM_DPO = ['practice-manager', 'data-protection-officer'];

const cases: Case[] = [
  // --- one category at a time, patient author, first post ---------------------------------------
  {
    name: 'other criticism only',
    pins: 'Wickersley §6.1: "it may be best not to respond to avoid aggravating the situation"',
    facts: { categories: ['other-criticism'] },
    severity: 'low', first: ['no-response', 'public-reply', 'save-evidence'], warnings: ['reply-draws-attention'], deciders: PM, alert: false,
    never: ['report-to-police', 'legal-advice', 'removal-of-patient-policy'],
  },
  {
    name: 'complaint about care',
    pins: 'Millbrook: "the Practice Manager will contact the patient to give them the opportunity to follow the correct complaint pathway"',
    facts: { categories: ['complaint'] },
    severity: 'medium', first: ['complaints-procedure', 'public-reply', 'save-evidence'], warnings: ['complaint-never-removal', 'complaint-acknowledge'],
    never: ['removal-of-patient-policy', 'unreasonable-patients-policy', 'legal-advice', 'block-on-page'],
  },
  {
    name: 'complaint and other criticism',
    pins: 'Millbrook: "patients should not be removed due to a complaint"',
    facts: { categories: ['complaint', 'other-criticism'] },
    severity: 'medium', first: ['complaints-procedure', 'public-reply'], warnings: ['complaint-never-removal', 'complaint-acknowledge'],
    never: ['removal-of-patient-policy', 'no-response'],
  },
  {
    name: 'false or misleading',
    pins: 'Millbrook: "Patients must not post any material that is inaccurate"',
    facts: { categories: ['false-or-misleading'] },
    severity: 'medium', first: ['request-removal', 'public-reply', 'save-evidence'], warnings: ['no-online-spat'],
  },
  {
    name: 'personal attack',
    pins: 'LMC: "Consider reporting the post to the social media site to see if they will remove any abusive comments"',
    facts: { categories: ['personal-attack'] },
    severity: 'medium', first: ['report-to-platform', 'request-removal', 'no-response', 'save-evidence'], warnings: [],
    never: ['public-reply'],
  },
  {
    name: 'threat of violence',
    pins: 'Wickersley §6.3: "Reporting the incident to the police if it constitutes harassment or a threat of violence."',
    facts: { categories: ['threat'] },
    severity: 'high', first: ['report-to-police', 'save-evidence', 'report-to-platform', 'no-response', 'unreasonable-patients-policy', 'removal-of-patient-policy'],
    warnings: ['removal-after-threat'], alert: false,
  },
  {
    name: 'harassment',
    pins: 'Wickersley §6.3 (police for harassment); LMC: "Also consider blocking the poster"',
    facts: { categories: ['harassment'] },
    severity: 'high', first: ['save-evidence', 'report-to-platform', 'report-to-police', 'block-on-page', 'no-response'], warnings: ['prosecution-threshold'],
  },
  {
    name: 'defamatory, named author',
    pins: 'LMC: "suing for defamation is unlikely to be the best route to take"',
    facts: { categories: ['defamatory'] },
    severity: 'high', first: ['save-evidence', 'request-removal', 'report-to-platform', 'legal-advice', 'pr-support'], warnings: ['defamation-slow-costly'],
  },
  {
    name: 'names staff',
    pins: 'Cockhedge: "Patients must not post comments on social media that identify staff who work at the Practice."',
    facts: { categories: ['names-staff'], namedParties: ['colleagues'] },
    severity: 'medium', first: ['report-to-platform', 'request-removal', 'support-colleague', 'dpo-review', 'save-evidence'],
    warnings: ['platform-likely-removes', 'reply-never-names-staff'], deciders: PM_DPO,
  },
  {
    name: 'discloses another patient',
    pins: 'Millbrook: "Patients are not permitted to disclose any patient-identifiable information about other patients"',
    facts: { categories: ['discloses-patient-info'], namedParties: ['patients'] },
    severity: 'high', first: ['report-to-platform', 'dpo-review', 'request-removal', 'save-evidence'],
    warnings: ['platform-likely-removes', 'confidentiality'], deciders: PM_DPO,
  },
  {
    name: 'photo or recording',
    pins: 'Millbrook: recording "may constitute a criminal offence or a data breach"',
    facts: { categories: ['photo-or-recording'] },
    severity: 'high', first: ['report-to-platform', 'dpo-review', 'request-removal', 'save-evidence'], warnings: ['recording-privacy'], deciders: PM_DPO,
  },

  // --- the risk flag ------------------------------------------------------------------------------
  {
    name: 'at risk, threat',
    pins: 'LMC: "If you feel that any practice staff or patients are at risk, report your concerns to the police."',
    facts: { categories: ['threat'], atRisk: true },
    severity: 'critical', first: ['report-to-police', 'save-evidence', 'report-to-platform'], warnings: ['call-police-now', 'removal-after-threat'], alert: true, deciders: PM,
  },
  {
    name: 'at risk, only criticism ticked',
    pins: 'Design: "If anyone is at risk: tell the reporter to contact the police now (999 emergency / 101), and alert the manager immediately."',
    facts: { categories: ['other-criticism'], atRisk: true },
    severity: 'critical', first: ['report-to-police', 'save-evidence', 'no-response'], warnings: ['call-police-now', 'reply-draws-attention'], alert: true,
  },
  {
    name: 'at risk, complaint',
    pins: 'Design: police first when anyone is at risk, whatever the post is',
    facts: { categories: ['complaint'], atRisk: true },
    severity: 'critical', first: ['report-to-police', 'save-evidence', 'complaints-procedure'], warnings: ['call-police-now', 'complaint-never-removal', 'complaint-acknowledge'], alert: true,
  },
  {
    name: 'at risk, harassment naming a colleague',
    pins: 'Wickersley §7: "committed to supporting staff who are victims of online abuse"',
    facts: { categories: ['harassment', 'names-staff'], namedParties: ['colleagues'], atRisk: true },
    severity: 'critical', first: ['report-to-police', 'save-evidence', 'report-to-platform', 'request-removal', 'block-on-page'],
    warnings: ['call-police-now', 'prosecution-threshold', 'platform-likely-removes', 'reply-never-names-staff'], alert: true, deciders: PM_DPO,
  },
  {
    name: 'at risk, disclosure of a patient',
    pins: 'Wickersley §5: "reported to the practice manager and/or Data Protection Officer (DPO)"',
    facts: { categories: ['discloses-patient-info'], atRisk: true },
    severity: 'critical', first: ['report-to-police', 'save-evidence', 'report-to-platform', 'dpo-review'],
    warnings: ['call-police-now', 'platform-likely-removes', 'confidentiality'], alert: true, deciders: PM_DPO,
  },
  {
    name: 'not at risk does not alert',
    pins: 'Severity "high" has no immediate alert: only a risk to someone does',
    facts: { categories: ['harassment', 'threat'] },
    severity: 'high', first: ['report-to-police', 'save-evidence', 'report-to-platform'], warnings: ['removal-after-threat', 'prosecution-threshold'], alert: false,
  },

  // --- author relationship ------------------------------------------------------------------------
  {
    name: 'staff author, personal attack on a colleague',
    pins: 'Cockhedge: "Refrain from online behaviour towards colleagues that could be construed as bullying."',
    facts: { categories: ['personal-attack'], namedParties: ['colleagues'], authorRelationship: 'staff' },
    severity: 'medium', first: ['hr-route', 'report-to-platform', 'request-removal', 'no-response', 'support-colleague'],
    warnings: ['platform-likely-removes', 'reply-never-names-staff', 'staff-author'], deciders: PM_DPO,
    never: ['removal-of-patient-policy', 'unreasonable-patients-policy', 'complaints-procedure', 'block-on-page'],
  },
  {
    name: 'staff author, complaint',
    pins: 'Millbrook: staff concerns "are managed as per the Whistleblowing Policy and Procedure"',
    facts: { categories: ['complaint'], authorRelationship: 'staff' },
    severity: 'medium', first: ['hr-route', 'public-reply', 'save-evidence'], warnings: ['complaint-never-removal', 'complaint-acknowledge', 'staff-author'],
    never: ['complaints-procedure'],
  },
  {
    name: 'staff author, threat',
    pins: 'Wickersley §6.3 police for a threat comes before the HR route',
    facts: { categories: ['threat'], authorRelationship: 'staff' },
    severity: 'high', first: ['report-to-police', 'hr-route', 'save-evidence'], warnings: ['staff-author'],
    never: ['unreasonable-patients-policy', 'removal-of-patient-policy'],
  },
  {
    name: 'staff author, repeat abuse',
    pins: 'LMC/ACAS: "Social media, discipline and grievances"',
    facts: { categories: ['harassment'], authorRelationship: 'staff', priorIncidentsByAuthor: 3 },
    severity: 'high', first: ['hr-route', 'save-evidence', 'report-to-platform', 'report-to-police'],
    warnings: ['prosecution-threshold', 'possible-harassment', 'staff-author'],
    never: ['block-on-page', 'removal-of-patient-policy', 'unreasonable-patients-policy'],
  },
  {
    name: 'relative or carer, complaint',
    pins: 'Wickersley §3: applies to patients "and their friends and family members"',
    facts: { categories: ['complaint'], authorRelationship: 'relative-or-carer' },
    severity: 'medium', first: ['complaints-procedure', 'public-reply'], warnings: ['complaint-never-removal', 'complaint-acknowledge', 'relative-may-not-be-patient'],
  },
  {
    name: 'relative or carer, personal attack',
    pins: 'Wickersley §3 scope includes family members who post about staff',
    facts: { categories: ['personal-attack'], authorRelationship: 'relative-or-carer' },
    severity: 'medium', first: ['report-to-platform', 'request-removal'], warnings: ['relative-may-not-be-patient'],
  },
  {
    name: 'unknown author, defamatory',
    pins: 'Defamation Act 2013 s.5: "a notice makes the site act within 48 hours"',
    facts: { categories: ['defamatory'], authorRelationship: 'unknown' },
    severity: 'high', first: ['save-evidence', 'request-removal', 'report-to-platform', 'legal-advice'], warnings: ['defamation-slow-costly', 'defamation-s5-notice'],
  },
  {
    name: 'unknown author, other criticism',
    pins: 'LMC: "Sometimes the best course of action is to ignore the comments"',
    facts: { categories: ['other-criticism'], authorRelationship: 'unknown' },
    severity: 'low', first: ['no-response'], warnings: ['reply-draws-attention'],
  },
  {
    name: 'other author (member of the public), threat',
    pins: 'Millbrook: "violent, threatening or abusive" — the Unreasonable, Violent and Abusive Patients Policy',
    facts: { categories: ['threat'], authorRelationship: 'other' },
    severity: 'high', first: ['report-to-police', 'save-evidence'], warnings: ['removal-after-threat'],
  },
  {
    name: 'other author, false claim',
    pins: 'Wickersley §6.2: "A quick, measured response using the right tone may be appropriate"',
    facts: { categories: ['false-or-misleading'], authorRelationship: 'other' },
    severity: 'medium', first: ['request-removal', 'public-reply'], warnings: ['no-online-spat'],
  },

  // --- repeat authors (BMA: harassment starts at the second post) ---------------------------------
  {
    name: 'second abusive post',
    pins: 'BMA: "two or more connected abusive posts causing alarm or distress may be harassment"',
    facts: { categories: ['personal-attack'], priorIncidentsByAuthor: 1 },
    severity: 'high', first: ['save-evidence', 'block-on-page', 'report-to-platform', 'request-removal', 'report-to-police'],
    warnings: ['possible-harassment', 'prosecution-threshold'], never: ['removal-of-patient-policy'],
  },
  {
    name: 'third abusive post',
    pins: 'Millbrook: "Dealing with Unreasonable, Violent and Abusive Patients Policy" for persistent abuse',
    facts: { categories: ['personal-attack'], priorIncidentsByAuthor: 2 },
    severity: 'high', first: ['save-evidence', 'block-on-page', 'report-to-platform', 'request-removal', 'report-to-police', 'no-response', 'unreasonable-patients-policy', 'removal-of-patient-policy', 'legal-advice'],
    warnings: ['possible-harassment', 'prosecution-threshold', 'removal-human-decision'],
  },
  {
    name: 'first abusive post is not a repeat',
    pins: 'BMA: repeat starts at the second post, not the first',
    facts: { categories: ['personal-attack'], priorIncidentsByAuthor: 0 },
    severity: 'medium', first: ['report-to-platform'], warnings: [], never: ['block-on-page'],
  },
  {
    name: 'repeat complaint is not blocked',
    pins: 'Millbrook blocks patients "frequently posting inappropriate comments" — a complaint is not inappropriate',
    facts: { categories: ['complaint'], priorIncidentsByAuthor: 4 },
    severity: 'medium', first: ['complaints-procedure', 'public-reply'], warnings: ['complaint-never-removal', 'complaint-acknowledge'],
    never: ['block-on-page', 'removal-of-patient-policy', 'unreasonable-patients-policy'],
  },
  {
    name: 'repeat criticism stays low',
    pins: 'Wickersley §6.1 No Response, whatever the count',
    facts: { categories: ['other-criticism'], priorIncidentsByAuthor: 5 },
    severity: 'low', first: ['no-response'], warnings: ['reply-draws-attention'], never: ['block-on-page'],
  },
  {
    name: 'repeat defamation, legal advice still not first',
    pins: 'LMC: the legal process "is too slow to stop it (as well as being very costly)"',
    facts: { categories: ['defamatory'], priorIncidentsByAuthor: 3 },
    severity: 'high', first: ['save-evidence', 'block-on-page', 'request-removal', 'report-to-platform', 'report-to-police'],
    warnings: ['defamation-slow-costly', 'possible-harassment', 'prosecution-threshold', 'removal-human-decision'],
  },
  {
    name: 'repeat complaint with an insult',
    pins: 'Millbrook: removal never "due to a complaint" — the insult, not the complaint, is what counts',
    facts: { categories: ['complaint', 'personal-attack'], priorIncidentsByAuthor: 2 },
    severity: 'high', first: ['save-evidence', 'complaints-procedure', 'block-on-page'],
    warnings: ['complaint-never-removal', 'complaint-acknowledge', 'possible-harassment', 'prosecution-threshold', 'removal-human-decision'],
  },

  // --- platforms ----------------------------------------------------------------------------------
  {
    name: 'NHS website review naming staff',
    pins: 'NHS website: "\"Report as unsuitable\" hides a review until a moderator decides"',
    facts: { categories: ['names-staff'], namedParties: ['colleagues'], platform: 'nhs-website' },
    severity: 'medium', first: ['report-to-platform', 'request-removal', 'support-colleague'],
    warnings: ['platform-likely-removes', 'reply-never-names-staff', 'nhs-profile-manager'], deciders: PM_DPO,
  },
  {
    name: 'NHS website complaint',
    pins: 'NHS website: "formal complaints and serious allegations break its rules"',
    facts: { categories: ['complaint'], platform: 'nhs-website' },
    severity: 'medium', first: ['complaints-procedure', 'report-to-platform', 'public-reply'],
    warnings: ['complaint-never-removal', 'complaint-acknowledge', 'nhs-profile-manager'],
  },
  {
    name: 'NHS website criticism only',
    pins: 'NHS website: "the practice replies through NHS Profile Manager"',
    facts: { categories: ['other-criticism'], platform: 'nhs-website' },
    severity: 'low', first: ['no-response', 'public-reply'], warnings: ['reply-draws-attention', 'nhs-profile-manager'], never: ['report-to-platform'],
  },
  {
    name: 'Google review, false claim',
    pins: 'Platforms: "Google does not arbitrate factual disputes"',
    facts: { categories: ['false-or-misleading'], platform: 'google-reviews' },
    severity: 'medium', first: ['request-removal', 'public-reply'], warnings: ['no-online-spat', 'google-no-factual-disputes'],
  },
  {
    name: 'Google review, defamatory',
    pins: 'Platforms: "Google does not arbitrate factual disputes" (defamation claims are factual disputes too)',
    facts: { categories: ['defamatory'], platform: 'google-reviews' },
    severity: 'high', first: ['save-evidence', 'request-removal'], warnings: ['defamation-slow-costly', 'google-no-factual-disputes'],
  },
  {
    name: 'TikTok recording of the waiting room',
    pins: 'Cockhedge: "Patients are not permitted to take photographs or any media recordings in the waiting room"',
    facts: { categories: ['photo-or-recording', 'discloses-patient-info'], namedParties: ['patients'], platform: 'tiktok' },
    severity: 'high', first: ['report-to-platform', 'dpo-review', 'request-removal'],
    warnings: ['platform-likely-removes', 'confidentiality', 'recording-privacy'], deciders: PM_DPO,
  },
  {
    name: 'X post threatening a named GP',
    pins: 'Platforms remove what "threatens"; Wickersley §7 support for staff',
    facts: { categories: ['threat', 'names-staff'], namedParties: ['colleagues'], platform: 'x' },
    severity: 'high', first: ['report-to-police', 'save-evidence', 'report-to-platform', 'request-removal', 'no-response', 'support-colleague'],
    warnings: ['removal-after-threat', 'platform-likely-removes', 'reply-never-names-staff'], deciders: PM_DPO,
  },
  {
    name: 'Nextdoor insult naming a receptionist',
    pins: 'Millbrook: "Patients must not post comments on social media that identify any staff."',
    facts: { categories: ['personal-attack'], namedParties: ['colleagues'], platform: 'nextdoor' },
    severity: 'medium', first: ['report-to-platform', 'request-removal', 'no-response', 'support-colleague', 'dpo-review'],
    warnings: ['platform-likely-removes', 'reply-never-names-staff'], deciders: PM_DPO,
  },
  {
    name: 'Instagram photo of staff, second post',
    pins: 'Millbrook: blocking for "frequently posting inappropriate comments"; Article 8 privacy',
    facts: { categories: ['photo-or-recording'], namedParties: ['colleagues'], platform: 'instagram', priorIncidentsByAuthor: 1 },
    severity: 'high', first: ['save-evidence', 'report-to-platform', 'dpo-review', 'block-on-page', 'request-removal'],
    warnings: ['platform-likely-removes', 'reply-never-names-staff', 'recording-privacy', 'possible-harassment', 'prosecution-threshold'], deciders: PM_DPO,
  },
  {
    name: 'YouTube video with false claims about the practice',
    pins: 'Wickersley §4: "False or misleading statements."',
    facts: { categories: ['false-or-misleading', 'other-criticism'], namedParties: ['practice'], platform: 'youtube' },
    severity: 'medium', first: ['request-removal', 'public-reply'], warnings: ['no-online-spat'], never: ['no-response'],
  },
  {
    name: 'other platform, complaint naming a colleague',
    pins: 'Design: a reply "never names staff"; Millbrook complaint pathway',
    facts: { categories: ['complaint'], namedParties: ['colleagues'], platform: 'other' },
    severity: 'medium', first: ['complaints-procedure', 'report-to-platform', 'request-removal', 'public-reply', 'support-colleague'],
    warnings: ['platform-likely-removes', 'reply-never-names-staff', 'complaint-never-removal', 'complaint-acknowledge'], deciders: PM_DPO,
  },
  {
    name: 'named party colleagues without the category still counts',
    pins: 'Cockhedge: comments "that identify staff" (ticked as a named party)',
    facts: { categories: ['other-criticism'], namedParties: ['colleagues'] },
    severity: 'medium', first: ['no-response', 'report-to-platform', 'request-removal'],
    warnings: ['platform-likely-removes', 'reply-never-names-staff', 'reply-draws-attention'], deciders: PM_DPO,
  },
  {
    name: 'everything at once',
    pins: 'Severity is the highest any rule sets; police first',
    facts: { categories: POST_CATEGORIES.map((c) => c.id), namedParties: ['practice', 'colleagues', 'patients'], atRisk: true, priorIncidentsByAuthor: 2, authorRelationship: 'unknown' },
    severity: 'critical', first: ['report-to-police', 'safeguarding-referral', 'save-evidence'],
    warnings: [
      'call-police-now', 'removal-after-threat', 'prosecution-threshold', 'defamation-slow-costly', 'defamation-s5-notice',
      'platform-likely-removes', 'reply-never-names-staff', 'confidentiality', 'recording-privacy', 'complaint-never-removal',
      'complaint-acknowledge', 'no-online-spat', 'possible-harassment', 'removal-human-decision', 'medical-info-not-secure',
    ],
    alert: true, deciders: [...PM_DPO, 'safeguarding-lead'],
  },
  {
    name: 'a safeguarding signal on its own',
    pins: 'DESIGN: "A safeguarding signal in a post (self-harm, a child or adult at risk) is critical and goes to the practice\'s safeguarding lead, whatever else the post does."',
    facts: { categories: ['safeguarding'], namedParties: [], atRisk: false, authorRelationship: 'unknown' },
    severity: 'critical', first: ['safeguarding-referral', 'save-evidence'],
    warnings: [],
    alert: true, deciders: ['practice-manager', 'safeguarding-lead'],
  },
];

/** Wickersley §5: the practice manager and/or the DPO; the DPO whenever personal data is in the post. */
function expectedDeciders(facts: Partial<GradingFacts>): string[] {
  const personal = (facts.categories ?? []).some((id) => ['names-staff', 'discloses-patient-info', 'photo-or-recording'].includes(id));
  const named = (facts.namedParties ?? []).some((id) => id === 'colleagues' || id === 'patients');
  return personal || named ? PM_DPO : PM;
}

describe('gradeReport with the default policy', () => {
  it('has at least 40 cases, covering every category, author relationship and the risk flag', () => {
    expect(cases.length).toBeGreaterThanOrEqual(40);
    for (const c of POST_CATEGORIES) expect(cases.some((k) => k.facts.categories?.includes(c.id)), c.id).toBe(true);
    for (const a of AUTHOR_RELATIONSHIPS) {
      expect(cases.some((k) => (k.facts.authorRelationship ?? base.authorRelationship) === a.id), a.id).toBe(true);
    }
    expect(cases.some((k) => k.facts.atRisk === true)).toBe(true);
    expect(cases.some((k) => !k.facts.atRisk)).toBe(true);
  });

  it.each(cases)('$name — $pins', (c) => {
    const grading = gradeReport(policy, { ...base, ...c.facts });
    expect(grading.severity).toBe(c.severity);
    expect(grading.decisionTargetHours).toBe(policy.severities[c.severity].decisionTargetHours);
    expect(grading.actions.slice(0, c.first.length).map((a) => a.id)).toEqual(c.first);
    expect(grading.warnings.map((w) => w.id)).toEqual(c.warnings);
    expect(grading.deciders).toEqual(c.deciders ?? expectedDeciders(c.facts));
    expect(grading.immediateAlert).toBe(c.alert ?? c.severity === 'critical');
    for (const id of c.never ?? []) expect(grading.actions.map((a) => a.id)).not.toContain(id);
    // Explainable: every action has a reason, a cited sentence and the rule that chose it.
    for (const action of grading.actions) {
      expect(action.reason.length).toBeGreaterThan(10);
      expect(action.source.quote.length).toBeGreaterThan(10);
      expect(policy.rules.some((r) => r.id === action.rule)).toBe(true);
    }
  });
});

describe('grading invariants', () => {
  it('never recommends legal action first, whatever the facts', () => {
    for (const c of cases) {
      const grading = gradeReport(policy, { ...base, ...c.facts });
      expect(grading.actions[0]?.id).not.toBe('legal-advice');
      expect(grading.actions[0]?.id).not.toBe('pr-support');
    }
    // Even when the only rule left recommends legal advice first.
    const onlyLegal = {
      ...policy,
      rules: [{ id: 'x', description: 'x', when: {}, then: { actions: [{ id: 'legal-advice', priority: 0, reason: 'test reason' }, { id: 'save-evidence', priority: 9, reason: 'test reason' }] }, source: policy.rules[0]!.source }],
    };
    expect(gradeReport(onlyLegal, base).actions.map((a) => a.id)).toEqual(['save-evidence', 'legal-advice']);
  });

  it('never suggests removing a patient because of a complaint alone', () => {
    for (const prior of [0, 1, 2, 10]) {
      for (const author of AUTHOR_RELATIONSHIPS) {
        const grading = gradeReport(policy, { ...base, categories: ['complaint'], authorRelationship: author.id, priorIncidentsByAuthor: prior });
        expect(grading.actions.map((a) => a.id)).not.toContain('removal-of-patient-policy');
        expect(grading.warnings.map((w) => w.id)).toContain('complaint-never-removal');
      }
    }
  });

  it('is deterministic and does not change the facts it is given', () => {
    const facts: GradingFacts = { ...base, categories: ['threat', 'defamatory', 'names-staff'], namedParties: ['colleagues'], priorIncidentsByAuthor: 2 };
    const frozen = JSON.stringify(facts);
    const first = gradeReport(policy, facts);
    expect(gradeReport(policy, facts)).toEqual(first);
    expect(gradeReport(policy, { ...facts, categories: ['names-staff', 'defamatory', 'threat'] }).actions.map((a) => a.id)).toEqual(first.actions.map((a) => a.id));
    expect(JSON.stringify(facts)).toBe(frozen);
  });

  it('lists each action once, keeping its most urgent place', () => {
    const grading = gradeReport(policy, { ...base, categories: ['harassment', 'threat'], atRisk: true, priorIncidentsByAuthor: 1 });
    const ids = grading.actions.map((a) => a.id);
    expect(new Set(ids).size).toBe(ids.length);
    expect(grading.actions.find((a) => a.id === 'report-to-police')?.rule).toBe('someone-at-risk');
  });

  it('explains itself with the rules that matched', () => {
    const grading = gradeReport(policy, { ...base, categories: ['complaint'], platform: 'nhs-website' });
    expect(grading.matchedRules.map((r) => r.id)).toEqual(['every-report', 'complaint', 'nhs-website-review', 'nhs-website-breaks-rules']);
  });

  it('a disabled rule no longer applies', () => {
    const withoutRisk = { ...policy, rules: policy.rules.map((r) => (r.id === 'someone-at-risk' ? { ...r, enabled: false } : r)) };
    expect(gradeReport(withoutRisk, { ...base, categories: ['other-criticism'], atRisk: true }).severity).toBe('low');
  });
});

describe('gradingFactsFrom', () => {
  it('takes the grading facts from a submitted report', () => {
    const report: ReportFacts = {
      where: { platform: 'nhs-website', seenAt: '2026-11-02T10:00:00.000Z', seenDate: '2026-11-02', seenTime: '10:00', authorRelationship: 'relative-or-carer' },
      what: { postText: 'text', categories: ['complaint', 'names-staff'], namedParties: ['colleagues'], namedColleagues: 'Dr A' },
      risk: { atRisk: true },
      evidence: { screenshots: [] },
    };
    expect(gradingFactsFrom(report, 2)).toEqual({
      categories: ['complaint', 'names-staff'],
      namedParties: ['colleagues'],
      authorRelationship: 'relative-or-carer',
      atRisk: true,
      platform: 'nhs-website',
      priorIncidentsByAuthor: 2,
      urgentWording: false,
    });
    expect(gradingFactsFrom(report, -3).priorIncidentsByAuthor).toBe(0);
  });
});
