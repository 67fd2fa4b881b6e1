import { describe, expect, it } from 'vitest';
import type { ReportFacts } from '../../src/domain/report.ts';
import { incidentCard } from '../../src/views/index.ts';
import { body, fact, textBlocks, texts, type Json } from '../support/cardChecks.ts';
import { DECISIONS, FACTS, PRACTICE, decided, graded, options, routed } from '../support/incidentSamples.ts';
import { all, section } from '../support/incidentCardChecks.ts';

/** Above the fold (src/views/incidentHeadline.ts): the severity strip, time to decide, the one-line summary, the URGENT banner and how a policy sentence is cited. */

// ---- header ---------------------------------------------------------------------------------------

describe('incident card header', () => {
  it('reference, practice, severity, status, reported, reporter and time to decide', () => {
    const incident = routed();
    const card = incidentCard(incident, options({ now: new Date('2026-11-03T14:40:00Z') }));
    expect(textBlocks(card).find((t) => t.text === 'PW-2026-0042')).toMatchObject({ size: 'Large', weight: 'Bolder' });
    expect(texts(card)).toContain(PRACTICE);
    expect(texts(card)).toContain('Awaiting decision · reported 3 Nov 2026, 14:20 by Sam Reception');
    expect(texts(card)).toContain('Facebook post by Jay Smith (patient): Personal attack or insult; Names or identifies staff. It names the practice, named colleagues.');
    const hours = graded(incident).decisionTargetHours;
    const due = textBlocks(card).find((t) => String(t.text).startsWith('Decision due in'));
    expect(hours).toBe(8); // personal attack naming staff: high under the default policy
    expect(due?.text).toBe('Decision due in 7 h 40 min, by 3 Nov 2026, 22:20');
  });

  /** The severity strip: a styled container whose text keeps the default colour. */
  const strip = (card: Json) => (section(card, 'headline')!.items as Json[]).find((e) => e.type === 'Container')!;

  it.each([
    ['2026-11-03T19:00:00Z', 'Decision due in 3 h 20 min, by 3 Nov 2026, 22:20'],
    ['2026-11-03T21:50:00Z', 'Decision due in 30 min, by 3 Nov 2026, 22:20'],
    ['2026-11-03T22:20:00Z', 'Decision due now (3 Nov 2026, 22:20)'],
    ['2026-11-03T23:25:00Z', 'Decision overdue by 1 h 5 min (due 3 Nov 2026, 22:20)'],
  ])('at %s: "%s", in the severity strip, default-coloured', (now, text) => {
    const card = incidentCard(routed(), options({ now: new Date(now) }));
    expect(graded(routed()).severity).toBe('medium');
    expect(texts(strip(card))).toEqual(['Medium severity', text]);
    // Medium: a warning strip; due now or overdue: attention.
    expect(strip(card).style).toBe(text.startsWith('Decision due in') ? 'warning' : 'attention');
    expect(textBlocks(strip(card)).every((t) => t.color === undefined)).toBe(true);
  });

  it.each([
    ['critical', '2026-11-03T14:30:00Z', 'attention'],
    ['high', '2026-11-03T14:30:00Z', 'attention'],
    ['medium', '2026-11-03T14:30:00Z', 'warning'],
    ['low', '2026-11-03T14:30:00Z', 'emphasis'],
    ['low', '2026-11-04T23:30:00Z', 'attention'],
  ] as const)('%s severity at %s: a strip styled %s, text in the default colour', (severity, now, style) => {
    const incident = routed();
    const card = incidentCard({ ...incident, handling: { ...incident.handling!, grading: { ...graded(incident), severity } } }, options({ now: new Date(now) }));
    const label = severity.charAt(0).toUpperCase() + severity.slice(1) + ' severity';
    expect(texts(strip(card))[0]).toBe(label);
    expect(strip(card).style).toBe(style);
    expect(textBlocks(card).filter((t) => t.color !== undefined && t.color !== 'Default')).toEqual([]);
  });

  it('URGENT banner under the one-line summary, above the decision buttons, when someone may be at risk', () => {
    const card = incidentCard(routed({ ...FACTS, risk: { atRisk: true } }), options({ notice: { tone: 'good', text: 'Reply checked.' } }));
    expect(texts(body(card)[0]!)).toEqual(['Reply checked.']);
    expect(body(card)[1]!.id).toBe('headline');
    expect(body(card)[2]).toMatchObject({ type: 'Container', style: 'attention' });
    expect(texts(body(card)[2]!)[0]).toBe('URGENT: someone may be at risk');
    const decisions = body(card).findIndex((e) => e.id === 'decisions');
    expect(decisions).toBeGreaterThan(2);
    expect(fact(card, 'Anyone at risk')).toBe('Yes: someone may be at risk of harm');
  });

  it('no URGENT banner otherwise', () => {
    expect(all(incidentCard(routed(), options()))).not.toContain('URGENT');
  });

  it.each(Object.entries(DECISIONS))('once decided (%s): who, when and what, in place of the time left', (name, decision) => {
    const incident = decided(decision);
    for (const view of ['decider', 'readonly'] as const) {
      const card = incidentCard(incident, options({ view }));
      const label = { 'no response': 'No response', 'public reply': 'Brief public reply approved', actions: 'Actions chosen' }[name];
      expect(texts(card)).toContain(`Decided by Pat Manager on 3 Nov 2026, 15:10: ${label}`);
      expect(all(card)).not.toMatch(/Decision (due|overdue)/);
    }
    const details = texts(incidentCard(incident, options()));
    const said = {
      'no response': ['Reason: A reply would draw attention to the post.'],
      'public reply': ['Approved reply: Thank you for your feedback. Please contact the practice directly.', 'The reporter is asked to post it.'],
      actions: ['Actions: Report the post to the platform; Support the colleague who was targeted'],
    }[name]!;
    expect(details).toEqual(expect.arrayContaining(said));
  });
});

describe('incident card grading', () => {
  const OTHER_PRACTICES = /Wickersley|Millbrook|Cockhedge|Caergwrle/;
  /** A post that names no practice, so any practice's name on the card comes from the card itself. */
  const NEUTRAL: ReportFacts = { ...FACTS, what: { ...FACTS.what, postText: 'Rudest receptionist ever. She should be sacked.' }, risk: { atRisk: true } };

  it('sources name the guidance, and a practice policy as "the default policy", with its sources named once at the end', () => {
    const card = incidentCard(routed(NEUTRAL, 2), options({ practiceName: 'Riverside Surgery', replyText: 'Thank you.' }));
    const sources = texts(card).filter((t) => t.startsWith('Source: '));
    expect(sources).toEqual(expect.arrayContaining([expect.stringMatching(/^Source: the default policy, /), expect.stringMatching(/^Source: (LMC guidance|BMA), /)]));
    expect(sources.join('\n')).not.toMatch(OTHER_PRACTICES);
    const named = texts(card).filter((t) => OTHER_PRACTICES.test(t));
    expect(named).toHaveLength(1);
    expect(named[0]).toMatch(/^The default policy's sections are drawn from the social media policies of /);
  });

  it("a practice with its own policy reads \"Riverside Surgery's social media policy\", and no other practice's name", () => {
    const card = incidentCard(routed(NEUTRAL, 2), options({ practiceName: 'Riverside Surgery', ownPolicy: true, replyText: 'Thank you.' }));
    expect(texts(card).filter((t) => t.startsWith("Source: Riverside Surgery's social media policy, ")).length).toBeGreaterThan(0);
    expect(all(card)).not.toMatch(OTHER_PRACTICES);
  });
});
