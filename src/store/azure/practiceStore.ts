import { randomUUID } from 'node:crypto';
import { odata, type TableClient } from '@azure/data-tables';
import { withConfigured, type PracticeRoles } from '../../domain/roles.ts';
import { ConflictError, type AuditChange, type ConversationAddress, type PracticeStore, type RecordsRequest, type Stored } from '../ports.ts';
import { deadline } from './clients.ts';
import { etagOf, getJson, key, putJson } from './entities.ts';
import { isNotFound, mapped } from './errors.ts';

/**
 * Table `practices`: PartitionKey = practiceId. RowKeys:
 *   roles                 who decides (JSON), ETag-checked
 *   review-channel        where incident cards are posted
 *   user|<aadObjectId>    that person's 1:1 chat with the bot (notWorkingSince: the connector refused it for good)
 *   audit|<time>|<uuid>   practice-level audit entries, append-only
 */
const ADDRESS_TTL_MS = 60_000;
const ADDRESS_LIMIT = 20_000;
const NO_ROLES: PracticeRoles = { managers: [], deputies: [], dataProtectionOfficers: [], safeguardingLeads: [] };
/** The ETag of roles never saved: the first save creates the row. */
const NO_ROW = '';

export class AzurePracticeStore implements PracticeStore {
  /**
   * Where cards go (review channels, 1:1 chats) as this process last read or wrote them, for a
   * minute: every card drawn and every routing read them, and they change rarely. A change made
   * by another process is seen within ADDRESS_TTL_MS. Only addresses found are kept: someone who
   * opens a chat with the bot is reachable at once. Never used for who may do what.
   */
  private readonly addresses = new Map<string, { address: ConversationAddress; at: number }>();

  constructor(
    private readonly table: TableClient,
    private readonly now: () => Date,
  ) {}

  async roles(practiceId: string, configured: PracticeRoles): Promise<Stored<PracticeRoles>> {
    const stored = await this.storedRoles(practiceId);
    return { value: withConfigured(stored.value, configured), etag: stored.etag };
  }

  /** What Teams added. Reading never writes: until the first change there is no row (ETag ''). */
  private async storedRoles(practiceId: string): Promise<Stored<PracticeRoles>> {
    const existing = await this.read(practiceId, 'roles');
    if (!existing) return { value: NO_ROLES, etag: NO_ROW };
    return { value: getJson<PracticeRoles>(existing, 'roles')!, etag: etagOf(existing) };
  }

  async saveRoles(practiceId: string, roles: PracticeRoles, etag: string, change: AuditChange): Promise<void> {
    const entity = { partitionKey: key(practiceId), rowKey: 'roles' };
    putJson(entity, 'roles', roles);
    await mapped('Save roles', () =>
      // The first change creates the row (a concurrent first change gets 409: a conflict, retried).
      this.table.submitTransaction([etag === NO_ROW ? ['create', entity] : ['update', entity, 'Replace', { etag }], ['create', this.auditEntity(practiceId, change)]], {
        abortSignal: deadline(),
      }),
    );
  }

  async reviewChannel(practiceId: string): Promise<ConversationAddress | undefined> {
    return this.address(practiceId, 'review-channel');
  }

  async setReviewChannel(practiceId: string, address: ConversationAddress, change: AuditChange): Promise<void> {
    const entity = { partitionKey: key(practiceId), rowKey: 'review-channel' };
    putJson(entity, 'address', address);
    await mapped('Set review channel', () =>
      this.table.submitTransaction([['upsert', entity, 'Replace'], ['create', this.auditEntity(practiceId, change)]], {
        abortSignal: deadline(),
      }),
    );
    this.keep(practiceId, 'review-channel', address);
  }

  async userChat(practiceId: string, aadObjectId: string): Promise<ConversationAddress | undefined> {
    return this.address(practiceId, `user|${key(aadObjectId.toLowerCase())}`);
  }

