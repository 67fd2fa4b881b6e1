import { randomUUID } from 'node:crypto';
import pino from 'pino';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { OutgoingMessage, Sender } from '../../src/app/outbox.ts';
import type { PrivateChats } from '../../src/bot/privateChat.ts';
import { createServices } from '../../src/compose.ts';
import type { PracticeDirectory } from '../../src/domain/practice.ts';
import { loadPolicy } from '../../src/policy/load.ts';
import { createAzureStores } from '../../src/store/azure/index.ts';
import { StorageUnavailableError, type Stores } from '../../src/store/ports.ts';
import { VERBS } from '../../src/contract/cards.ts';
import { SAY } from '../../src/bot/messages.ts';
import { useAzurite } from '../support/azurite.ts';
import { StandIn, StandInHosts } from '../support/standInHosts.ts';
import {
  action,
  actionsOf,
  cardAction,
  cardOf,
  channelMention,
  personalMessage,
  TeamsDriver,
  textOfCard,
  textsOf,
  type Person,
} from '../support/teams.ts';

const storage = useAzurite();
const rita: Person = { id: '29:rita', aadObjectId: 'aad-rita', name: 'Rita Reception' };
const gina: Person = { id: '29:gina', aadObjectId: 'aad-gina', name: 'Gina GP' };
const mary: Person = { id: '29:mary', aadObjectId: 'aad-mary', name: 'Mary Manager' };
const colin: Person = { id: '29:colin', aadObjectId: 'aad-colin', name: 'Colin Clerk' };
const stranger: Person = { id: '29:stranger', aadObjectId: 'aad-stranger', name: 'Someone Else' };
const directory: PracticeDirectory = {
  practices: [
    { id: 'millbrook', name: 'Millbrook Medical Centre', teamIds: ['19:team-millbrook@thread.tacv2'], staff: ['aad-rita', 'aad-gina', 'aad-colin', 'aad-mary'], staffNames: [], managers: ['aad-mary'], deputies: [], dataProtectionOfficers: [] },
    { id: 'cockhedge', name: 'Cockhedge Medical Centre', teamIds: ['19:team-cockhedge@thread.tacv2'], staff: [], staffNames: [], managers: [], deputies: [], dataProtectionOfficers: [] },
  ],
};
const now = () => new Date('2026-11-24T10:30:00Z');
const PNG = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), Buffer.from('fake png body for the test')]);

let stores: Stores;
/** The connector's attachment service, reached under its real name (smba.trafficmanager.net) on loopback. */
const images = new StandIn((req, res) => {
  if (req.url === '/emea/v3/attachments/shot.png') res.writeHead(200, { 'content-type': 'image/png' }).end(PNG);
  else if (req.url === '/emea/v3/attachments/notes.txt') res.writeHead(200, { 'content-type': 'image/png' }).end('not an image');
  else res.writeHead(404).end();
});
const internet = new StandInHosts().resolve('smba.trafficmanager.net', '52.112.0.10').route('52.112.0.10', images);
const imageBase = 'https://smba.trafficmanager.net/emea/v3/attachments';

beforeAll(async () => {
  stores = await createAzureStores(storage.connectionString, { tablePrefix: storage.tablePrefix });
  await images.start();
});

afterAll(async () => {
  await images.stop();
});

interface Harness {
  driver: TeamsDriver;
  privately: Array<{ to: string; card: unknown }>;
  sent: Array<{ to: string; message: OutgoingMessage }>;
}

const policies = new Map(directory.practices.map((p) => [p.id, loadPolicy()]));

