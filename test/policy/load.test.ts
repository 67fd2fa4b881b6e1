import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { gradeReport, type GradingFacts } from '../../src/domain/policy/grade.ts';
import { validatePolicy, deepMerge } from '../../src/domain/policy/validate.ts';
import { renderReplyTemplate, renderTemplate } from '../../src/domain/policy/templates.ts';
import { DEFAULT_POLICY } from '../../src/policy/default.ts';
import { PolicyFileError, loadPolicy, policyFromJson, presetPath, PRESETS } from '../../src/policy/load.ts';

const dir = mkdtempSync(join(tmpdir(), 'postwatch-policy-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));
function file(name: string, content: unknown): string {
  const path = join(dir, name);
  writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content, null, 2));
  return path;
}

function problemsOf(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    expect(error).toBeInstanceOf(PolicyFileError);
    return [...(error as PolicyFileError).problems];
  }
  throw new Error('expected a PolicyFileError');
}

const base: GradingFacts = { categories: [], namedParties: [], authorRelationship: 'patient', atRisk: false, platform: 'facebook', priorIncidentsByAuthor: 0 };

describe('the default policy', () => {
  it('validates', () => {
    const result = validatePolicy(DEFAULT_POLICY);
    expect(result.ok ? [] : result.error).toEqual([]);
    expect(loadPolicy()).toEqual(DEFAULT_POLICY);
  });

  it('has the four severities with targets in hours, shortest for the most severe', () => {
    const p = loadPolicy();
    expect([p.severities.low, p.severities.medium, p.severities.high, p.severities.critical].map((s) => s.decisionTargetHours)).toEqual([24, 8, 4, 1]);
    expect(p.severities.critical.immediateAlert).toBe(true);
    expect(p.severities.high.immediateAlert).toBe(false);
  });

  it('has every action the issue lists, each citing a sentence', () => {
    const ids = loadPolicy().actions.map((a) => a.id);
    expect(ids).toEqual([
      'no-response', 'public-reply', 'request-removal', 'complaints-procedure', 'report-to-platform', 'block-on-page',
      'save-evidence', 'report-to-police', 'safeguarding-referral', 'legal-advice', 'pr-support', 'dpo-review', 'unreasonable-patients-policy',
      'removal-of-patient-policy', 'support-colleague', 'hr-route', 'direct-to-secure-routes',
    ]);
  });
});