  async markChatNotWorking(practiceId: string, aadObjectId: string, conversationId: string | undefined): Promise<void> {
    const rowKey = `user|${key(aadObjectId.toLowerCase())}`;
    // This instance stops using it at once; other instances within ADDRESS_TTL_MS (their cache).
    this.addresses.delete(`${practiceId}\n${rowKey}`);
    const entity = await this.read(practiceId, rowKey);
    if (!entity || entity.notWorkingSince) return;
    const stored = getJson<ConversationAddress>(entity, 'address');
    // The person may have talked to the bot from a new chat since: that one works.
    if ((stored?.reference.conversation as { id?: unknown } | undefined)?.id !== conversationId) return;
    await mapped('Mark 1:1 chat not working', () =>
      this.table.updateEntity({ partitionKey: key(practiceId), rowKey, notWorkingSince: this.now().toISOString() }, 'Merge', { etag: etagOf(entity), abortSignal: deadline() }),
    ).catch((error: unknown) => {
      // Re-remembered meanwhile (ETag changed): the fresh chat stands.
      if (!(error instanceof ConflictError)) throw error;
    });
  }

  async rememberUserChat(practiceId: string, aadObjectId: string, address: ConversationAddress): Promise<void> {
    const entity = { partitionKey: key(practiceId), rowKey: `user|${key(aadObjectId.toLowerCase())}` };
    putJson(entity, 'address', address);
    await mapped('Remember 1:1 chat', () => this.table.upsertEntity(entity, 'Replace', { abortSignal: deadline() }));
    this.keep(practiceId, entity.rowKey, address);
  }

  private async address(practiceId: string, rowKey: string): Promise<ConversationAddress | undefined> {
    const id = `${practiceId}\n${rowKey}`;
    const kept = this.addresses.get(id);
    if (kept && Date.now() - kept.at < ADDRESS_TTL_MS) return kept.address;
    const entity = await this.read(practiceId, rowKey);
    // A chat the connector refused for good is not an address (until the person talks to the bot again).
    const address = entity && !entity.notWorkingSince ? getJson<ConversationAddress>(entity, 'address') : undefined;
    if (address) this.keep(practiceId, rowKey, address);
    else this.addresses.delete(id);
    return address;
  }

  private keep(practiceId: string, rowKey: string, address: ConversationAddress): void {
    if (this.addresses.size >= ADDRESS_LIMIT) this.addresses.clear();
    this.addresses.set(`${practiceId}\n${rowKey}`, { address, at: Date.now() });
  }

  async saveRecordsRequest(request: RecordsRequest): Promise<void> {
    const entity = { partitionKey: key(request.practiceId), rowKey: `request|${key(request.id)}`, kind: 'records-request', status: request.status };
    putJson(entity, 'request', request);
    await mapped('Keep records request', () => this.table.upsertEntity(entity, 'Replace', { abortSignal: deadline() }));
  }

  async recordsRequests(practiceId?: string): Promise<RecordsRequest[]> {
    const filter =
      practiceId === undefined
        ? odata`RowKey ge 'request|' and RowKey lt 'request}'`
        : odata`PartitionKey eq ${key(practiceId)} and RowKey ge 'request|' and RowKey lt 'request}'`;
    return mapped('Read records requests', async () => {
      const found: RecordsRequest[] = [];
      for await (const e of this.table.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) {
        const request = getJson<RecordsRequest>(e, 'request');
        if (request) found.push(request);
      }
      return found.sort((a, b) => (a.receivedAt < b.receivedAt ? -1 : 1));
    });
  }

  async audit(practiceId: string, change: AuditChange): Promise<void> {
    await mapped('Record practice audit', () => this.table.createEntity(this.auditEntity(practiceId, change), { abortSignal: deadline() }));
  }

  async practiceAudit(practiceId: string): Promise<Array<AuditChange & { at: string }>> {
    const filter = odata`PartitionKey eq ${key(practiceId)} and RowKey ge 'audit|' and RowKey lt 'audit}'`;
    return mapped('Read practice audit', async () => {
      const entries: Array<AuditChange & { at: string }> = [];
      for await (const e of this.table.listEntities({ queryOptions: { filter }, abortSignal: deadline() })) {
        entries.push(getJson<AuditChange & { at: string }>(e, 'entry')!);
      }
      return entries.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
    });
  }

  private auditEntity(practiceId: string, change: AuditChange) {
    const at = this.now().toISOString();
    const entity = { partitionKey: key(practiceId), rowKey: `audit|${at}|${randomUUID()}` };
    putJson(entity, 'entry', { ...change, at });
    return entity;
  }

  private async read(practiceId: string, rowKey: string): Promise<Record<string, unknown> & { etag?: string } | undefined> {
    try {
      return await this.table.getEntity(key(practiceId), rowKey, { abortSignal: deadline() });
    } catch (error) {
      if (isNotFound(error)) return undefined;
      return mapped('Read practice set-up', () => Promise.reject(error));
    }
  }
}
