import { describe, expect, it } from 'vitest';
import type { QuestionToReporter } from '../../src/domain/handling.ts';
import type { Finding } from '../../src/domain/policy/guard.ts';
import { ATTESTATION_STATEMENT, attestationKey } from '../../src/domain/policy/reply-guard/attestation.ts';
import { incidentCard, plainText } from '../../src/views/index.ts';
import { INCIDENT_INPUTS } from '../../src/contract/cards.ts';
import { actions, body, fact, inputById, problems, textBlocks, texts, type Json } from '../support/cardChecks.ts';
import { DEPUTY, FACTS, HOSTILE_REPLY, MANAGER, graded, hostileFindings, hostileIncident, hostileOptions, options, routed } from '../support/incidentSamples.ts';
import { all, liveMarkdown, section, showCard } from '../support/incidentCardChecks.ts';

/** The incident's content (src/views/incidentDetails.ts): the post, its evidence and questions, the grading and the reply with its check. */

// ---- evidence -------------------------------------------------------------------------------------

describe('incident card evidence', () => {
  it('platform, link as escaped text, seen, author and who they are', () => {
    const url = 'https://evil.example/[click](http://evil.example)';
    const card = incidentCard(routed({ ...FACTS, where: { ...FACTS.where, postUrl: url } }), options());
    expect(fact(card, 'Platform')).toBe('Facebook');
    expect(fact(card, 'Link')!.replace(/\u200b/g, '')).toBe(plainText(url));
    expect(fact(card, 'Link')).toContain('/\u200b'); // a long link wraps on a phone
    expect(fact(card, 'Seen')).toBe('Tue 3 Nov 2026, 13:45');
    expect(fact(card, 'Author')).toBe('Jay Smith');
    expect(fact(card, 'Who the author is')).toBe('Patient');
    expect(actions(card).filter((a) => a.type === 'Action.OpenUrl')).toEqual([]);
  });

  it.each([
    [0, 'First post by this author', undefined],
    [1, '1 earlier post by this author — possible harassment (BMA)', '1 earlier post by this author reported — possible harassment (BMA)'],
    [2, '2 earlier posts by this author — possible harassment (BMA)', '2 earlier posts by this author reported — possible harassment (BMA)'],
  ])('%i earlier posts: "%s", flagged in the headline in bold default-coloured text', (prior, text, flag) => {
    const card = incidentCard(routed(FACTS, prior), options());
    expect(textBlocks(card).find((t) => t.text === text)).toBeDefined();
    // The headline flags a repeat author, in bold, and says nothing of earlier posts otherwise.
    const flagged = textBlocks(section(card, 'headline')!).filter((t) => String(t.text).includes('earlier post'));
    expect(flagged.map((t) => ({ text: t.text, weight: t.weight }))).toEqual(flag ? [{ text: flag, weight: 'Bolder' }] : []);
    expect(textBlocks(card).filter((t) => t.color !== undefined && t.color !== 'Default')).toEqual([]);
  });

  it('an unnamed author cannot be matched with earlier posts', () => {
    const card = incidentCard(routed({ ...FACTS, where: { ...FACTS.where, authorName: undefined } }), options());
    expect(fact(card, 'Author')).toBe('Not given');
    expect(texts(card)).toContain('Author not known, so earlier posts cannot be matched');
  });

  it('categories, who is named, risk answer and details', () => {
    const card = incidentCard(routed({ ...FACTS, risk: { atRisk: false, riskDetails: '**not** really' } }), options());
    expect(fact(card, 'What it does')).toBe('Personal attack or insult, Names or identifies staff');
    expect(fact(card, 'Who it names')).toBe('The practice, Named colleagues');
    expect(fact(card, 'Colleagues named')).toBe('The receptionist on Monday morning');
    expect(fact(card, 'Anyone at risk')).toBe('No');
    expect(fact(card, 'Risk details')).toBe('\\*\\*not\\*\\* really');
  });

  it('screenshots: file name, size and the first 12 hex of the SHA-256', () => {
    const card = incidentCard(routed(), options());
    expect(texts(card)).toContain('1 screenshot, saved with their SHA-256 hashes');
    expect(texts(card)).toContain('facebook review.png — 240 KB, received 3 Nov 2026, 14:05, SHA-256 9f86d081884c');
  });

  it('20 screenshots are listed; more are counted', () => {
    const twenty = incidentCard(hostileIncident({ screenshots: 20 }), hostileOptions('readonly'));
    expect(texts(twenty).filter((t) => t.includes('SHA-256 9f86d081884c'))).toHaveLength(20);
    expect(all(twenty)).not.toContain('more screenshot');
    const many = incidentCard(hostileIncident({ screenshots: 25 }), hostileOptions('readonly'));
    expect(texts(many).filter((t) => t.includes('SHA-256 9f86d081884c'))).toHaveLength(20);
    expect(texts(many)).toContain('And 5 more screenshots, all saved.');
  });

  it('no screenshot: the reason, escaped', () => {
    const card = incidentCard(routed({ ...FACTS, evidence: { screenshots: [], noScreenshotReason: '[deleted](http://evil.example)' } }), options());
    expect(texts(card)).toContain('No screenshot: \\[deleted\\](http://evil.example)');
  });

  it('questions to the reporter with their answers, in order', () => {
    const questions: QuestionToReporter[] = [
      { askedBy: MANAGER, askedAt: '2026-11-03T15:00:00Z', question: 'Did you see who posted it?', answer: 'Yes, **Jay**.', answeredAt: '2026-11-03T15:30:00Z' },
      { askedBy: DEPUTY, askedAt: '2026-11-03T16:00:00Z', question: 'Is it still up?' },
    ];
    const card = incidentCard(routed(FACTS, 0, { questions }), options({ view: 'readonly' }));
    const list = texts(card);
    const start = list.indexOf('Questions to the reporter');
    expect(start).toBeGreaterThan(0);
    expect(list.slice(start + 1, start + 7)).toEqual([
      'Asked by Pat Manager, 3 Nov 2026, 15:00',
      'Did you see who posted it?',
      'Answer (3 Nov 2026, 15:30): Yes, \\*\\*Jay\\*\\*.',
      'Asked by Dee Deputy, 3 Nov 2026, 16:00',
      'Is it still up?',
      'Not answered yet.',
    ]);
  });

  it('no questions section when none were asked', () => {
    expect(texts(incidentCard(routed(), options()))).not.toContain('Questions to the reporter');
  });
});