describe('a malformed policy file', () => {
  it('names the field: a negative decision target', () => {
    const path = file('bad-hours.json', { severities: { high: { decisionTargetHours: -4 } } });
    expect(problemsOf(() => loadPolicy(path))).toEqual(['severities.high.decisionTargetHours: expected a positive number']);
  });

  it('names the field: text where a number belongs', () => {
    expect(problemsOf(() => policyFromJson(JSON.stringify({ severities: { high: { decisionTargetHours: 'four' } } })))).toEqual([
      'severities.high.decisionTargetHours: expected a positive number',
    ]);
  });

  it('names a misspelt field', () => {
    expect(problemsOf(() => policyFromJson(JSON.stringify({ severities: { medium: { decisionTargetHour: 6 } } })))).toEqual([
      'severities.medium.decisionTargetHour: unknown field (check the spelling)',
    ]);
  });

  it('names a list entry by its id', () => {
    const problems = problemsOf(() =>
      policyFromJson(JSON.stringify({ rules: [{ id: 'repeat-author', then: { severity: 'severe', actions: [{ id: 'block-on-page', priority: -1 }] } }] })),
    );
    expect(problems).toContain('rules[repeat-author].then.severity: expected one of "low", "medium", "high", "critical", got "severe"');
    expect(problems).toContain('rules[repeat-author].then.actions[block-on-page].priority: expected a whole number, 0 or more');
  });

  it('names a missing field of a new entry', () => {
    const problems = problemsOf(() => policyFromJson(JSON.stringify({ actions: [{ id: 'call-the-ccg', title: 'Call the ICB' }] })));
    expect(problems).toEqual(['actions[call-the-ccg].guidance: required', 'actions[call-the-ccg].source: required']);
  });

  it('names an unknown action in a rule and an unknown category', () => {
    const problems = problemsOf(() =>
      policyFromJson(
        JSON.stringify({
          rules: [
            {
              id: 'new-rule',
              description: 'x',
              when: { anyCategory: ['spam'] },
              then: { actions: [{ id: 'phone-a-friend', priority: 1, reason: 'because' }] },
              source: { document: 'millbrook', section: 's', quote: 'q' },
            },
          ],
        }),
      ),
    );
    expect(problems[0]).toMatch(/^rules\[new-rule\]\.when\.anyCategory\[0\]: expected one of .*"complaint".*, got "spam"$/);
  });

  it('names a cross-reference that does not exist', () => {
    const problems = problemsOf(() =>
      policyFromJson(JSON.stringify({ rules: [{ id: 'complaint', then: { actions: [{ id: 'phone-a-friend', priority: 1, reason: 'because' }], warnings: ['nope'] } }] })),
    );
    expect(problems).toEqual(['rules[complaint].then.actions[phone-a-friend].id: unknown action "phone-a-friend"', 'rules[complaint].then.warnings[0]: unknown warning "nope"']);
  });

  it('rejects a template with an unknown placeholder or expression', () => {
    const problems = problemsOf(() =>
      policyFromJson(JSON.stringify({ templates: [{ id: 'public-reply', text: 'Hello {{patientName}} ${process.exit()} {{ practiceName.toUpperCase() }}' }] })),
    );
    expect(problems).toEqual([
      'templates[public-reply].text: unknown placeholder {{patientName}} (use {{practiceName}}, {{practicePhone}}, {{practiceEmail}})',
      'templates[public-reply].text: has a "{{" or "}}" that is not a placeholder',
    ]);
  });

  it('reports broken JSON and a missing file', () => {
    expect(problemsOf(() => loadPolicy(file('broken.json', '{ "name": ')))[0]).toMatch(/^not valid JSON/);
    expect(problemsOf(() => loadPolicy(join(dir, 'missing.json')))[0]).toMatch(/^no such file/);
    expect(problemsOf(() => policyFromJson('[1,2]'))).toEqual(['expected a JSON object ({ ... }) at the top level']);
  });

  it('says which file in the message', () => {
    const path = file('bad-name.json', { name: '' });
    expect(() => loadPolicy(path)).toThrow(/bad-name\.json is not valid:\n {2}- name: must not be empty/);
  });
});

describe('a practice file overrides or extends the default by id', () => {
  it('changes one field of an entry and keeps the rest', () => {
    const p = policyFromJson(JSON.stringify({ severities: { high: { decisionTargetHours: 2 } }, actions: [{ id: 'pr-support', title: 'Call the LMC communications team' }] }));
    expect(p.severities.high.decisionTargetHours).toBe(2);
    expect(p.severities.high.deciders).toEqual(['practice-manager']);
    const pr = p.actions.find((a) => a.id === 'pr-support')!;
    expect(pr.title).toBe('Call the LMC communications team');
    expect(pr.guidance).toBe(DEFAULT_POLICY.actions.find((a) => a.id === 'pr-support')!.guidance);
    expect(p.actions).toHaveLength(DEFAULT_POLICY.actions.length);
  });

  it('can switch a rule off', () => {
    const p = policyFromJson(JSON.stringify({ rules: [{ id: 'criticism-only', enabled: false }] }));
    expect(gradeReport(p, { ...base, categories: ['other-criticism'] }).actions.map((a) => a.id)).toEqual(['save-evidence']);
  });

  it('does not change the default', () => {
    const before = JSON.stringify(DEFAULT_POLICY);
    policyFromJson(JSON.stringify({ severities: { low: { decisionTargetHours: 12 } }, rules: [{ id: 'complaint', then: { severity: 'high' } }] }));
    expect(JSON.stringify(DEFAULT_POLICY)).toBe(before);
  });

  it('deep-merges by id, appends new ids and replaces plain lists', () => {
    expect(deepMerge({ a: [{ id: 'x', n: 1, m: 2 }], b: [1, 2], c: { d: 1 } }, { a: [{ id: 'x', n: 5 }, { id: 'y', n: 0 }], b: [3], c: { e: 2 } })).toEqual({
      a: [{ id: 'x', n: 5, m: 2 }, { id: 'y', n: 0 }],
      b: [3],
      c: { d: 1, e: 2 },
    });
  });
});

