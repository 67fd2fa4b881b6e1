import { checkReply, guardContextFrom, hasBlocking, type Finding } from '../../../src/domain/policy/guard.ts';
import { loadPolicy } from '../../../src/policy/load.ts';
import { BREACH_CLASSES, corpusContext, type CorpusCase } from './context.ts';
import { HELD_OUT } from './held-out.ts';
import { REDTEAM, REDTEAM2 } from './redteam.ts';
import { TUNING } from './tuning.ts';

/** How the guard does on the corpus: breaching drafts blocked per class, clean drafts blocked. */

export interface ClassScore {
  cls: string;
  caught: number;
  total: number;
}

export interface CorpusScore {
  name: string;
  classes: ClassScore[];
  breachCaught: number;
  breachTotal: number;
  cleanBlocked: number;
  cleanTotal: number;
  missed: CorpusCase[];
  wronglyBlocked: { draft: string; findings: Finding[] }[];
}

const context = guardContextFrom(loadPolicy(), corpusContext);

export function score(name: string, cases: readonly CorpusCase[]): CorpusScore {
  const classes = BREACH_CLASSES.map((cls) => ({ cls, caught: 0, total: 0 }));
  const result: CorpusScore = { name, classes, breachCaught: 0, breachTotal: 0, cleanBlocked: 0, cleanTotal: 0, missed: [], wronglyBlocked: [] };
  for (const c of cases) {
    const findings = checkReply(c.draft, context);
    const blocked = hasBlocking(findings);
    if (c.cls === 'clean') {
      result.cleanTotal++;
      if (blocked) {
        result.cleanBlocked++;
        result.wronglyBlocked.push({ draft: c.draft, findings: findings.filter((f) => f.severity === 'blocking') });
      }
      continue;
    }
    const row = classes.find((r) => r.cls === c.cls)!;
    row.total++;
    result.breachTotal++;
    if (blocked) {
      row.caught++;
      result.breachCaught++;
    } else {
      result.missed.push(c);
    }
  }
  return result;
}

/** redteam and redteam2: each written blind (before reading the rules) by another engineer, to measure how the rules generalise. */
export const CORPORA = {
  tuning: TUNING,
  'held-out': HELD_OUT,
  redteam: REDTEAM,
  redteam2: REDTEAM2,
  all: [...TUNING, ...HELD_OUT, ...REDTEAM, ...REDTEAM2],
} as const;

export function percent(part: number, whole: number): string {
  return whole === 0 ? '-' : `${((100 * part) / whole).toFixed(1)} %`;
}
