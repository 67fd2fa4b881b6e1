/** Latency samples and the small statistics the benchmark prints. */

export class Samples {
  private values: number[] = [];
  private sorted = true;

  add(ms: number): void {
    this.values.push(ms);
    this.sorted = false;
  }

  get count(): number {
    return this.values.length;
  }

  /** Nearest-rank percentile (p in 0..100); NaN when empty. */
  percentile(p: number): number {
    if (this.values.length === 0) return Number.NaN;
    if (!this.sorted) {
      this.values.sort((a, b) => a - b);
      this.sorted = true;
    }
    const rank = Math.min(this.values.length - 1, Math.max(0, Math.ceil((p / 100) * this.values.length) - 1));
    return this.values[rank]!;
  }

  mean(): number {
    if (this.values.length === 0) return Number.NaN;
    return this.values.reduce((a, b) => a + b, 0) / this.values.length;
  }

  merge(other: Samples): void {
    for (const v of other.values) this.add(v);
  }
}

/** Samples by name, kept in first-seen order. */
export class SampleSet {
  readonly byName = new Map<string, Samples>();

  get(name: string): Samples {
    let s = this.byName.get(name);
    if (!s) this.byName.set(name, (s = new Samples()));
    return s;
  }

  all(): Samples {
    const all = new Samples();
    for (const s of this.byName.values()) all.merge(s);
    return all;
  }
}

export function ms(value: number, digits = 1): string {
  if (!Number.isFinite(value)) return '-';
  return value >= 100 ? value.toFixed(0) : value.toFixed(digits);
}

export function mb(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 1024 / 1024).toFixed(0)} MB` : '-';
}

/** A plain-text table with right-aligned numbers (left-aligned first column). */
export function table(header: string[], rows: string[][]): string {
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join('  ').trimEnd();
  return [line(header), widths.map((w) => '-'.repeat(w)).join('  '), ...rows.map(line)].join('\n');
}

/** The same table as GitHub markdown (for bench/README.md). */
export function markdownTable(header: string[], rows: string[][]): string {
  const esc = (c: string) => c.replace(/\|/g, '\\|');
  return [
    `| ${header.map(esc).join(' | ')} |`,
    `| ${header.map((_, i) => (i === 0 ? '---' : '---:')).join(' | ')} |`,
    ...rows.map((r) => `| ${r.map(esc).join(' | ')} |`),
  ].join('\n');
}

export function sleep(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
