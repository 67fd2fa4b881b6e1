import { createHash } from 'node:crypto';
import { odata, type TableClient, type TableTransactionResponse, type TransactionAction } from '@azure/data-tables';
import { decisionDue } from '../../domain/handling.ts';
import { authorKey, type Incident } from '../../domain/incident.ts';
import { postKeyOf } from '../../domain/rereport.ts';
import { countDelta, countKeysOf } from '../../domain/summary.ts';
import { londonMonth } from '../../domain/ukTime.ts';
import { deadline } from './clients.ts';
import { etagOf, getJson, key, putJson } from './entities.ts';
import { isConflict, isNotFound, mapped } from './errors.ts';
import type { Entity } from './incidentEntity.ts';

/**
 * Counts that stay flat as a practice's history grows, in the practice's partition of the
 * incidents table, written in the same transactions as the incidents they count:
 *   count|2026-11|s3                  counters for incidents reported that month (JSON), one row
 *                                     per month per shard; the summary reads a range of them
 *   author|<authorKey>|<reportedAt>|<reference>   one small row per incident with a known
 *                                     author; the repeat-author count is a range read of them
 *   post|<sha256 of the link>|<reportedAt>|<reference>   one per incident with a link: a
 *                                     re-report of the same post is found by a range read
 *
 * Each incident row records the counters it added (`countKeys`), so an update subtracts exactly
 * those and adds the new version's. An incident stored before count rows existed has none: its
 * first update adds its counters whole (until then the summary leaves it out).
 * Deleting an incident (retention) leaves its month's counters as they are: the trend history
 * keeps counting it, and the summary says "reported", not "kept". Its author and post rows name
 * the author or their post: they are deleted with the incident (incidentErasure.ts).
 *
 * A count row is a shared row, so this process writes each one in turn (no two of its own
 * transactions race for it) and remembers its ETag. A month has SHARDS rows and the summary adds
 * them up, so which row takes a change does not matter: a transaction takes the first row of the
 * month this process is not writing already, from a start chosen once per process (two processes
 * seldom meet on one; a lost race is re-read and retried). One row per process was a hot row: every
 * submit, routing and decision of a busy practice queued behind the one before it.
 */

const SHARDS = 16;
const MAX_ATTEMPTS = 5;

export const COUNT_ROWS = { from: 'count|', to: 'count}' } as const;

export function countRowKey(month: string, shard: number): string {
  return `count|${month}|s${shard}`;
}

export function authorRowKey(author: string, reportedAt: string, reference: string): string {
  return `author|${key(author)}|${reportedAt}|${reference}`;
}

/**
 * The month an incident is counted in: the London month, as the summary card labels its months (a
 * report at 23:30 UTC on 30 June is a July report in the UK). Rows counted by the UTC month before
 * keep what they hold: an hour at a summer month's end, once, in the trend history.
 */
export function monthOf(reportedAt: string): string {
  return londonMonth(new Date(reportedAt));
}

/** What an incident adds to the counts, from its flat facts. */
export function countKeysOfIncident(incident: Omit<Incident, 'etag'>): string[] {
  return countKeysOf({
    status: incident.status,
    severity: incident.handling?.grading?.severity ?? '',
    platform: incident.facts.where.platform,
    categories: incident.facts.what.categories,
    atRisk: incident.facts.risk.atRisk,
    ...(incident.handling?.priorIncidentsByAuthor !== undefined ? { priorIncidentsByAuthor: incident.handling.priorIncidentsByAuthor } : {}),
    reportedAt: incident.reportedAt,
    ...(incident.handling?.decision ? { decidedAt: incident.handling.decision.at } : {}),
    ...(decisionDue(incident) ? { decisionDueAt: decisionDue(incident)!.toISOString() } : {}),
  });
}

/** The author index row of a new incident (none when the post's author is not known). */
export function authorRow(incident: Omit<Incident, 'etag'>): Entity | undefined {
  const author = authorKey(incident.facts);
  if (!author) return undefined;
  return { partitionKey: key(incident.practiceId), rowKey: authorRowKey(author, incident.reportedAt, incident.reference), kind: 'author', reference: incident.reference };
}

/**
 * The post's link as an index key: a SHA-256 of it (a link can be longer than a key may be, holds
 * characters a key may not, and can name the author), so reports of one post are found by range.
 */
function postHash(postKey: string): string {
  return createHash('sha256').update(postKey).digest('hex').slice(0, 32);
}

export function postRowKey(postKey: string, reportedAt: string, reference: string): string {
  return `post|${postHash(postKey)}|${reportedAt}|${reference}`;
}

/** The link index row of a new incident (none without a link). */
export function postRow(incident: Omit<Incident, 'etag'>): Entity | undefined {
  const link = postKeyOf(incident.facts);
  if (!link) return undefined;
  return { partitionKey: key(incident.practiceId), rowKey: postRowKey(link, incident.reportedAt, incident.reference), kind: 'post', reference: incident.reference };
}

/** Every index row written with a new incident (and deleted with it). */
export function indexRows(incident: Omit<Incident, 'etag'>): Entity[] {
  return [authorRow(incident), postRow(incident)].filter((row): row is Entity => row !== undefined);
}

interface CountRow {
  counts: Map<string, number>;
  etag?: string;
}

