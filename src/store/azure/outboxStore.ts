import { odata, type TableClient } from '@azure/data-tables';
import type { ConversationAddress, NewOutboxItem, OutboxClaim, OutboxItem, OutboxStore } from '../ports.ts';
import { deadline } from './clients.ts';
import { etagOf, getJson, key, putJson, unkey } from './entities.ts';
import { isConflict, isNotFound, mapped, statusOf, toStoreError } from './errors.ts';

type Entity = Record<string, unknown> & { partitionKey: string; rowKey: string };

/**
 * Table `outbox`: PartitionKey = practiceId, RowKey = the item's deterministic id. An item stays
 * until it is delivered; a failed send only moves its next attempt later.
 */
export class AzureOutboxStore implements OutboxStore {
  private sequence = 0;

  /**
   * `table` queues notifications (inside a person's turn: the SDK retries a blip there);
   * `delivery` is what the outbox pass uses, tried once, since the pass itself runs again.
   */
  constructor(
    private readonly table: TableClient,
    private readonly delivery: TableClient = table,
  ) {}

  async enqueue(items: NewOutboxItem[], now: Date, claim?: OutboxClaim): Promise<OutboxItem[]> {
    const entities = items.map((item) => this.toEntity(item, now, claim));
    const queued: OutboxItem[] = [];
    // One request per practice (a partition) when nothing is queued already; a 409 means some item
    // was (enqueueing is idempotent), so then each is created on its own and duplicates skipped.
    const byPractice = new Map<string, Entity[]>();
    for (const entity of entities) {
      const group = byPractice.get(entity.partitionKey) ?? [];
      // The same item twice in one call is queued once (the first keeps its place).
      if (!group.some((e) => e.rowKey === entity.rowKey)) byPractice.set(entity.partitionKey, [...group, entity]);
    }
    for (const group of byPractice.values()) {
      if (group.length > 1 && group.length <= 100) {
        try {
          const result = await this.table.submitTransaction(group.map((entity) => ['create', entity]), { abortSignal: deadline() });
          group.forEach((entity, i) => queued.push(fromEntity({ ...entity, etag: result.subResponses[i]?.etag ?? '' })));
          continue;
        } catch (error) {
          if (!isConflict(error)) throw toStoreError(error, 'Queue notifications');
        }
      }
      for (const entity of group) {
        const etag = await this.createOnce(entity);
        if (etag !== undefined) queued.push(fromEntity({ ...entity, etag }));
      }
    }
    // An item without its ETag cannot be marked sent: it is left to a pass (which reads it).
    return queued.filter((item) => item.etag);
  }

  private toEntity(item: NewOutboxItem, now: Date, claim?: OutboxClaim): Entity {
    const entity: Entity = {
      partitionKey: key(item.practiceId),
      rowKey: key(item.id),
      kind: item.kind,
      target: item.target,
      reference: item.reference ?? '',
      text: item.text ?? '',
      activityId: item.activityId ?? '',
      urgent: item.urgent ?? false,
      tellIfUndelivered: item.tellIfUndelivered ?? '',
      sendOnce: item.sendOnce ?? false,
      status: 'pending',
      attempts: 0,
      createdAt: now.toISOString(),
      // Ties within one millisecond keep the order they were queued in.
      order: `${now.toISOString()}#${String(this.sequence++).padStart(9, '0')}`,
      nextAttemptAt: now.toISOString(),
      ...(claim ? { claimedUntil: claim.until.toISOString(), claimedBy: claim.by } : {}),
    };
    putJson(entity, 'address', item.address);
    return entity;
  }

  /** The new item's ETag; undefined when it was queued already. */
  private async createOnce(entity: Entity): Promise<string | undefined> {
    try {
      return (await mapped('Queue notification', () => this.table.createEntity(entity, { abortSignal: deadline() }))).etag ?? '';
    } catch (error) {
      if (!(error instanceof Error && error.name === 'ConflictError') && !isConflict(error)) throw error; // already queued
      return undefined;
    }
  }

  async pending(): Promise<OutboxItem[]> {
    const filter = odata`status eq 'pending'`;
    return mapped('Read pending notifications', async () => {
      const items: Array<OutboxItem & { order: string }> = [];
      for await (const e of this.delivery.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) items.push(fromEntity(e));
      return items.sort((a, b) => (a.order < b.order ? -1 : a.order > b.order ? 1 : 0));
    });
  }

  async claim(item: OutboxItem, until: Date): Promise<OutboxItem | undefined> {
    try {
      const result = await mapped('Claim notification', () =>
        this.delivery.updateEntity(
          // claimedBy is cleared: the process that queued it claimed (if any) holds it no more.
          { partitionKey: key(item.practiceId), rowKey: key(item.id), claimedUntil: until.toISOString(), claimedBy: '' },
          'Merge',
          { etag: item.etag, abortSignal: deadline() },
        ),
      );
      const { claimedBy: _previous, ...claimed } = item;
      return { ...claimed, claimedUntil: until.toISOString(), etag: result.etag ?? item.etag };
    } catch (error) {
      if (error instanceof Error && error.name === 'ConflictError') return undefined;
      throw error;
    }
  }

