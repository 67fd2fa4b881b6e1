/**
 * `npm run guard:report`: how the reply guard does on its corpus (test/policy/guard-corpus),
 * caught/total per class of breach and overall, and clean drafts blocked, for the tuning part,
 * the held-out part and both. `--verbose` lists the misses and the wrongly blocked drafts.
 */
import { CORPORA, percent, score } from '../test/policy/guard-corpus/evaluate.ts';

const verbose = process.argv.includes('--verbose');

for (const [name, cases] of Object.entries(CORPORA)) {
  const s = score(name, cases);
  console.log(`\n== ${name} (${cases.length} drafts)`);
  for (const row of s.classes) console.log(`  ${row.cls.padEnd(14)} ${String(row.caught).padStart(3)}/${String(row.total).padEnd(3)} ${percent(row.caught, row.total)}`);
  console.log(`  ${'breaching'.padEnd(14)} ${String(s.breachCaught).padStart(3)}/${String(s.breachTotal).padEnd(3)} ${percent(s.breachCaught, s.breachTotal)} blocked (goal at least 95 %)`);
  console.log(`  ${'clean'.padEnd(14)} ${String(s.cleanBlocked).padStart(3)}/${String(s.cleanTotal).padEnd(3)} ${percent(s.cleanBlocked, s.cleanTotal)} blocked (goal at most 3 %)`);
  if (verbose && name !== 'all') {
    for (const m of s.missed) console.log(`  MISSED [${m.cls}] ${JSON.stringify(m.draft)}`);
    for (const w of s.wronglyBlocked) console.log(`  BLOCKED CLEAN ${JSON.stringify(w.draft)} -> ${w.findings.map((f) => `${f.rule} "${w.draft.slice(f.start, f.end)}"`).join(', ')}`);
  }
}
