import type { Policy } from '../domain/policy/schema.ts';
import { DOCUMENTS, Q } from './sources.ts';

/**
 * The default social media policy, drawn from all five documents (Wickersley, Millbrook,
 * Cockhedge, Caergwrle, the LMC's guidance) and the facts recorded from the BMA, GMC, MDU, NHS
 * website, platforms and the Defamation Act. A practice changes it with its own JSON file
 * (src/policy/load.ts); examples are in src/policy/presets/.
 *
 * Action priorities: 0-9 safety, 10-29 the main route, 30-59 follow-up and support, 60-79 the
 * practice's formal policies, 80+ legal and PR (never first).
 */

const ABUSIVE = ['personal-attack', 'threat', 'harassment', 'defamatory', 'false-or-misleading', 'names-staff', 'discloses-patient-info', 'photo-or-recording'] as const;

export const DEFAULT_POLICY: Policy = {
  name: 'Postwatch default policy (Wickersley, Millbrook, Cockhedge, Caergwrle, LMC)',
  documents: [...DOCUMENTS],

  categories: [
    {
      id: 'false-or-misleading',
      title: 'False or misleading',
      description: 'The post states something about the practice or a colleague that is untrue or gives a false picture.',
      source: { document: 'wickersley', section: '4. Definition of Disparaging Comments', quote: 'False or misleading statements.' },
    },
    {
      id: 'personal-attack',
      title: 'Personal attack or insult',
      description: 'The post insults or attacks a person rather than commenting on the service.',
      source: { document: 'wickersley', section: '4. Definition of Disparaging Comments', quote: 'Personal attacks or insults.' },
    },
    {
      id: 'threat',
      title: 'Threat of violence or harm',
      description: 'The post threatens to hurt someone or damage something, or says someone should be hurt.',
      source: { document: 'wickersley', section: '4. Definition of Disparaging Comments', quote: 'Threats of violence or harm.' },
    },
    {
      id: 'safeguarding',
      title: 'Safeguarding concern',
      description: 'The post suggests someone may harm themselves, or that a child or an adult at risk may be in danger or neglected.',
      source: Q.designSafeguarding,
    },
    {
      id: 'harassment',
      title: 'Harassment or bullying',
      description: 'The post is part of repeated or targeted behaviour meant to upset, frighten or wear someone down.',
      source: { document: 'wickersley', section: '4. Definition of Disparaging Comments', quote: 'Harassment or bullying.' },
    },
    {
      id: 'defamatory',
      title: 'Defamatory',
      description: 'The post makes a damaging claim about a person or the practice that is presented as fact and is not true.',
      source: Q.cockDefinition,
    },
    {
      id: 'names-staff',
      title: 'Names or identifies staff',
      description: 'The post names a colleague, or describes them so that people would know who is meant (a photo, a job title, "the receptionist with…").',
      source: Q.cockIdentifyStaff,
    },
    {
      id: 'discloses-patient-info',
      title: "Discloses another patient's information",
      description: 'The post reveals something about another patient: who they are, that they were at the practice, or anything about their health.',
      source: Q.millPatientInfo,
    },
    {
      id: 'photo-or-recording',
      title: 'Photo or recording of patients or staff',
      description: 'The post includes a photo, video or sound recording taken in the practice, or of staff or patients, without their consent.',
      source: Q.cockPhotos,
    },
    {
      id: 'complaint',
      title: 'Complaint about care',
      description: 'The post complains about care or service the author (or someone they speak for) received. It should go to the complaints procedure.',
      source: Q.millComplaintPathway,
    },
    {
      id: 'medical-help',
      title: 'Asks for medical help or shares their own health details',
      description: 'The author asks the practice for medical help, or tells it about their own symptoms or health, on social media (for example "I\'ve had chest pains for three days and can\'t get an appointment").',
      source: Q.cockMedicalNotSecure,
    },
    {
      id: 'other-criticism',
      title: 'Other criticism',
      description: 'Negative comment about the practice that is none of the above, such as waiting times, the phone queue or the car park.',
      source: Q.caerNegative,
    },
  ],

  deciders: [
    { id: 'practice-manager', title: 'Practice manager', source: Q.millInformPM },
    { id: 'data-protection-officer', title: 'Data Protection Officer', source: Q.wickReport },
    { id: 'safeguarding-lead', title: 'Safeguarding lead', source: Q.designSafeguarding },
  ],

  severities: {
    low: {
      title: 'Low',
      description: 'Criticism that poses no harm. Often best left without a public reply.',
      decisionTargetHours: 24,
      deciders: ['practice-manager'],
      immediateAlert: false,
      source: Q.wickNoResponse,
    },
    medium: {
      title: 'Medium',
      description: 'A complaint, an inaccurate claim, an insult or a post identifying staff: needs a decision the same working day.',
      decisionTargetHours: 8,
      deciders: ['practice-manager'],
      immediateAlert: false,
      source: Q.lmcQuickly,
    },
    high: {
      title: 'High',
      description: "Harassment, a threat, defamation, a repeat poster, or someone's personal data disclosed: decide within hours.",
      decisionTargetHours: 4,
      deciders: ['practice-manager'],
      immediateAlert: false,
      source: Q.lmcQuickly,
    },
    critical: {
      title: 'Critical',
      description: 'Someone may be at risk. The police come first; the practice manager is alerted at once.',
      decisionTargetHours: 1,
      deciders: ['practice-manager'],
      immediateAlert: true,
      source: Q.designRisk,
    },
  },

  actions: [
    {
      id: 'no-response',
      title: 'No public response',
      guidance: 'Leave the post unanswered in public. A reply can draw attention to a post and fuel it; this is often the right choice for criticism that does no harm. Other steps (saving evidence, reporting) can still be taken.',
      source: Q.wickNoResponse,
    },
    {
      id: 'public-reply',
      title: 'Brief public reply in the same comment stream',
      guidance: 'Reply quickly (hours, not days), in the same comment stream, briefly and calmly: thank them, acknowledge the concern, invite them to contact the practice directly by phone or email. No detail, no clinical information, never confirm they are a patient, never name staff. The reply guard checks the draft before it can be approved.',
      source: Q.lmcSameStream,
      templateId: 'public-reply',
    },
    {
      id: 'request-removal',
      title: 'Ask the author privately to remove the post',
      guidance: 'Contact the author privately and ask them to remove the post, offering to discuss their concerns directly. Write as if the message may be made public: it may be.',
      source: Q.millContactAuthor,
      templateId: 'removal-request',
    },
    {
      id: 'complaints-procedure',
      title: 'Invite the author to use the complaints procedure (offer the leaflet)',
      guidance: 'The practice manager contacts the author privately, offers the complaints procedure and the complaints leaflet, and asks them to remove the post. A formal complaint is acknowledged within 3 working days.',
      source: Q.millComplaintPathway,
      templateId: 'complaints-invitation',
    },
    {
      id: 'report-to-platform',
      title: 'Report the post to the platform',
      guidance: 'Use the platform\'s own reporting tool (on the NHS website, "Report as unsuitable"). Platforms usually remove posts that name private individuals, harass or threaten; they rarely act on a factual dispute. Keep the platform\'s reference.',
      source: Q.lmcReportToSite,
    },
    {
      id: 'block-on-page',
      title: "Block the author from the practice's page",
      guidance: "Block the author's profile from the practice's own page. This stops them posting there, not elsewhere.",
      source: Q.millBlock,
    },
    {
      id: 'save-evidence',
      title: 'Save further evidence',
      guidance: 'Keep screenshots (with the date, time and link) of the post, of any replies and of any further posts by the same author: posts get deleted.',
      source: Q.lmcSave,
    },
    {
      id: 'report-to-police',
      title: 'Report to the police (999 emergency / 101)',
      guidance: 'If anyone is in immediate danger, call 999. Otherwise report to the police on 101 (or online) and record the police incident number. Threats and harassment may be offences under the Malicious Communications Act 1988, the Communications Act 2003 and the Protection from Harassment Act 1997.',
      source: Q.wickPolice,
    },
    {
      id: 'safeguarding-referral',
      title: "Tell the practice's safeguarding lead now",
      guidance: "The safeguarding lead decides what the practice does under its safeguarding policy (for example a check on the person, a referral to the local authority or a crisis team). Do not wait for the rest of the decision.",
      source: Q.designSafeguarding,
    },
    {
      id: 'legal-advice',
      title: 'MDU or legal advice',
      guidance: 'Ask the MDU (or the practice\'s solicitor) for advice before any legal step. Court action is slow and costly and is never the first step.',
      source: Q.millMDU,
      neverFirst: true,
    },
    {
      id: 'pr-support',
      title: 'PR support for a coordinated response',
      guidance: 'For a post that is spreading or being picked up by others, engage a PR specialist (or the ICB/LMC communications team) for a coordinated response.',
      source: Q.wickPR,
      neverFirst: true,
    },
    {
      id: 'dpo-review',
      title: 'Data Protection Officer review (UK GDPR)',
      guidance: 'The Data Protection Officer reviews the disclosure of personal data, decides with the practice manager, and records whether it is a personal data breach.',
      source: Q.wickReport,
    },
    {
      id: 'unreasonable-patients-policy',
      title: 'Consider the Unreasonable, Violent and Abusive Patients policy',
      guidance: 'Consider the practice\'s Unreasonable, Violent and Abusive Patients policy: usually a warning first, and an attempt to restore the relationship. Always a human decision.',
      source: Q.millUnreasonable,
    },
    {
      id: 'removal-of-patient-policy',
      title: 'Consider the Removal of Patient policy',
      guidance: 'Removal is a last resort and always a human decision. Never because of a complaint. An ordinary removal needs a warning in the previous 12 months; an immediate removal for violence or threats needs a police report, with the police incident number sent to PCSE within 7 days.',
      source: Q.millRemovalPolicy,
    },
    {
      id: 'support-colleague',
      title: 'Support the colleague who was targeted',
      guidance: 'Tell the colleague (if they do not know), check how they are, offer time, support and the practice\'s wellbeing resources, and keep them informed of what is being done.',
      source: Q.wickSupport,
    },
    {
      id: 'hr-route',
      title: 'HR route (the author is a member of staff)',
      guidance: "Handle through the staff social media policy and the practice's disciplinary and grievance procedures (ACAS guidance), not the patient policies. Concerns about practice go through the Whistleblowing Policy.",
      source: Q.cockBullying,
    },
    {
      id: 'direct-to-secure-routes',
      title: 'Direct them to the practice\'s secure routes, and to NHS 111 or 999 if urgent',
      guidance: 'Social media is not secure for medical information. Reply briefly with the approved sentence: contact the practice by phone or through its online consultation service; NHS 111 if it is urgent, 999 in an emergency. Say nothing about their health or their care in public, and do not confirm that they are a patient. If the words suggest an emergency, the practice may also try to reach them by phone.',
      source: Q.cockMedicalNotSecure,
      templateId: 'medical-help-reply',
    },
  ],

  warnings: [
    { id: 'call-police-now', text: 'Someone may be at risk: the reporter should call 999 now if anyone is in immediate danger, or 101 otherwise. Do not wait for a decision in Teams.', source: Q.designRisk },
    { id: 'complaint-never-removal', text: 'A complaint is never by itself grounds to remove a patient from the list. Offer the complaints procedure instead.', source: Q.millNotForComplaint },
    { id: 'complaint-acknowledge', text: 'If the author makes a formal complaint, it must be acknowledged within 3 working days.', source: Q.complaints3Days },
    { id: 'defamation-slow-costly', text: 'Suing for defamation is slow and very costly and will not undo the damage (LMC). Take MDU or legal advice, but not as the first step.', source: Q.lmcDefamation },
    { id: 'defamation-s5-notice', text: 'The author is anonymous: under the Defamation Act 2013 s.5, a notice to the website makes it act within 48 hours (non-working days excluded). Ask the MDU or a solicitor about sending one.', source: Q.defamationS5 },
    { id: 'platform-likely-removes', text: 'Platforms usually remove posts that name private individuals or disclose their information: report it to the platform early.', source: Q.platformsRemove },
    { id: 'reply-never-names-staff', text: 'Any public reply must not name or identify the colleague, nor confirm anything the post says about them.', source: Q.designReplyNever },
    { id: 'confidentiality', text: 'The duty of confidentiality still applies, even to what the author posted about themselves: a reply must not confirm that anyone is a patient or say anything about their care.', source: Q.gmcConfidentiality },
    { id: 'recording-privacy', text: 'A photo or recording of patients or staff without consent may interfere with their privacy (Article 8) and may be a data breach: the DPO decides with the practice manager.', source: Q.millArticle8 },
    { id: 'possible-harassment', text: 'This author has posted before: two or more connected abusive posts causing alarm or distress may be harassment (Protection from Harassment Act 1997). Keep every post.', source: Q.bmaHarassment },
    { id: 'prosecution-threshold', text: 'The police threshold for prosecuting online posts is high; a report still creates a record and an incident number.', source: Q.lmcThreshold },
    { id: 'removal-human-decision', text: 'Removing a patient is always a human decision: warn first and try to restore the relationship; an ordinary removal needs a warning in the previous 12 months.', source: Q.gmcNeverComplaint },
    { id: 'removal-after-threat', text: 'Immediate removal for violence or threats needs a police report; the police incident number goes to PCSE within 7 days.', source: Q.gmcImmediateRemoval },
    { id: 'staff-author', text: 'The author is a member of staff: this is a matter for the staff social media policy and HR (discipline and grievance), not the patient policies.', source: Q.lmcAcas },
    { id: 'relative-may-not-be-patient', text: "The author is a relative or carer and may not be a patient: say nothing about whose care they mean, and the patient policies (removal, unreasonable behaviour) apply only to a registered patient.", source: Q.wickScope },
    { id: 'nhs-profile-manager', text: 'NHS website reviews are moderated; reply only through NHS Profile Manager.', source: Q.nhsModerated },
    { id: 'google-no-factual-disputes', text: 'Google does not arbitrate factual disputes: a review that is merely inaccurate is unlikely to be removed.', source: Q.platformsRemove },
    { id: 'reply-draws-attention', text: 'A reply can draw attention to the post: "no response" is often right.', source: Q.mduReply },
    { id: 'medical-info-not-secure', text: 'Social media is not secure for medical information: say nothing in public about their health, symptoms or care, and do not confirm that they are a patient. Point them to the practice\'s secure routes.', source: Q.cockMedicalNotSecure },
    { id: 'medical-help-urgent', text: 'The words suggest someone may need urgent medical help: reply quickly with NHS 111 and 999, and consider phoning them if they can be identified as a patient.', source: Q.cockMedicalNotSecure },
    { id: 'no-online-spat', text: 'Do not correct the post point by point in public: a brief, measured reply and an invitation to talk directly is enough.', source: Q.lmcSpat },
  ],

  rules: [
    {
      id: 'every-report',
      description: 'Every report: keep the evidence.',
      when: {},
      then: {
        actions: [{ id: 'save-evidence', priority: 50, reason: 'Posts get deleted: keep a copy of this one, any replies, and anything further.' }],
      },
      source: Q.lmcSave,
    },
    {
      id: 'someone-at-risk',
      description: 'Someone may be at risk: police and an immediate alert.',
      when: { atRisk: true },
      then: {
        severity: 'critical',
        immediateAlert: true,
        actions: [
          { id: 'report-to-police', priority: 0, reason: 'The reporter said someone may be at risk: call 999 if anyone is in immediate danger, otherwise report on 101.', source: Q.lmcPolice },
          { id: 'save-evidence', priority: 5, reason: 'The police will need the post as it was: keep screenshots with the date, time and link.' },
        ],
        warnings: ['call-police-now'],
      },
      source: Q.designRisk,
    },
    {
      id: 'safeguarding',
      description: 'A safeguarding signal: critical, and the safeguarding lead takes part whatever else the post does.',
      when: { anyCategory: ['safeguarding'] },
      then: {
        severity: 'critical',
        immediateAlert: true,
        deciders: ['safeguarding-lead'],
        actions: [
          { id: 'safeguarding-referral', priority: 1, reason: 'The post may show that someone could harm themselves, or that a child or an adult at risk is in danger.' },
          { id: 'save-evidence', priority: 5, reason: 'Whoever acts on the concern will need the post as it was.' },
        ],
      },
      source: Q.designSafeguarding,
    },
    {
      id: 'threat',
      description: 'A threat of violence or harm.',
      when: { anyCategory: ['threat'] },
      then: {
        severity: 'high',
        actions: [
          { id: 'report-to-police', priority: 2, reason: 'A threat of violence or harm is reported to the police.' },
          { id: 'save-evidence', priority: 5, reason: 'Keep the threat exactly as posted for the police.' },
          { id: 'report-to-platform', priority: 20, reason: 'Platforms remove posts that threaten.', source: Q.platformsRemove },
          { id: 'no-response', priority: 32, reason: 'Do not engage with a threat in public.', source: Q.lmcIgnore },
        ],
      },
      source: Q.wickPolice,
    },
    {
      id: 'threat-by-patient',
      description: 'A threat by a patient (or someone who may be one): the patient policies.',
      when: { anyCategory: ['threat'], notAuthor: ['staff'] },
      then: {
        actions: [
          { id: 'unreasonable-patients-policy', priority: 60, reason: 'The post threatens violence or harm: "violent, threatening or abusive" behaviour is what this policy is for.' },
          { id: 'removal-of-patient-policy', priority: 65, reason: 'Immediate removal is possible after a threat, but only with a police report, and only as a human decision.', source: Q.gmcImmediateRemoval },
        ],
        warnings: ['removal-after-threat'],
      },
      source: Q.millUnreasonable,
    },
    {
      id: 'harassment',
      description: 'Harassment or bullying.',
      when: { anyCategory: ['harassment'] },
      then: {
        severity: 'high',
        actions: [
          { id: 'save-evidence', priority: 5, reason: 'Harassment is a course of conduct: keep every post, with dates, to show the pattern.', source: Q.bmaHarassment },
          { id: 'report-to-platform', priority: 20, reason: 'Platforms remove posts that harass.', source: Q.platformsRemove },
          { id: 'report-to-police', priority: 25, reason: 'Harassment is reported to the police (Protection from Harassment Act 1997).' , source: Q.wickPolice },
          { id: 'block-on-page', priority: 30, reason: 'Blocking stops the author posting on the practice page (not elsewhere).', source: Q.lmcBlock },
          { id: 'no-response', priority: 32, reason: 'Replying in public may fuel it.', source: Q.lmcIgnore },
        ],
        warnings: ['prosecution-threshold'],
      },
      source: Q.wickPolice,
    },
    {
      id: 'defamatory',
      description: 'A defamatory post: ask for removal first; legal advice later, never first.',
      when: { anyCategory: ['defamatory'] },
      then: {
        severity: 'high',
        actions: [
          { id: 'save-evidence', priority: 5, reason: 'Any later legal step needs the exact words, date and link.' },
          { id: 'request-removal', priority: 20, reason: 'Ask the author privately to take it down: quicker and cheaper than any legal route.', source: Q.millContactAuthor },
          { id: 'report-to-platform', priority: 22, reason: 'Report it to the platform as false and damaging.', source: Q.wickRemoval },
          { id: 'legal-advice', priority: 80, reason: 'If the author will not remove it, take MDU or legal advice before any legal step.', source: Q.millDefamatory },
          { id: 'pr-support', priority: 85, reason: 'If the claim is spreading, a PR specialist can coordinate the response.', source: Q.wickPR },
        ],
        warnings: ['defamation-slow-costly'],
      },
      source: Q.lmcDefamation,
    },
    {
      id: 'anonymous-defamatory',
      description: 'A defamatory post by an author nobody can identify.',
      when: { anyCategory: ['defamatory'], author: ['unknown'] },
      then: {
        actions: [{ id: 'legal-advice', priority: 78, reason: 'The author is anonymous: a Defamation Act 2013 s.5 notice makes the site act within 48 hours; the MDU can advise on sending one.', source: Q.defamationS5 }],
        warnings: ['defamation-s5-notice'],
      },
      source: Q.defamationS5,
    },
    {
      id: 'names-staff',
      description: 'The post names or identifies a colleague.',
      when: { anyOf: [{ anyCategory: ['names-staff'] }, { anyNamedParty: ['colleagues'] }] },
      then: {
        severity: 'medium',
        deciders: ['data-protection-officer'],
        actions: [
          { id: 'report-to-platform', priority: 15, reason: 'Platforms usually remove posts that name individuals.', source: Q.lmcReportToSite },
          { id: 'request-removal', priority: 21, reason: 'Patients must not post comments that identify staff: ask the author to remove it.', source: Q.millIdentifyStaff },
          { id: 'support-colleague', priority: 35, reason: 'A colleague is named: tell them, support them, and keep them informed.', source: Q.wickSupport },
          { id: 'dpo-review', priority: 45, reason: "A colleague's personal data is in a public post: the DPO takes part in the decision.", source: Q.wickReport },
        ],
        warnings: ['platform-likely-removes', 'reply-never-names-staff'],
      },
      source: Q.cockIdentifyStaff,
    },
    {
      id: 'discloses-patient-info',
      description: "The post discloses another patient's information.",
      when: { anyOf: [{ anyCategory: ['discloses-patient-info'] }, { anyNamedParty: ['patients'] }] },
      then: {
        severity: 'high',
        deciders: ['data-protection-officer'],
        actions: [
          { id: 'report-to-platform', priority: 15, reason: "Platforms remove posts that identify private individuals: get another patient's information taken down quickly.", source: Q.platformsRemove },
          { id: 'dpo-review', priority: 16, reason: "Another patient's information has been disclosed: the DPO decides with the practice manager (UK GDPR).", source: Q.wickReport },
          { id: 'request-removal', priority: 21, reason: 'Patients may not disclose patient-identifiable information about other patients: ask the author to remove it.', source: Q.millPatientInfo },
        ],
        warnings: ['platform-likely-removes', 'confidentiality'],
      },
      source: Q.millPatientInfo,
    },
    {
      id: 'photo-or-recording',
      description: 'A photo or recording of patients or staff.',
      when: { anyCategory: ['photo-or-recording'] },
      then: {
        severity: 'high',
        deciders: ['data-protection-officer'],
        actions: [
          { id: 'report-to-platform', priority: 15, reason: 'A photo or recording of identifiable people without consent: report it for removal.', source: Q.platformsRemove },
          { id: 'dpo-review', priority: 16, reason: 'A recording of patients or staff may be a data breach: the DPO decides with the practice manager.', source: Q.millArticle8 },
          { id: 'request-removal', priority: 21, reason: 'Photos and recordings of patients or staff are not permitted without consent: ask the author to remove it.', source: Q.cockPhotos },
        ],
        warnings: ['recording-privacy'],
      },
      source: Q.millArticle8,
    },
    {
      id: 'complaint',
      description: 'A complaint about care: the complaints procedure.',
      when: { anyCategory: ['complaint'] },
      then: {
        severity: 'medium',
        actions: [
          { id: 'complaints-procedure', priority: 10, reason: 'The post is a complaint: the practice manager contacts the author privately, offers the complaints procedure and the leaflet.' },
          { id: 'public-reply', priority: 30, reason: 'If a reply is wanted: brief and quick, thank them, invite them to contact the practice directly.', source: Q.lmcNoDetail },
        ],
        warnings: ['complaint-never-removal', 'complaint-acknowledge'],
      },
      source: Q.millComplaintPathway,
    },
    {
      id: 'personal-attack',
      description: 'A personal attack or insult.',
      when: { anyCategory: ['personal-attack'] },
      then: {
        severity: 'medium',
        actions: [
          { id: 'report-to-platform', priority: 24, reason: 'Report abusive comments to the platform.', source: Q.lmcReportToSite },
          { id: 'request-removal', priority: 26, reason: 'Ask the author privately to remove it.', source: Q.millContactAuthor },
          { id: 'no-response', priority: 32, reason: 'Do not answer an insult in public: it may fuel it.', source: Q.lmcIgnore },
        ],
      },
      source: Q.wickDefinition,
    },
    {
      id: 'false-or-misleading',
      description: 'A false or misleading post.',
      when: { anyCategory: ['false-or-misleading'] },
      then: {
        severity: 'medium',
        actions: [
          { id: 'request-removal', priority: 26, reason: 'Patients must not post inaccurate material: ask the author privately to correct or remove it.', source: Q.millInaccurate },
          { id: 'public-reply', priority: 30, reason: 'A brief, measured reply inviting direct contact; do not correct the detail in public.', source: Q.wickDirect },
        ],
        warnings: ['no-online-spat'],
      },
      source: Q.wickDefinition,
    },
    {
      id: 'criticism-only',
      description: 'Criticism only (no abuse, no complaint): often best left alone.',
      when: { everyCategoryIn: ['other-criticism'] },
      then: {
        severity: 'low',
        actions: [
          { id: 'no-response', priority: 10, reason: 'Criticism that poses no harm and attracts no attention is often best left without a reply.', source: Q.wickNoResponse },
          { id: 'public-reply', priority: 30, reason: 'If it is attracting attention: a brief, quick reply inviting direct contact.', source: Q.lmcQuickly },
        ],
        warnings: ['reply-draws-attention'],
      },
      source: Q.lmcIgnore,
    },
    {
      id: 'repeat-author',
      description: 'A second or later abusive post by the same author at this practice.',
      when: { minPriorIncidents: 1, anyCategory: [...ABUSIVE] },
      then: {
        severity: 'high',
        actions: [
          { id: 'save-evidence', priority: 6, reason: 'This author has posted before: keep every post together to show the course of conduct.', source: Q.bmaHarassment },
          { id: 'block-on-page', priority: 18, reason: 'Patients who frequently post inappropriate comments on the practice page are blocked.' },
          { id: 'report-to-police', priority: 28, reason: 'Two or more connected abusive posts causing alarm or distress may be harassment: consider reporting to the police (101).', source: Q.bmaHarassment },
        ],
        warnings: ['possible-harassment', 'prosecution-threshold'],
      },
      source: Q.millBlock,
    },
    {
      id: 'persistent-abuse',
      description: 'A third or later abusive post by the same author: the formal policies.',
      when: { minPriorIncidents: 2, anyCategory: [...ABUSIVE], notAuthor: ['staff'] },
      then: {
        actions: [
          { id: 'unreasonable-patients-policy', priority: 60, reason: 'Persistent abuse: consider the Unreasonable, Violent and Abusive Patients policy (a warning first).', source: Q.millUnreasonable },
          { id: 'removal-of-patient-policy', priority: 65, reason: 'If the relationship has broken down, consider the Removal of Patient policy: a human decision, after a warning.', source: Q.caerZeroTolerance },
          { id: 'legal-advice', priority: 80, reason: 'For persistent posting, the MDU can advise on an injunction to prevent further posts.', source: Q.wickLegal },
        ],
        warnings: ['removal-human-decision'],
      },
      source: Q.designHuman,
    },
    {
      id: 'author-is-staff',
      description: 'The author is a member of staff: the HR route, not the patient policies.',
      when: { author: ['staff'] },
      then: {
        actions: [{ id: 'hr-route', priority: 3, reason: 'A member of staff posted this: handle it under the staff social media policy and HR procedures.' }],
        excludeActions: ['complaints-procedure', 'unreasonable-patients-policy', 'removal-of-patient-policy', 'block-on-page'],
        warnings: ['staff-author'],
      },
      source: Q.cockBullying,
    },
    {
      id: 'medical-help',
      description: 'Asks for medical help or shares their own health details on social media.',
      when: { anyCategory: ['medical-help'] },
      then: {
        severity: 'medium',
        actions: [
          { id: 'direct-to-secure-routes', priority: 12, reason: 'Medical information does not belong on social media: point them to the phone or online consultation, and to NHS 111 or 999 if urgent.' },
          { id: 'save-evidence', priority: 40, reason: 'Keep a copy of what was posted with the incident.', source: Q.lmcSave },
        ],
        excludeActions: ['public-reply'],
        warnings: ['medical-info-not-secure', 'confidentiality'],
      },
      source: Q.cockMedicalNotSecure,
    },
    {
      id: 'medical-help-urgent',
      description: 'Asks for medical help in words that suggest urgency (chest pain, cannot breathe, …): the manager sees it at once.',
      when: { anyCategory: ['medical-help'], urgentWording: true },
      then: {
        severity: 'critical',
        immediateAlert: true,
        actions: [{ id: 'direct-to-secure-routes', priority: 1, reason: 'The words suggest urgency: reply now with NHS 111 and 999, and the practice\'s phone number.' }],
        warnings: ['medical-help-urgent'],
      },
      source: Q.cockMedicalNotSecure,
    },
    {
      id: 'author-is-relative',
      description: 'The author is a relative or carer.',
      when: { author: ['relative-or-carer'] },
      then: { warnings: ['relative-may-not-be-patient'] },
      source: Q.wickScope,
    },
    {
      id: 'nhs-website-review',
      description: 'A review on the NHS website.',
      when: { platform: ['nhs-website'] },
      then: { warnings: ['nhs-profile-manager'] },
      source: Q.nhsModerated,
    },
    {
      id: 'nhs-website-breaks-rules',
      description: 'An NHS website review that breaks its rules (names staff or patients, a formal complaint, a serious allegation).',
      when: {
        platform: ['nhs-website'],
        anyOf: [
          { anyCategory: ['names-staff', 'discloses-patient-info', 'photo-or-recording', 'complaint', 'defamatory', 'threat', 'harassment', 'personal-attack'] },
          { anyNamedParty: ['colleagues', 'patients'] },
        ],
      },
      then: {
        actions: [{ id: 'report-to-platform', priority: 14, reason: 'Use "Report as unsuitable": it hides the review until an NHS website moderator decides. Reviews naming staff or patients, formal complaints and serious allegations break its rules.' }],
      },
      source: Q.nhsModerated,
    },
    {
      id: 'google-factual-dispute',
      description: 'An inaccurate Google review.',
      when: { platform: ['google-reviews'], anyCategory: ['false-or-misleading', 'defamatory'] },
      then: { warnings: ['google-no-factual-disputes'] },
      source: Q.platformsRemove,
    },
  ],

  templates: [
    {
      id: 'public-reply',
      title: 'Brief public reply',
      text: 'Thank you for taking the time to share this, and we are sorry to hear you are unhappy. We would like to look into your concerns properly, so please contact {{practiceName}} directly on {{practicePhone}} or at {{practiceEmail}}. We look forward to hearing from you.',
      source: Q.lmcThank,
    },
    {
      id: 'removal-request',
      title: 'Private request to remove a post',
      text: 'Hello. We have seen your recent post about {{practiceName}}. We welcome feedback, but we would ask you to remove this post, as its content is not something we can allow to remain on social media. If you have concerns, we would much rather hear from you directly so that we can try to resolve them: please call {{practicePhone}} or email {{practiceEmail}}. Thank you.',
      source: Q.millContactAuthor,
    },
    {
      id: 'medical-help-reply',
      title: 'Approved reply: medical help belongs on secure routes',
      text: 'Thank you for getting in touch. We cannot discuss anyone\'s health on social media, as it is not secure. Please contact {{practiceName}} by phone on {{practicePhone}} or through our online consultation service. If you need help urgently, call NHS 111, or 999 in an emergency.',
      source: Q.cockMedicalNotSecure,
    },
    {
      id: 'complaints-invitation',
      title: 'Invitation to use the complaints procedure',
      text: 'Hello. Thank you for raising your concerns. We would like to give you the opportunity to use our complaints procedure, so that they can be looked into properly and you receive a full response. Our complaints leaflet explains the process; we can send you a copy. Please contact {{practiceName}} on {{practicePhone}} or at {{practiceEmail}}. We would also ask you to remove the post while your concerns are looked into.',
      source: Q.millComplaintPathway,
    },
  ],

  replyGuard: {
    briefWordLimit: 80,
    extraClinicalTerms: [],
    // LMC: thank them, acknowledge, invite them to contact the practice directly; MDU: thank,
    // apologise for the dissatisfaction, invite direct contact; GMC: general information only.
    approvedSentences: [
      'Thank you for taking the time to share this.',
      'Thank you for your feedback.',
      'Thank you for your comments.',
      'Thank you for your review.',
      'Thank you for letting us know there is a concern.',
      'We are sorry to hear you are unhappy.',
      'We are sorry to read this.',
      'We are sorry that you are dissatisfied with our service.',
      'We are sorry to hear about your experience.',
      "We cannot discuss anyone's care on social media.",
      'We cannot comment on individual cases online.',
      'We take all feedback seriously.',
      'We would like to look into your concerns properly.',
      'We would welcome the opportunity to discuss this with you directly.',
      'Please contact {{practiceName}} directly on {{practicePhone}} or at {{practiceEmail}}.',
      'Please contact {{practiceName}} directly on {{practicePhone}}.',
      'Please contact {{practiceName}} directly.',
      'Please contact us directly on {{practicePhone}}.',
      'Please contact us directly.',
      'Please email {{practiceEmail}}.',
      'Please call {{practicePhone}} and ask to speak to the {{role}}.',
      'Please ask to speak to the {{role}}.',
      'The {{role}} would be happy to speak with you.',
      'Our complaints procedure is available on our website and at reception.',
      'We look forward to hearing from you.',
      'We look forward to resolving this.',
    ],
    roles: ['practice manager', 'deputy practice manager', 'operations manager', 'patient services team', 'reception team', 'management team', 'complaints lead'],
  },
};
