import { describe, expect, it } from 'vitest';
import type { QuestionToReporter } from '../../src/domain/handling.ts';
import { plainText, reporterQuestionCard, reporterUpdateCard } from '../../src/views/index.ts';
import { INCIDENT_INPUTS, INCIDENT_VERBS } from '../../src/contract/cards.ts';
import { inputById, inputs, problems, siblings, texts } from '../support/cardChecks.ts';
import { FACTS, MANAGER, PRACTICE, routed } from '../support/incidentSamples.ts';
import { executes } from '../support/incidentCardChecks.ts';

/** The reporter's cards (src/views/reporterCards.ts): a question from a decider, and the update once decided. */

describe('reporter question card', () => {
  const QUESTION: QuestionToReporter = {
    askedBy: MANAGER,
    askedAt: '2026-11-03T15:00:00Z',
    question: 'Did you see [who](http://evil.example) posted it? ${$root.reference}',
  };

  it('the question escaped, a required answer box and Send answer with the incident ids', () => {
    const incident = routed(FACTS, 0, { version: 4 });
    const card = reporterQuestionCard(incident, QUESTION, { practiceName: PRACTICE });
    expect(problems(card, { userText: [QUESTION.question] })).toEqual([]);
    expect(texts(card)).toEqual(expect.arrayContaining(['A question about your report', 'Your report PW-2026-0042', PRACTICE, 'Pat Manager asked, 3 Nov 2026, 15:00:', plainText(QUESTION.question)]));
    expect(inputs(card)).toEqual([
      expect.objectContaining({ type: 'Input.Text', id: INCIDENT_INPUTS.answer, isMultiline: true, maxLength: 2000, label: 'Your answer (required)' }),
    ]);
    expect(executes(card).map((a) => [a.title, a.verb, a.data])).toEqual([
      ['Send answer', INCIDENT_VERBS.answer, { practiceId: 'wickersley', reference: 'PW-2026-0042', version: 4 }],
    ]);
  });

  it('an error beneath the answer box, escaped', () => {
    const card = reporterQuestionCard(routed(), QUESTION, { practiceName: PRACTICE, error: 'Write your answer. [x](http://evil.example)' });
    expect(problems(card, { userText: [QUESTION.question] })).toEqual([]);
    const { list, index } = siblings(card, inputById(card, INCIDENT_INPUTS.answer)!);
    expect(list[index + 1]).toMatchObject({ type: 'TextBlock', text: 'Write your answer. \\[x\\](http://evil.example)', weight: 'Bolder' });
  });

  it('once answered: the answer, thanks, and nothing to send', () => {
    const card = reporterQuestionCard(routed(), { ...QUESTION, answer: '**Jay**', answeredAt: '2026-11-03T15:30:00Z' }, { practiceName: PRACTICE, error: 'ignored' });
    expect(problems(card, { userText: [QUESTION.question] })).toEqual([]);
    expect(inputs(card)).toEqual([]);
    expect(executes(card)).toEqual([]);
    expect(texts(card)).toEqual(expect.arrayContaining(['Your answer, 3 Nov 2026, 15:30:', '\\*\\*Jay\\*\\*', 'Thank you: your answer was added to the report.']));
    expect(texts(card)).not.toContain('ignored');
  });
});

describe('reporter update card', () => {
  it('reference, what was decided, thanks; no reply box when there is nothing to post', () => {
    const card = reporterUpdateCard(routed(), { practiceName: PRACTICE, summary: 'The practice manager decided: **Report** [x](http://evil.example).' });
    expect(problems(card)).toEqual([]);
    expect(texts(card)).toEqual(
      expect.arrayContaining(['Update on your report', 'Your report PW-2026-0042', PRACTICE, 'The practice manager decided: \\*\\*Report\\*\\* \\[x\\](http://evil.example).']),
    );
    expect(texts(card).join(' ')).toMatch(/Thank you for reporting this/);
    expect(inputs(card)).toEqual([]);
  });

  it('the approved reply, exactly, ready to copy', () => {
    const reply = 'Thank you for letting us know. ${$root.reference} [x](http://evil.example)';
    const card = reporterUpdateCard(routed(), { practiceName: PRACTICE, summary: 'The practice manager approved a brief public reply.', replyToPost: reply });
    expect(problems(card, { userText: [reply] })).toEqual([]);
    expect(texts(card)).toContain('Please post this reply');
    expect(inputs(card)).toEqual([expect.objectContaining({ type: 'Input.Text', value: reply, isMultiline: true })]);
    expect(executes(card).map((a) => a.associatedInputs)).toEqual(['none']);
  });
});
