import type { TableClient } from '@azure/data-tables';
import { BusyError, CONTENTION_BUDGET_MS } from '../ports.ts';
import { deadline } from './clients.ts';
import { etagOf, key, numberProp } from './entities.ts';
import { isConflict, isNotFound, toStoreError } from './errors.ts';
import { counterRowKey } from './incidentEntity.ts';

/**
 * Reference numbers without a hot row. Each practice and year has one counter row
 * (`counter|reference|2026`, `next` = the next number not yet handed out). Submits in one process
 * never race for it: they queue here, and whoever is waiting when the counter is written gets a
 * number from the same write (a group commit: one ETag-checked write for 1 or 40 submits). The
 * counter's ETag is remembered, so a process that is the only writer never reads it again.
 * Several processes race only with each other (a handful), re-reading on a lost race.
 *
 * A number taken here and not used (the incident's write failed, or the draft turned out to be
 * stored already) is kept and handed to the next submit in this process, so references stay
 * sequential. Uniqueness does not depend on this bookkeeping: the incident row is created with its
 * reference as RowKey, so a number that is somehow used twice fails the second write (409).
 * What can leave a gap: the process stopping between taking a number and storing the incident
 * (a crash, a restart mid-submit), or a year ending with numbers kept. The auditor then sees a
 * number with no incident row and no audit chain, the counter already past it; nothing was stored
 * under it, ever (see README, "References").
 */

interface Waiter {
  resolve: (n: number) => void;
  reject: (error: unknown) => void;
}

interface Sequence {
  /** The counter as this process last wrote or read it. */
  counter?: { next: number; etag: string };
  /** Numbers taken and not used, smallest first. */
  spare: number[];
  waiting: Waiter[];
  writing: boolean;
}

export interface ReferenceNumberOptions {
  /** Give up (BusyError) after this long losing races for the counter. */
  budgetMs?: number;
  random?: () => number;
}

export class ReferenceNumbers {
  private readonly sequences = new Map<string, Sequence>();
  private readonly budgetMs: number;
  private readonly random: () => number;

  constructor(
    private readonly table: TableClient,
    options: ReferenceNumberOptions = {},
  ) {
    this.budgetMs = options.budgetMs ?? CONTENTION_BUDGET_MS;
    this.random = options.random ?? Math.random;
  }

  /** The next number for the practice and year (never handed out twice by any process). */
  take(practiceId: string, year: number): Promise<number> {
    const sequence = this.sequenceOf(practiceId, year);
    const spare = sequence.spare.shift();
    if (spare !== undefined) return Promise.resolve(spare);
    return new Promise<number>((resolve, reject) => {
      sequence.waiting.push({ resolve, reject });
      if (!sequence.writing) void this.serve(key(practiceId), year, sequence);
    });
  }

  /** A number that was not used after all: the next submit in this process gets it. */
  giveBack(practiceId: string, year: number, n: number): void {
    const sequence = this.sequenceOf(practiceId, year);
    if (!sequence.spare.includes(n)) sequence.spare = [...sequence.spare, n].sort((a, b) => a - b);
    // Someone may be queued behind a counter write: serve them from the spare at once.
    const waiter = sequence.waiting.shift();
    if (waiter) waiter.resolve(sequence.spare.shift()!);
  }

  private sequenceOf(practiceId: string, year: number): Sequence {
    const id = `${practiceId}\n${year}`;
    let sequence = this.sequences.get(id);
    if (!sequence) {
      sequence = { spare: [], waiting: [], writing: false };
      this.sequences.set(id, sequence);
    }
    return sequence;
  }

  /** Writes the counter once for everyone waiting, again while more arrive. */
  private async serve(partitionKey: string, year: number, sequence: Sequence): Promise<void> {
    sequence.writing = true;
    try {
      while (sequence.waiting.length > 0) {
        const group = sequence.waiting.splice(0);
        try {
          const first = await this.reserve(partitionKey, year, sequence, group.length);
          group.forEach((waiter, i) => waiter.resolve(first + i));
        } catch (error) {
          group.forEach((waiter) => waiter.reject(error));
        }
      }
    } finally {
      sequence.writing = false;
    }
  }

  /** Moves the counter on by `count` with an ETag check; returns the first number reserved. */
  private async reserve(partitionKey: string, year: number, sequence: Sequence, count: number): Promise<number> {
    const started = Date.now();
    for (let attempt = 1; ; attempt++) {
      try {
        const current = sequence.counter ?? (await this.read(partitionKey, year));
        const first = current?.next ?? 1;
        const entity = { partitionKey, rowKey: counterRowKey(year), kind: 'counter', next: first + count };
        const response = current
          ? await this.table.updateEntity(entity, 'Replace', { etag: current.etag, abortSignal: deadline() })
          : await this.table.createEntity(entity, { abortSignal: deadline() });
        sequence.counter = { next: first + count, etag: etagOf(response) };
        return first;
      } catch (error) {
        sequence.counter = undefined;
        if (!isConflict(error)) throw toStoreError(error, 'Number the report');
        // Another process moved the counter on: read it again, after a short random pause.
        const delay = Math.min(200, 5 * 2 ** attempt) * (0.5 + this.random() / 2);
        if (Date.now() - started + delay > this.budgetMs) {
          throw new BusyError('Number the report: other processes kept numbering reports at the same moment.', { cause: error });
        }
        await new Promise((resolve) => setTimeout(resolve, delay));
      }
    }
  }

  private async read(partitionKey: string, year: number): Promise<{ next: number; etag: string } | undefined> {
    try {
      const entity = await this.table.getEntity(partitionKey, counterRowKey(year), { abortSignal: deadline() });
      return { next: numberProp(entity, 'next'), etag: etagOf(entity) };
    } catch (error) {
      if (isNotFound(error)) return undefined;
      throw error;
    }
  }
}
