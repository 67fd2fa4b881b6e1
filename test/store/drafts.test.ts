import { randomUUID } from 'node:crypto';
import { beforeAll, describe, expect, it } from 'vitest';
import { newDraft, type ReportDraft } from '../../src/domain/report.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { ConflictError, type DraftStore } from '../../src/store/ports.ts';
import { useAzurite } from '../support/azurite.ts';

const storage = useAzurite();
const clock = { now: new Date('2026-11-20T10:00:00.000Z') };
let drafts: DraftStore;

beforeAll(async () => {
  drafts = (await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix, now: () => clock.now }))
    .drafts;
});

function draftFor(practiceId: string, aadObjectId: string, createdAt = clock.now): ReportDraft {
  return newDraft({ id: randomUUID(), practiceId, reporter: { aadObjectId, name: 'Rita Reception' }, now: createdAt });
}

const days = (n: number) => n * 86_400_000;

describe('draft store (Azure Tables)', () => {
  it('creates, reads, saves and removes a draft', async () => {
    const draft = draftFor('practice-a', 'aad-1');
    const created = await drafts.create(draft);
    expect(created.value).toEqual(draft);
    expect(created.etag).toBeTruthy();

    const read = await drafts.get('practice-a', 'aad-1');
    expect(read).toEqual(created);
    expect(await drafts.get('practice-b', 'aad-1')).toBeUndefined();
    expect(await drafts.get('practice-a', 'aad-2')).toBeUndefined();

    const edited: ReportDraft = { ...draft, step: 'what', answers: { ...draft.answers, postText: "It's ${x} **bold**" } };
    const saved = await drafts.save(edited, created.etag);
    expect(saved.etag).not.toBe(created.etag);
    expect(await drafts.get('practice-a', 'aad-1')).toEqual(saved);

    await drafts.remove('practice-a', 'aad-1');
    expect(await drafts.get('practice-a', 'aad-1')).toBeUndefined();
    await expect(drafts.remove('practice-a', 'aad-1')).resolves.toBeUndefined();
  });

  it('refuses a second draft for the same person and a save with a stale ETag', async () => {
    const draft = draftFor('practice-a', 'aad-conflict');
    const created = await drafts.create(draft);
    await expect(drafts.create(draftFor('practice-a', 'aad-conflict'))).rejects.toBeInstanceOf(ConflictError);

    const first = await drafts.save({ ...draft, step: 'what' }, created.etag);
    // The other instance still holds the original ETag.
    await expect(drafts.save({ ...draft, step: 'risk' }, created.etag)).rejects.toBeInstanceOf(ConflictError);
    expect((await drafts.get('practice-a', 'aad-conflict'))?.value.step).toBe('what');

    await drafts.remove('practice-a', 'aad-conflict');
    await expect(drafts.save({ ...draft, step: 'risk' }, first.etag)).rejects.toBeInstanceOf(ConflictError);
  });

  it('keeps drafts of the same person in different practices apart', async () => {
    await drafts.create(draftFor('practice-x', 'aad-two-practices'));
    await drafts.create(draftFor('practice-y', 'aad-two-practices'));
    expect((await drafts.get('practice-x', 'aad-two-practices'))?.value.practiceId).toBe('practice-x');
    expect((await drafts.get('practice-y', 'aad-two-practices'))?.value.practiceId).toBe('practice-y');
  });

  it('treats an expired draft as absent, lets a new one replace it, and purges expired drafts', async () => {
    const old = draftFor('practice-e', 'aad-old', new Date(clock.now.getTime() - days(8)));
    const stale = draftFor('practice-f', 'aad-stale', new Date(clock.now.getTime() - days(7) - 1));
    const replaced = draftFor('practice-e', 'aad-replaced', new Date(clock.now.getTime() - days(10)));
    const fresh = draftFor('practice-e', 'aad-fresh', new Date(clock.now.getTime() - days(6)));
    for (const d of [old, stale, replaced, fresh]) await drafts.create(d);

    expect(await drafts.get('practice-e', 'aad-old')).toBeUndefined();
    expect(await drafts.get('practice-f', 'aad-stale')).toBeUndefined();
    expect((await drafts.get('practice-e', 'aad-fresh'))?.value).toEqual(fresh);

    // Starting a new report over an expired one is allowed.
    const renewed = draftFor('practice-e', 'aad-replaced');
    expect((await drafts.create(renewed)).value).toEqual(renewed);

    expect(await drafts.purgeExpired(clock.now)).toBe(2);
    expect(await drafts.purgeExpired(clock.now)).toBe(0);
    expect((await drafts.get('practice-e', 'aad-fresh'))?.value).toEqual(fresh);
    expect((await drafts.get('practice-e', 'aad-replaced'))?.value).toEqual(renewed);

    // Two days later the fresh one has expired too (and the earlier tests' drafts, created "now", have not).
    expect(await drafts.purgeExpired(new Date(clock.now.getTime() + days(2)))).toBe(1);
    expect(await drafts.get('practice-e', 'aad-fresh')).toBeUndefined();
  });

  it('keeps a long draft whole', async () => {
    const draft = draftFor('practice-long', 'aad-long');
    const answers = { ...draft.answers, postText: '"\\'.repeat(8_000), riskDetails: '😀'.repeat(2_000) };
    const created = await drafts.create({ ...draft, answers });
    expect((await drafts.get('practice-long', 'aad-long'))?.value.answers).toEqual(answers);
    expect(created.value.answers).toEqual(answers);
  });
});