  async markSent(item: OutboxItem, activityId: string | undefined, now: Date): Promise<void> {
    // Delivered incident cards are needed later (to update every copy) and a send-once item's row
    // is what stops it being queued again; anything else is done with.
    if (item.kind !== 'incident-card' && !item.sendOnce) {
      await mapped('Remove delivered notification', async () => {
        try {
          await this.delivery.deleteEntity(key(item.practiceId), key(item.id), { etag: item.etag, abortSignal: deadline() });
        } catch (error) {
          // Gone or changed: another instance delivered it too (an unclaimed card update) or took
          // it over after this claim ran out. Either way it has been delivered.
          if (!isNotFound(error) && !isConflict(error)) throw error;
        }
      });
      return;
    }
    await mapped('Mark notification sent', () =>
      this.delivery.updateEntity(
        {
          partitionKey: key(item.practiceId),
          rowKey: key(item.id),
          status: 'sent',
          sentAt: now.toISOString(),
          sentActivityId: activityId ?? '',
          attempts: item.attempts + 1,
          claimedUntil: '',
          claimedBy: '',
          // Nothing of a sent message is needed again: only the fact that it went.
          ...(item.kind === 'message' ? { text: '' } : {}),
        },
        'Merge',
        { etag: item.etag, abortSignal: deadline() },
      ),
    );
  }

  async markFailed(item: OutboxItem, nextAttemptAt: Date, reason: string): Promise<void> {
    await mapped('Reschedule notification', () =>
      this.delivery.updateEntity(
        {
          partitionKey: key(item.practiceId),
          rowKey: key(item.id),
          attempts: item.attempts + 1,
          nextAttemptAt: nextAttemptAt.toISOString(),
          lastError: reason.slice(0, 200),
          claimedUntil: '',
          claimedBy: '',
        },
        'Merge',
        { etag: item.etag, abortSignal: deadline() },
      ),
    );
  }

  async sentCards(practiceId: string, reference: string): Promise<OutboxItem[]> {
    const filter = odata`PartitionKey eq ${key(practiceId)} and reference eq ${reference} and kind eq 'incident-card' and status eq 'sent'`;
    return mapped('Read delivered cards', async () => {
      const items: OutboxItem[] = [];
      for await (const e of this.table.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) items.push(fromEntity(e));
      return items;
    });
  }

  async forIncident(practiceId: string, reference: string): Promise<OutboxItem[]> {
    const filter = odata`PartitionKey eq ${key(practiceId)} and reference eq ${reference}`;
    return this.list('Read notifications about an incident', filter);
  }

  async deliveredAboutIncidents(): Promise<OutboxItem[]> {
    return this.list('Read delivered notifications', odata`status eq 'sent' and reference ne ''`);
  }

  async remove(practiceId: string, id: string): Promise<void> {
    await mapped('Remove notification', async () => {
      try {
        await this.table.deleteEntity(key(practiceId), key(id), { abortSignal: deadline() });
      } catch (error) {
        if (statusOf(error) !== 404) throw error;
      }
    });
  }

  private async list(operation: string, filter: string): Promise<OutboxItem[]> {
    return mapped(operation, async () => {
      const items: OutboxItem[] = [];
      for await (const e of this.table.listEntities({ queryOptions: { filter }, abortSignal: deadline(30_000) })) items.push(fromEntity(e));
      return items;
    });
  }
}

function fromEntity(e: Record<string, unknown> & { partitionKey?: string; rowKey?: string; etag?: string }): OutboxItem & { order: string } {
  const str = (name: string) => (typeof e[name] === 'string' ? (e[name] as string) : '');
  const optional = (name: string) => (str(name) ? { [name]: str(name) } : {});
  return {
    practiceId: unkey(e.partitionKey ?? ''),
    id: unkey(e.rowKey ?? ''),
    kind: str('kind') as OutboxItem['kind'],
    target: str('target'),
    address: getJson<ConversationAddress>(e, 'address')!,
    ...optional('reference'),
    ...optional('text'),
    ...optional('activityId'),
    urgent: e.urgent === true,
    ...optional('tellIfUndelivered'),
    ...(e.sendOnce === true ? { sendOnce: true } : {}),
    status: str('status') === 'sent' ? 'sent' : 'pending',
    attempts: typeof e.attempts === 'number' ? e.attempts : 0,
    createdAt: str('createdAt'),
    nextAttemptAt: str('nextAttemptAt'),
    ...optional('claimedUntil'),
    ...optional('claimedBy'),
    ...optional('sentAt'),
    ...optional('sentActivityId'),
    ...optional('lastError'),
    order: str('order'),
    etag: etagOf(e),
  };
}