/** A bot instance over the shared storage: two of them are two processes behind a load balancer. */
function startBot(over: Partial<Stores> = {}): Harness {
  const privately: Harness['privately'] = [];
  const sent: Harness['sent'] = [];
  const privateChats: PrivateChats = {
    send: async (context, activity) => {
      privately.push({ to: context.activity.from.id, card: activity.attachments?.[0]?.content });
      return `private-${randomUUID()}`;
    },
  };
  const sender: Sender = {
    send: async (address, message) => {
      sent.push({ to: String((address.reference.user as { id?: string } | undefined)?.id), message });
      return { id: `sent-${randomUUID()}` };
    },
    update: async () => undefined,
  };
  const all = { ...stores, ...over };
  const services = createServices({
    config: { practices: directory, policies, bot: { authEnabled: false } },
    stores: all,
    log: pino({ level: process.env.TEST_LOG ?? 'silent' }),
    now,
    sender,
    privateChats,
    deliverAtOnce: false,
    downloads: { network: internet },
  });
  return { driver: new TeamsDriver((context) => services.bot.run(context)), privately, sent };
}

const where = { platform: 'facebook', postUrl: 'https://www.facebook.com/millbrook/posts/1', seenDate: '2026-11-24', seenTime: '09:05', authorName: 'J. Bloggs', authorRelationship: 'patient' };
const what = { postText: 'The receptionist Rita is a disgrace and should be sacked', categories: 'personal-attack,names-staff', namedParties: 'colleagues', namedColleagues: 'Rita' };

async function press(h: Harness, person: Person, card: unknown, title: string, inputs: Record<string, unknown> = {}) {
  const a = action(card, title);
  const result = await h.driver.send(cardAction(person, a.verb, { ...a.data, ...inputs }, 'card-1'));
  return result;
}

/** Drives a report up to the review card and returns it. */
async function fillToReview(h: Harness, person: Person, postText = what.postText): Promise<Record<string, any>> {
  let card = cardOf(await h.driver.send(personalMessage(person, 'report a post')));
  card = cardOf(await press(h, person, card, 'Next', where));
  card = cardOf(await press(h, person, card, 'Next', { ...what, postText }));
  card = cardOf(await press(h, person, card, 'No', { riskDetails: '' }));
  card = cardOf(await press(h, person, card, 'Next', { noScreenshot: 'true', noScreenshotReason: 'The post was deleted' }));
  expect(textOfCard(card)).toContain('Step 5 of 5');
  return card;
}