describe('incident card grading', () => {
  it('the top three recommended actions with their reasons above the fold; all of them, with sources, behind "Show all N"', () => {
    const incident = routed({ ...FACTS, risk: { atRisk: true } }, 2);
    const grading = graded(incident);
    expect(grading.actions.length).toBeGreaterThan(3);
    const card = incidentCard(incident, options());
    const top = body(card).find((e) => texts(e)[0] === `Recommended first (3 of ${grading.actions.length})`)!;
    expect(top).toBeDefined();
    expect(texts(top).slice(2)).toEqual(grading.actions.slice(0, 3).flatMap((a, i) => [plainText(`${i + 1}. ${a.title}`), plainText(a.reason)]));
    expect(all(top)).not.toContain('Source: ');
    const toggle = actions(card).find((a) => a.type === 'Action.ToggleVisibility' && a.title === `Show all ${grading.actions.length} recommended actions`)!;
    expect(toggle.targetElements).toEqual(['all-actions']);
    const hidden = section(card, 'all-actions')!;
    expect(hidden.isVisible).toBe(false);
    const list = texts(hidden);
    let last = -1;
    grading.actions.forEach((a, i) => {
      const at = list.indexOf(plainText(`${i + 1}. ${a.title}`));
      expect(at).toBeGreaterThan(last);
      expect(list[at + 1]).toBe(plainText(a.reason));
      expect(list[at + 2]).toMatch(/^Source: /);
      expect(list[at + 2]!.length).toBeLessThan(140);
      last = at;
    });
    expect(texts(card)).toContain('Decide within 1 h of the report. ' + `${grading.actions.length} recommended actions, most important first.`);
  });

  it('policy warnings: counted on their button, in an attention-styled container, default-coloured', () => {
    const incident = routed({ ...FACTS, risk: { atRisk: true } });
    const warnings = graded(incident).warnings;
    expect(warnings.length).toBeGreaterThan(0);
    const card = incidentCard(incident, options({ view: 'readonly' }));
    expect(actions(card).find((a) => a.title === `Warnings (${warnings.length})`)).toMatchObject({ type: 'Action.ToggleVisibility', targetElements: ['warnings'] });
    const box = section(card, 'warnings')!;
    expect(box).toMatchObject({ style: 'attention', isVisible: false });
    for (const w of warnings) expect(textBlocks(box).find((t) => t.text === plainText(w.text))).toBeDefined();
    expect(textBlocks(box).filter((t) => t.color !== undefined)).toEqual([]);
  });
});