describe('presets', () => {
  it.each(PRESETS)('%s loads and validates', (preset) => {
    const p = loadPolicy(presetPath(preset));
    expect(p.name).toMatch(/Medical Centre$/);
    expect(JSON.parse(readFileSync(presetPath(preset), 'utf8'))).toBeTypeOf('object');
  });

  it('Millbrook deletes complaints posted on its Facebook page', () => {
    const millbrook = loadPolicy(presetPath('millbrook'));
    const onFacebook = gradeReport(millbrook, { ...base, categories: ['complaint'] });
    expect(onFacebook.actions.map((a) => a.id).slice(0, 3)).toEqual(['complaints-procedure', 'delete-from-practice-page', 'public-reply']);
    expect(onFacebook.warnings.map((w) => w.id)).toContain('millbrook-not-a-complaint');
    // Not on Facebook: nothing to delete. And the default never deletes.
    expect(gradeReport(millbrook, { ...base, categories: ['complaint'], platform: 'google-reviews' }).actions.map((a) => a.id)).not.toContain('delete-from-practice-page');
    expect(gradeReport(loadPolicy(), { ...base, categories: ['complaint'] }).actions.map((a) => a.id)).not.toContain('delete-from-practice-page');
    // Still never a reason to remove the patient.
    expect(onFacebook.actions.map((a) => a.id)).not.toContain('removal-of-patient-policy');
  });

  it('Cockhedge directs reviews to the NHS website', () => {
    const cockhedge = loadPolicy(presetPath('cockhedge'));
    const review = gradeReport(cockhedge, { ...base, categories: ['other-criticism'] });
    expect(review.actions.map((a) => a.id)).toEqual(['no-response', 'direct-to-nhs-website', 'public-reply', 'save-evidence']);
    expect(gradeReport(cockhedge, { ...base, categories: ['other-criticism'], platform: 'nhs-website' }).actions.map((a) => a.id)).not.toContain('direct-to-nhs-website');
    const reply = renderReplyTemplate(cockhedge, 'public-reply', { practiceName: 'Cockhedge Medical Centre', practicePhone: '01925 000000', practiceEmail: 'cockhedge@nhs.net' });
    expect(reply.ok && reply.value).toContain('NHS website');
    // Its legal-advice reason changed, but legal advice is still not first.
    const defamatory = gradeReport(cockhedge, { ...base, categories: ['defamatory'] });
    expect(defamatory.actions[0]!.id).toBe('save-evidence');
    expect(defamatory.actions.find((a) => a.id === 'legal-advice')!.source.document).toBe('cockhedge');
  });
});

describe('reply templates', () => {
  it('fill placeholders only, once, without evaluating anything', () => {
    expect(renderTemplate('Call {{practiceName}} on {{ practicePhone }}.', { practiceName: '{{practicePhone}} ${1+1}', practicePhone: '0114\n496 0000' })).toEqual({
      ok: true,
      value: 'Call {{practicePhone}} ${1+1} on 0114 496 0000.',
    });
  });

  it('report missing values and unknown placeholders', () => {
    expect(renderTemplate('{{practiceName}} {{practiceEmail}} {{constructor}}', { practiceName: 'A' })).toEqual({
      ok: false,
      error: ['no value for {{practiceEmail}}', 'unknown placeholder {{constructor}}'],
    });
    expect(renderReplyTemplate(loadPolicy(), 'nope', {})).toEqual({ ok: false, error: ['no template "nope"'] });
  });

  it('every default template renders with the practice details and nothing left over', () => {
    const p = loadPolicy();
    for (const t of p.templates) {
      const r = renderReplyTemplate(p, t.id, { practiceName: 'Wickersley Medical Practice', practicePhone: '01709 000000', practiceEmail: 'wickersley@nhs.net' });
      expect(r.ok, t.id).toBe(true);
      if (r.ok) {
        expect(r.value).not.toMatch(/[{}]/);
        expect(r.value).toContain('01709 000000');
      }
    }
  });
});