describe('report a post, through the bot', () => {
  it('walks every step with validation, Back, a screenshot, Edit and Submit, and stores one incident', async () => {
    const h = startBot();
    let card = cardOf(await h.driver.send(personalMessage(rita, 'report a post')));
    expect(textOfCard(card)).toContain('Step 1 of 5');

    // Validation errors are shown on the card that asked, and nothing moves on.
    card = cardOf(await press(h, rita, card, 'Next', { ...where, platform: '', postUrl: 'javascript:alert(1)' }));
    expect(textOfCard(card)).toContain('Step 1 of 5');
    expect(textOfCard(card)).toMatch(/Choose where the post is/);
    expect(textOfCard(card)).toMatch(/https:\/\//);

    card = cardOf(await press(h, rita, card, 'Next', where));
    expect(textOfCard(card)).toContain('Step 2 of 5');
    card = cardOf(await press(h, rita, card, 'Next', { postText: '', categories: '' }));
    expect(textOfCard(card)).toMatch(/This is required/);

    // Back keeps what was typed on the earlier step.
    card = cardOf(await press(h, rita, card, 'Back'));
    expect(textOfCard(card)).toContain('Step 1 of 5');
    expect(textOfCard(card)).toContain('https://www.facebook.com/millbrook/posts/1');
    card = cardOf(await press(h, rita, card, 'Next', where));
    card = cardOf(await press(h, rita, card, 'Next', what));
    expect(textOfCard(card)).toContain('Step 3 of 5');
    card = cardOf(await press(h, rita, card, 'No', { riskDetails: '' }));
    expect(textOfCard(card)).toContain('Step 4 of 5');

    // Next with neither a screenshot nor "no screenshot" is refused on the evidence card.
    card = cardOf(await press(h, rita, card, 'Next', { noScreenshot: 'false' }));
    expect(textOfCard(card)).toMatch(/I have no screenshot/);
    expect(textOfCard(card)).toContain('Step 4 of 5');

    // A screenshot sent in the chat is downloaded, stored with its SHA-256 and the card redrawn.
    const sent = await h.driver.send(
      personalMessage(rita, '', { attachments: [{ contentType: 'image/png', contentUrl: `${imageBase}/shot.png`, name: 'shot.png' }] }),
    );
    const sha = (await import('node:crypto')).createHash('sha256').update(PNG).digest('hex');
    expect(textsOf(sent).join(' ')).toContain(sha.slice(0, 12));
    expect(h.driver.updates.length).toBeGreaterThan(0);
    const draft = await stores.drafts.get('millbrook', rita.aadObjectId);
    expect(draft?.value.evidence.map((e) => e.sha256)).toEqual([sha]);
    expect((await stores.evidence.read(draft!.value.evidence[0]!.blobName)).equals(PNG)).toBe(true);

    card = cardOf(await press(h, rita, card, 'Next', { noScreenshot: 'false' }));
    expect(textOfCard(card)).toContain('Step 5 of 5');

    // Edit from the summary goes to that step and "Save" (not "Next") comes straight back to the summary.
    const editWhat = actionsOf(card).find((a) => a.verb === VERBS.edit && a.data.editStep === 'what');
    expect(editWhat).toBeDefined();
    card = cardOf(await h.driver.send(cardAction(rita, editWhat!.verb, editWhat!.data)));
    expect(textOfCard(card)).toContain('Step 2 of 5');
    expect(actionsOf(card).map((a) => a.title)).not.toContain('Next');
    card = cardOf(await press(h, rita, card, 'Save', { ...what, postText: `${what.postText}!` }));
    expect(textOfCard(card)).toContain('Step 5 of 5');

    card = cardOf(await press(h, rita, card, 'Submit'));
    const text = textOfCard(card);
    const reference = /PW-2026-\d{4}/.exec(text)?.[0];
    expect(reference).toBeDefined();
    expect(text).toMatch(/do not reply to the post yourself/i);
    expect(text).toMatch(/supports staff who are targeted online/); // a colleague was named: where to get support
    // Rita is at Millbrook: her confirmation names her practice and no other (it once named Wickersley).
    expect(text).toContain('Millbrook Medical Centre');
    expect(text).not.toMatch(/Wickersley|Cockhedge|Caergwrle/);

    const incident = await stores.incidents.get('millbrook', reference!);
    expect(incident?.facts.what.postText).toBe(`${what.postText}!`);
    expect(incident?.facts.evidence.screenshots).toHaveLength(1);
    expect(incident?.reporter.aadObjectId).toBe(rita.aadObjectId);
    expect(await stores.drafts.get('millbrook', rita.aadObjectId)).toBeUndefined();
    // Stored with its audit entry; routing (in the background) may already have added its own.
    expect((await stores.incidents.auditTrail('millbrook', reference!)).map((e) => e.action)[0]).toBe('incident.reported');

    // "my reports" lists it.
    const mine = cardOf(await h.driver.send(personalMessage(rita, 'my reports')));
    expect(textOfCard(mine)).toContain(reference!);
    expect(textOfCard(mine)).toContain('Facebook');
  });

  it('Back sends what was typed and keeps it without checking it, on the card that comes back later', async () => {
    const h = startBot();
    let card = cardOf(await h.driver.send(personalMessage(rita, 'report a post')));
    card = cardOf(await press(h, rita, card, 'Next', where));
    // Half-typed and invalid as it stands (no category ticked): Back still goes back, and keeps it.
    const typed = { postText: 'Half of what they wrote', categories: '', namedColleagues: 'Rita' };
    const back = actionsOf(card).find((a) => a.title === 'Back')!;
    card = cardOf(await press(h, rita, card, 'Back', typed));
    expect(textOfCard(card)).toContain('Step 1 of 5');
    expect(textOfCard(card)).not.toMatch(/Tick at least one|This is required/);
    // Teams sends the inputs with Back only if the template lets it: no associatedInputs "none",
    // and no input Teams would validate first.
    const template = JSON.stringify(cardOf(await press(h, rita, card, 'Next', where)));
    expect(template).not.toMatch(/"isRequired":true/);
    expect(back).toBeDefined();
    const draft = await stores.drafts.get('millbrook', rita.aadObjectId);
    expect(draft?.value.answers.postText).toBe('Half of what they wrote');
    expect(draft?.value.answers.namedColleagues).toBe('Rita');
    // The step card drawn again shows what was typed.
    expect(template).toContain('Half of what they wrote');
  });

  it('"Report another post" sends a new card and leaves the confirmation with its reference as it was', async () => {
    const h = startBot();
    const review = await fillToReview(h, gina);
    const confirmation = cardOf(await press(h, gina, review, 'Submit'));
    const reference = /PW-2026-\d{4}/.exec(textOfCard(confirmation))![0];
    const another = actionsOf(confirmation).find((a) => a.title === 'Report another post')!;
    const result = await h.driver.send(cardAction(gina, another.verb, another.data, 'confirmation-card'));
    // The invoke answers with a message (Teams keeps the pressed card as it was), not a card.
    expect(result.invoke?.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(result.invoke?.body.value)).toMatch(/new report has started below/);
    const fresh = cardOf({ sent: result.sent });
    expect(textOfCard(fresh)).toContain('Step 1 of 5');
    expect(textOfCard(fresh)).not.toContain(reference);
    expect(h.driver.updates).toEqual([]);
    const draft = await stores.drafts.get('millbrook', gina.aadObjectId);
    expect(draft?.value.step).toBe('where');
  });

  it('answers a yes to "at risk" at once: 999/101 on the card and the manager alert raised', async () => {
    const h = startBot();
    await h.driver.send(personalMessage(mary, 'help')); // the manager has a 1:1 chat with the bot
    let card = cardOf(await h.driver.send(personalMessage(gina, 'new report')));
    card = cardOf(await press(h, gina, card, 'Next', where));
    card = cardOf(await press(h, gina, card, 'Next', { ...what, categories: 'threat' }));
    card = cardOf(await press(h, gina, card, 'Yes', { riskDetails: 'Says he will wait for Dr A in the car park' }));
    const text = textOfCard(card);
    expect(text).toContain('999');
    expect(text).toContain('101');
    expect(text).toMatch(/We are alerting Mary Manager straight away/);
    const alerts = async () => (await stores.outbox.pending()).filter((i) => i.id.startsWith('risk|') && i.target === 'user:aad-mary');
    expect(await alerts()).toHaveLength(1);
    expect((await alerts())[0]!.text).toMatch(/URGENT/);
    // Pressing yes again does not alert twice; Next carries on with the risk answer kept.
    card = cardOf(await press(h, gina, card, 'Yes', { riskDetails: 'Says he will wait for Dr A in the car park' }));
    expect(await alerts()).toHaveLength(1);
    card = cardOf(await press(h, gina, card, 'Next', { riskDetails: 'Says he will wait for Dr A in the car park' }));
    expect(textOfCard(card)).toContain('Step 4 of 5');
    card = cardOf(await press(h, gina, card, 'Next', { noScreenshot: 'true' }));
    card = cardOf(await press(h, gina, card, 'Submit'));
    expect(textOfCard(card)).toContain('999');
    const draftGone = await stores.drafts.get('millbrook', gina.aadObjectId);
    expect(draftGone).toBeUndefined();
  });

  it('Cancel deletes the draft and its screenshots', async () => {
    const h = startBot();
    const card = cardOf(await h.driver.send(personalMessage(colin, 'report')));
    await h.driver.send(
      personalMessage(colin, '', { attachments: [{ contentType: 'image/png', contentUrl: `${imageBase}/shot.png`, name: 'shot.png' }] }),
    );
    const blobName = (await stores.drafts.get('millbrook', colin.aadObjectId))!.value.evidence[0]!.blobName;
    expect((await stores.evidence.read(blobName)).length).toBe(PNG.length);
    const cancelled = cardOf(await press(h, colin, card, 'Cancel'));
    expect(textOfCard(cancelled)).toMatch(/cancelled/i);
    expect(await stores.drafts.get('millbrook', colin.aadObjectId)).toBeUndefined();
    await expect(stores.evidence.read(blobName)).rejects.toThrow(/no such file/);
    // The old card's buttons now say plainly that the report is closed.
    const stale = cardOf(await press(h, colin, card, 'Next', where));
    expect(textOfCard(stale)).toMatch(/no longer open/i);
  });

  it('a double submit (double-click, retried invoke) creates one incident', async () => {
    const h = startBot();
    const review = await fillToReview(h, rita);
    const submit = action(review, 'Submit');
    const [first, second] = await Promise.all([
      h.driver.send(cardAction(rita, submit.verb, submit.data)),
      h.driver.send(cardAction(rita, submit.verb, submit.data)),
    ]);
    const refs = [first, second].map((r) => /PW-2026-\d{4}/.exec(textOfCard(cardOf(r)))?.[0]);
    expect(refs[0]).toBeDefined();
    expect(refs[0]).toBe(refs[1]);
    const again = await h.driver.send(cardAction(rita, submit.verb, submit.data));
    expect(textOfCard(cardOf(again))).toContain(refs[0]!);
    const mine = await stores.incidents.listByReporter('millbrook', rita.aadObjectId, 50);
    expect(mine.filter((i) => i.draftId === submit.data.draftId)).toHaveLength(1);
  });

  it('a restarted bot (or a second instance) carries on the same report', async () => {
    const first = startBot();
    let card = cardOf(await first.driver.send(personalMessage(gina, 'report a post')));
    card = cardOf(await press(first, gina, card, 'Next', where));
    const second = startBot();
    card = cardOf(await press(second, gina, card, 'Next', what));
    expect(textOfCard(card)).toContain('Step 3 of 5');
    // Typing "report a post" again resumes rather than starting over.
    const resumed = cardOf(await second.driver.send(personalMessage(gina, 'report a post')));
    expect(textOfCard(resumed)).toMatch(/unfinished report/);
    expect(textOfCard(resumed)).toContain('Step 3 of 5');
    await press(second, gina, resumed, 'Cancel');
  });

  it('in a channel only says "I\'ve sent you a private message" and continues in 1:1 chat', async () => {
    const h = startBot();
    const result = await h.driver.send(channelMention(stranger, 'report a post', '19:team-cockhedge@thread.tacv2'));
    expect(textsOf(result)).toEqual(["I've sent you a private message."]);
    expect(result.sent.flatMap((a) => a.attachments ?? [])).toHaveLength(0);
    expect(h.privately).toHaveLength(1);
    expect(textOfCard(h.privately[0]!.card)).toContain('Cockhedge Medical Centre');
    // The person now belongs to the practice of that Team, so 1:1 chat carries on there.
    expect(await stores.memberships.practiceOf(stranger.aadObjectId)).toBe('cockhedge');
    expect(await stores.drafts.get('cockhedge', stranger.aadObjectId)).toBeDefined();
    const card = h.privately[0]!.card;
    const next = cardOf(await press(h, stranger, card, 'Next', where));
    expect(textOfCard(next)).toContain('Step 2 of 5');
    await press(h, stranger, next, 'Cancel');
  });

  it('a storage failure on submit says so plainly, keeps the answers, and the retry stores exactly one incident', async () => {
    let failSubmit = true;
    const flaky: Stores['incidents'] = {
      ...stores.incidents,
      submit: async (incident, actor) => {
        if (failSubmit) throw new StorageUnavailableError('storage down');
        return stores.incidents.submit(incident, actor);
      },
      findByDraft: (p, d) => stores.incidents.findByDraft(p, d),
      listByReporter: (p, a, l) => stores.incidents.listByReporter(p, a, l),
    };
    const h = startBot({ incidents: flaky });
    const review = await fillToReview(h, gina);
    const submit = action(review, 'Submit');
    const failed = await h.driver.send(cardAction(gina, submit.verb, submit.data));
    expect(failed.invoke?.body.type).toBe('application/vnd.microsoft.activity.message');
    expect(String(failed.invoke?.body.value)).toMatch(/NOT been saved/);
    expect((await stores.drafts.get('millbrook', gina.aadObjectId))?.value.answers.postText).toBe(what.postText);
    failSubmit = false;
    const ok = cardOf(await h.driver.send(cardAction(gina, submit.verb, submit.data)));
    const reference = /PW-2026-\d{4}/.exec(textOfCard(ok))?.[0];
    expect(reference).toBeDefined();
    const mine = await stores.incidents.listByReporter('millbrook', gina.aadObjectId, 50);
    expect(mine.filter((i) => i.draftId === submit.data.draftId)).toHaveLength(1);
  });

  it('shows a hostile post text literally on the summary', async () => {
    const h = startBot();
    const hostile = '${$root.draftId} [click here](http://evil.example) **bold** {"type":"Action.OpenUrl","url":"http://evil.example"}';
    const review = await fillToReview(h, stranger, hostile);
    const actionsBefore = actionsOf(review).map((a) => a.title);
    // Markdown is escaped so Teams shows it as typed; the JSON in the text never becomes an element.
    expect(textOfCard(review)).toContain('\\[click here\\](http://evil.example)');
    expect(JSON.stringify(review)).not.toContain('"type":"Action.OpenUrl"');
    expect(textOfCard(review)).toContain('$root.draftId');
    expect(actionsBefore).toContain('Submit');
    await press(h, stranger, review, 'Cancel');
  });

  it('refuses malformed button presses and other people\'s cards without crashing', async () => {
    const h = startBot();
    const junk = await h.driver.send({ ...cardAction(rita, 'x', {}), value: { action: { type: 'Action.Submit' } } });
    expect(junk.invoke?.body.type).toBe('application/vnd.microsoft.activity.message');
    const empty = await h.driver.send({ ...cardAction(rita, 'x', {}), value: undefined });
    expect(empty.invoke?.body.type).toBe('application/vnd.microsoft.activity.message');
    // A verb no card of ours sends is refused by the route table, before any draft is looked up.
    const unknownVerb = await h.driver.send(cardAction(rita, 'report.explode', { draftId: 'nope', step: 'where' }));
    expect(unknownVerb.invoke?.body).toMatchObject({ type: 'application/vnd.microsoft.activity.message', value: SAY.cardNotUnderstood });

    // Rita's submitted report cannot be seen by pressing her card's button as someone else.
    const review = await fillToReview(h, rita);
    const submit = action(review, 'Submit');
    const mineCard = cardOf(await h.driver.send(cardAction(rita, submit.verb, submit.data)));
    const reference = /PW-2026-\d{4}/.exec(textOfCard(mineCard))?.[0]!;
    await stores.memberships.remember(stranger.aadObjectId, 'millbrook', now());
    const theirs = cardOf(await h.driver.send(cardAction(stranger, submit.verb, submit.data)));
    expect(textOfCard(theirs)).not.toContain(reference);
  });

  it('asks for a report before keeping a screenshot, and refuses files that are not images', async () => {
    const h = startBot();
    const early = await h.driver.send(
      personalMessage(gina, '', { attachments: [{ contentType: 'image/png', contentUrl: `${imageBase}/shot.png`, name: 'shot.png' }] }),
    );
    expect(textsOf(early).join(' ')).toMatch(/first type \*\*report a post\*\*/);
    const card = cardOf(await h.driver.send(personalMessage(gina, 'report a post')));
    const fake = await h.driver.send(
      personalMessage(gina, '', { attachments: [{ contentType: 'image/png', contentUrl: `${imageBase}/notes.txt`, name: 'notes.png' }] }),
    );
    expect(textsOf(fake).join(' ')).toMatch(/1 could not be saved \("notes.png"\): please send it again as an image/);
    expect((await stores.drafts.get('millbrook', gina.aadObjectId))?.value.evidence).toEqual([]);
    await press(h, gina, card, 'Cancel');
  });
});