describe('incident card decider view', () => {
  describe('reply-guard findings', () => {
    const reply = 'Thank you. Our patient [Dr Patel](http://evil.example) can call 01709 123456. YOU ARE WRONG.';
    const findings: Finding[] = [
      { rule: 'argumentative', severity: 'advisory', message: '"YOU ARE WRONG" reads as shouting.', start: reply.indexOf('YOU'), end: reply.indexOf('YOU') + 13 },
      { rule: 'confirms-patient-relationship', severity: 'blocking', message: '"Our patient" confirms that the person is a patient.', start: reply.indexOf('Our'), end: reply.indexOf('Our') + 11 },
      { rule: 'staff-name', severity: 'blocking', message: '"[Dr Patel](http://evil.example)" names a member of staff.', start: reply.indexOf('[Dr'), end: reply.indexOf('[Dr') + 31 },
    ];

    it('blocking: the reply section opens, findings right beneath the box, blocking first in attention colour, quoted and escaped', () => {
      const card = incidentCard(routed(), options({ replyText: reply, replyFindings: findings }));
      expect(problems(card, { userText: [reply] })).toEqual([]);
      const open = section(card, 'decide-reply')!;
      expect(open).toBeDefined();
      expect(showCard(card, 'Public reply')).toBeUndefined();
      const items = open.items as Json[];
      const box = items.indexOf(inputById(card, INCIDENT_INPUTS.replyText)!);
      const toggle = items.indexOf(inputById(card, INCIDENT_INPUTS.reporterPostsReply)!);
      const between = items.slice(box + 1, toggle);
      expect(texts({ body: between })).toEqual([
        'The reply check found 2 problems to fix before it can be approved.',
        'Must change: "Our patient"',
        plainText('"Our patient" confirms that the person is a patient.'),
        'Must change: "\\[Dr Patel\\](http://evil.example)"',
        plainText('"[Dr Patel](http://evil.example)" names a member of staff.'),
        'Check: "YOU ARE WRONG"',
        plainText('"YOU ARE WRONG" reads as shouting.'),
      ]);
      const colours = textBlocks({ body: between }).map((t) => t.color);
      expect(colours).toEqual(['Default', 'Default', 'Default', 'Default', 'Default', 'Default', 'Default']);
      expect(liveMarkdown(all(card))).toEqual([]);
    });

    it('advisory only: the section stays collapsed, with the findings inside it as warnings', () => {
      const advisory = findings.filter((f) => f.severity === 'advisory');
      const card = incidentCard(routed(), options({ replyText: reply, replyFindings: advisory }));
      expect(section(card, 'decide-reply')).toBeUndefined();
      const sub = showCard(card, 'Public reply')!.card as Json;
      expect(textBlocks(sub).find((t) => t.text === 'Check: "YOU ARE WRONG"')).toMatchObject({ color: 'Default' });
      expect(texts(sub)).toContain('The reply check found 1 thing to consider.');
    });

    it('free text: each sentence listed (escaped), then the attestation tick whose value is the key of exactly those sentences', () => {
      const free = ['Our phone lines open at 8am.', 'Visit [our site](http://evil.example) for **more**.'];
      const card = incidentCard(routed(), options({ replyText: `Thank you for your feedback. ${free.join(' ')}`, replyFindings: [], replyFreeText: free }));
      expect(problems(card, { userText: free })).toEqual([]);
      const sub = showCard(card, 'Public reply')!.card as Json;
      expect(texts(sub)).toContain('2 sentences not from the approved list (free text). Read each one before approving:');
      expect(texts(sub)).toContain(plainText(`1. ${free[0]}`));
      expect(texts(sub)).toContain(plainText(`2. ${free[1]}`));
      expect(liveMarkdown(all(card))).toEqual([]);
      const tick = inputById(card, INCIDENT_INPUTS.attestFreeText)!;
      expect(tick).toMatchObject({ type: 'Input.Toggle', title: ATTESTATION_STATEMENT, valueOn: attestationKey(free), valueOff: '', value: '' });
      // Approved sentences only: no tick to give, and the card says why.
      const approvedOnly = incidentCard(routed(), options({ replyText: 'Thank you for your feedback.', replyFindings: [], replyFreeText: [] }));
      expect(inputById(approvedOnly, INCIDENT_INPUTS.attestFreeText)).toBeUndefined();
      expect(texts(showCard(approvedOnly, 'Public reply')!.card as Json)).toContain("Every sentence is from the practice's approved list.");
    });

    it('no findings: says so', () => {
      const sub = showCard(incidentCard(routed(), options()), 'Public reply')!.card as Json;
      expect(textBlocks(sub).find((t) => t.text === 'The reply check found nothing to change.')).toMatchObject({ color: 'Default' });
    });

    it('many findings: the first are listed, blocking first, the rest counted', () => {
      const card = incidentCard(routed(), options({ replyText: HOSTILE_REPLY, replyFindings: hostileFindings(HOSTILE_REPLY) }));
      const quotes = texts(card).filter((t) => t.startsWith('Must change:') || t.startsWith('Check:'));
      expect(quotes).toHaveLength(8);
      expect(quotes.slice(0, 3).every((q) => q.startsWith('Must change:'))).toBe(true);
      expect(texts(card)).toContain('And 2 more findings: press Check reply after changing the text.');
    });
  });
});