export class IncidentCounts {
  private readonly shard: number;
  private readonly rows = new Map<string, CountRow>();
  private readonly turns = new Map<string, Promise<unknown>>();

  constructor(
    private readonly table: TableClient,
    random: () => number = Math.random,
  ) {
    this.shard = Math.floor(random() * SHARDS);
  }

  /**
   * Runs `write` (a transaction) with the count row's change added as its last action, when the
   * counters change at all. A 412/409 on the count row (another process wrote it) is retried with
   * the row read again; one on the incident itself is the caller's conflict and is rethrown.
   */
  async write(
    practiceId: string,
    reportedAt: string,
    before: readonly string[],
    after: readonly string[],
    write: (countAction: TransactionAction | undefined) => Promise<TableTransactionResponse>,
  ): Promise<TableTransactionResponse> {
    const delta = countDelta(before, after);
    if (delta.size === 0) return write(undefined);
    const partitionKey = key(practiceId);
    const rowKey = this.freeRow(partitionKey, monthOf(reportedAt));
    return this.inTurn(`${partitionKey}\n${rowKey}`, async () => {
      for (let attempt = 1; ; attempt++) {
        const id = `${partitionKey}\n${rowKey}`;
        const row = this.rows.get(id) ?? (await this.read(partitionKey, rowKey));
        const counts = new Map(row.counts);
        for (const [k, n] of delta) counts.set(k, (counts.get(k) ?? 0) + n);
        const entity: Entity = { partitionKey, rowKey, kind: 'count' };
        putJson(entity, 'counts', Object.fromEntries(counts));
        const action: TransactionAction = row.etag ? ['update', entity, 'Replace', { etag: row.etag }] : ['create', entity];
        try {
          const result = await write(action);
          const etag = result.subResponses.at(-1)?.etag;
          if (etag) this.rows.set(id, { counts, etag });
          else this.rows.delete(id);
          return result;
        } catch (error) {
          this.rows.delete(id);
          if (!isConflict(error) || attempt >= MAX_ATTEMPTS) throw error;
          const now = await this.read(partitionKey, rowKey);
          // The count row is as this process last knew it: the conflict was the incident's.
          if (now.etag === row.etag) {
            if (now.etag) this.rows.set(id, now);
            throw error;
          }
        }
      }
    });
  }

  /** Month -> counter -> n, for the practice's months from `fromMonth` on. */
  async months(practiceId: string, fromMonth: string): Promise<Map<string, Map<string, number>>> {
    const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${`count|${fromMonth}`} and RowKey lt ${COUNT_ROWS.to}`;
    return mapped('Read incident counts', async () => {
      const months = new Map<string, Map<string, number>>();
      for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter }, abortSignal: deadline() })) {
        const month = (e.rowKey ?? '').split('|')[1] ?? '';
        const into = months.get(month) ?? new Map<string, number>();
        for (const [k, n] of Object.entries(getJson<Record<string, number>>(e, 'counts') ?? {})) into.set(k, (into.get(k) ?? 0) + n);
        months.set(month, into);
      }
      return months;
    });
  }

  /**
   * The references of the practice's incidents by this author or of this post reported at or
   * before `before`: a range of small index rows each, however long the practice's history.
   */
  async earlier(practiceId: string, match: { authorKey?: string; postKey?: string }, before: string): Promise<string[]> {
    const prefixes = [...(match.authorKey ? [`author|${key(match.authorKey)}|`] : []), ...(match.postKey ? [`post|${postHash(match.postKey)}|`] : [])];
    const found = new Set<string>();
    for (const from of prefixes) {
      // '}' sorts after '|': every row reported at `before` itself is in the range too.
      const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge ${from} and RowKey lt ${`${from}${before}}`}`;
      await mapped('Find earlier reports', async () => {
        for await (const e of this.table.listEntities<Record<string, unknown>>({ queryOptions: { filter, select: ['reference'] }, abortSignal: deadline() })) {
          if (typeof e.reference === 'string') found.add(e.reference);
        }
      });
    }
    return [...found];
  }

  private async read(partitionKey: string, rowKey: string): Promise<CountRow> {
    try {
      const e = await this.table.getEntity<Record<string, unknown>>(partitionKey, rowKey, { abortSignal: deadline() });
      return { counts: new Map(Object.entries(getJson<Record<string, number>>(e, 'counts') ?? {})), etag: etagOf(e) };
    } catch (error) {
      if (isNotFound(error)) return { counts: new Map() };
      throw error;
    }
  }

  /**
   * The month's first count row, from this process's own start, that none of its transactions is
   * writing: they go side by side instead of in a queue. All busy: the start row, in turn.
   */
  private freeRow(partitionKey: string, month: string): string {
    for (let i = 0; i < SHARDS; i++) {
      const rowKey = countRowKey(month, (this.shard + i) % SHARDS);
      if (!this.turns.has(`${partitionKey}\n${rowKey}`)) return rowKey;
    }
    return countRowKey(month, this.shard);
  }

  /** One transaction at a time per count row in this process. */
  private inTurn<T>(id: string, work: () => Promise<T>): Promise<T> {
    const previous = this.turns.get(id) ?? Promise.resolve();
    const next = previous.catch(() => undefined).then(work);
    this.turns.set(id, next);
    void next.catch(() => undefined).finally(() => {
      if (this.turns.get(id) === next) this.turns.delete(id);
    });
    return next;
  }
}
