import { incidentFromDraft, type Incident } from '../domain/incident.ts';
import { londonDateTime } from '../domain/ukTime.ts';
import {
  isStep,
  move,
  newDraft,
  parseReport,
  STEP_FIELDS,
  takeAnswers,
  type EvidenceFile,
  type FieldErrors,
  type Move,
  type ReportDraft,
  type Reporter,
  type StepId,
} from '../domain/report.ts';
import { ConflictError, type Stored, type Stores } from '../store/ports.ts';
import { VERBS, type DraftVerb, type StepActionData } from '../contract/cards.ts';
import { CONFLICT_ATTEMPTS, retryOnConflict } from './retryOnConflict.ts';

/**
 * The "report a post" use case: the steps of a report, kept in storage between turns, and the
 * submit that turns a draft into an incident. No botbuilder here: the bot translates activities
 * into these calls and the resulting Screen into a card.
 */

export interface Notice {
  tone: 'attention' | 'good' | 'default';
  text: string;
}

export type Screen =
  /** resumed: an unfinished report shown again on a new card (whose id the bot then remembers). */
  | { kind: 'step'; draft: ReportDraft; errors?: FieldErrors; notice?: Notice; resumed?: boolean }
  | { kind: 'submitted'; incident: Incident; alreadySubmitted: boolean; reviewers?: Reviewers; riskAlerted?: string[] }
  | { kind: 'cancelled' }
  | { kind: 'myReports'; incidents: Incident[] }
  | { kind: 'notice'; title: string; text: string; offerNewReport: boolean };

/** Who a new report reaches automatically: managers with a 1:1 chat (by name) and the review channel. */
export interface Reviewers {
  people: string[];
  reviewChannel: boolean;
}

/** Raised the moment a reporter says someone is at risk, before the report is submitted. */
export interface RiskAlerts {
  /** Queues the alert; resolves with the names of the people it was queued for (empty: nobody). */
  raise(draft: ReportDraft): Promise<string[]>;
  /** Who a new report of the practice will reach, so the reporter is told the truth about it. */
  reviewers(practiceId: string): Promise<Reviewers>;
}

export interface ReportingDeps {
  stores: Pick<Stores, 'drafts' | 'incidents' | 'evidence'>;
  now: () => Date;
  newId: () => string;
  riskAlerts?: RiskAlerts;
  /** Told about each new incident once it is stored (routing to the deciders). */
  submitted?: (incident: Incident) => void;
}

/** A press on an open report's card, its data checked by the contract's schema. */
export interface ActionRequest {
  practiceId: string;
  reporter: Reporter;
  verb: DraftVerb;
  data: StepActionData;
  /** The Teams message the card lives in, remembered so screenshots can refresh it. */
  cardActivityId?: string;
}

export const MAX_SCREENSHOTS = 20;
const MY_REPORTS_LIMIT = 20;

export class Reporting {
  constructor(private readonly deps: ReportingDeps) {}

  /** "report a post": carries on an unfinished report, or starts a new one. */
  async start(practiceId: string, reporter: Reporter): Promise<Screen> {
    const { drafts, incidents } = this.deps.stores;
    // A draft created meanwhile from another device is resumed by the next try.
    return retryOnConflict<Screen>({ attempts: CONFLICT_ATTEMPTS, message: 'Could not start a report after repeated conflicts' }, async () => {
      const existing = await drafts.get(practiceId, reporter.aadObjectId);
      if (existing) {
        // A draft whose submit stored the incident but could not tidy up is finished, not unfinished.
        if (await incidents.findByDraft(practiceId, existing.value.id)) {
          await drafts.remove(practiceId, reporter.aadObjectId);
        } else {
          return {
            kind: 'step',
            draft: existing.value,
            resumed: true,
            notice: {
              tone: 'default',
              text: `You have an unfinished report started ${londonDateTime(existing.value.createdAt)}. Carry on below, or press Cancel to discard it.`,
            },
          };
        }
      }
      const draft = newDraft({ id: this.deps.newId(), practiceId, reporter, now: this.deps.now() });
      const stored = await drafts.create(draft);
      return { kind: 'step', draft: stored.value };
    });
  }

  async myReports(practiceId: string, reporter: Reporter): Promise<Screen> {
    const incidents = await this.deps.stores.incidents.listByReporter(practiceId, reporter.aadObjectId, MY_REPORTS_LIMIT);
    return { kind: 'myReports', incidents };
  }

  /** One press of a button on an open report's card ("report a post" and "my reports" are start and myReports). */
  async act(request: ActionRequest): Promise<Screen> {
    // Two presses raced (a double-click, two devices): read again and apply this one on top.
    return retryOnConflict({ attempts: CONFLICT_ATTEMPTS }, () => this.actOnDraft(request));
  }

  private async actOnDraft(request: ActionRequest): Promise<Screen> {
    const { practiceId, reporter, verb, data } = request;
    const { draftId, step } = data;
    if (!draftId || !isStep(step)) return staleCard();

    const stored = await this.deps.stores.drafts.get(practiceId, reporter.aadObjectId);
    if (!stored || stored.value.id !== draftId) return this.notCurrentDraft(practiceId, reporter, draftId, stored);

    let draft = stored.value;
    if (request.cardActivityId) draft = { ...draft, cardActivityId: request.cardActivityId };
    return this.onDraft[verb]({ practiceId, reporter, draft, step, data, etag: stored.etag, now: this.deps.now() });
  }

  /** A press on the person's own open report, verb by verb (the type has no room for a verb without one). */
  private readonly onDraft: Record<DraftVerb, (press: DraftPress) => Promise<Screen>> = {
    [VERBS.cancel]: async ({ practiceId, reporter, draft }) => {
      // Screenshots first: if that fails the draft still points at them and Cancel can be retried.
      await this.deps.stores.evidence.removeForDraft(practiceId, draft.id);
      await this.deps.stores.drafts.remove(practiceId, reporter.aadObjectId);
      return { kind: 'cancelled' };
    },
    [VERBS.next]: ({ draft, step, data, etag, now }) => this.moveAndSave(takeAnswers(draft, step, data, now), step, { kind: 'next' }, etag),
    // Back sends no inputs (Teams would refuse it while a required field is empty), so the
    // answers already kept for this step stay as they are.
    [VERBS.back]: ({ draft, step, data, etag, now }) => this.moveAndSave(hasAnswersFor(step, data) ? takeAnswers(draft, step, data, now) : draft, step, { kind: 'back' }, etag),
    [VERBS.edit]: async ({ draft, step, data, etag }) => (isStep(data.editStep) ? this.moveAndSave(draft, step, { kind: 'edit', step: data.editStep }, etag) : { kind: 'step', draft }),
    [VERBS.risk]: ({ draft, data, etag, now }) => this.answerRisk(draft, data, etag, now),
    [VERBS.submit]: ({ draft, step, data, now }) => this.submit(takeAnswers(draft, step, data, now), now),
  };

  private async moveAndSave(draft: ReportDraft, from: StepId, m: Move, etag: string): Promise<Screen> {
    const moved = move(draft, from, m, this.deps.now());
    const saved = await this.deps.stores.drafts.save(moved.draft, etag);
    return { kind: 'step', draft: saved.value, errors: moved.errors };
  }

  /** A yes is acted on at once: the advice shows on the same card and the manager is alerted now. */
  private async answerRisk(draft: ReportDraft, data: StepActionData, etag: string, now: Date): Promise<Screen> {
    const answer = data.answer === 'yes' ? 'yes' : data.answer === 'no' ? 'no' : undefined;
    if (!answer) return { kind: 'step', draft, errors: { atRisk: 'Answer yes or no. This is required.' } };
    let answered = takeAnswers(draft, 'risk', { ...data, atRisk: answer }, now);
    if (answer === 'no') return this.moveAndSave(answered, 'risk', { kind: 'next' }, etag);

    const firstTime = !answered.riskRaisedAt;
    if (firstTime) answered = { ...answered, riskRaisedAt: now.toISOString() };
    const saved = await this.deps.stores.drafts.save({ ...answered, step: 'risk' }, etag);
    if (!firstTime || !this.deps.riskAlerts) return { kind: 'step', draft: saved.value };
    // Whom the alert reached is kept with the draft, so every later view of it tells the truth.
    const alerted = await this.deps.riskAlerts.raise(saved.value);
    const told = { ...saved.value, riskAlerted: alerted };
    try {
      return { kind: 'step', draft: (await this.deps.stores.drafts.save(told, saved.etag)).value };
    } catch (e) {
      // Another press saved meanwhile: this card still says who was alerted; later ones say what is safe.
      if (e instanceof ConflictError) return { kind: 'step', draft: told };
      throw e;
    }
  }

  private async submit(draft: ReportDraft, now: Date): Promise<Screen> {
    const facts = parseReport(draft, now);
    if (!facts.ok) {
      const saved = await this.deps.stores.drafts.save({ ...draft, step: facts.error.step, editingFromReview: true }, await this.etagOf(draft));
      return {
        kind: 'step',
        draft: saved.value,
        errors: facts.error.errors,
        notice: { tone: 'attention', text: 'Not sent yet: please fix the answer below, then press Next to go back to the summary.' },
      };
    }
    const outcome = await this.deps.stores.incidents.submit(incidentFromDraft(draft, facts.value, now), {
      aadObjectId: draft.reporter.aadObjectId,
      name: draft.reporter.name,
    });
    if (outcome.created) this.deps.submitted?.(outcome.incident);
    // The incident is stored whole; removing the draft is tidying up and may safely fail. Who
    // reviews it is asked meanwhile, while routing (just set off) is reading the same roles.
    const [, reviewers] = await Promise.all([
      this.deps.stores.drafts.remove(draft.practiceId, draft.reporter.aadObjectId).catch(() => undefined),
      this.whoReviews(draft.practiceId),
    ]);
    return {
      kind: 'submitted',
      incident: outcome.incident,
      alreadySubmitted: !outcome.created,
      ...reviewers,
      ...(draft.riskAlerted ? { riskAlerted: draft.riskAlerted } : {}),
    };
  }

  private async whoReviews(practiceId: string): Promise<{ reviewers?: Reviewers }> {
    return this.deps.riskAlerts ? { reviewers: await this.deps.riskAlerts.reviewers(practiceId) } : {};
  }

  private async etagOf(draft: ReportDraft): Promise<string> {
    const current = await this.deps.stores.drafts.get(draft.practiceId, draft.reporter.aadObjectId);
    if (!current || current.value.id !== draft.id) throw new ConflictError('draft changed');
    return current.etag;
  }

  private async notCurrentDraft(
    practiceId: string,
    reporter: Reporter,
    draftId: string,
    current: Stored<ReportDraft> | undefined,
  ): Promise<Screen> {
    const incident = await this.deps.stores.incidents.findByDraft(practiceId, draftId);
    // Only the person who reported it sees it again (the card's data is never trusted on its own).
    if (incident && incident.reporter.aadObjectId === reporter.aadObjectId) {
      return { kind: 'submitted', incident, alreadySubmitted: true, ...(await this.whoReviews(practiceId)) };
    }
    if (current) {
      return {
        kind: 'step',
        draft: current.value,
        notice: { tone: 'default', text: 'That card belonged to an earlier report. Here is the report you have open now.' },
      };
    }
    return {
      kind: 'notice',
      title: 'This report is no longer open',
      text: 'It was cancelled, or it was left unfinished for more than 7 days. Nothing from it was sent to the practice manager.',
      offerNewReport: true,
    };
  }

  /** How many more screenshots the person's open report can take; undefined when none is open. */
  async screenshotRoom(practiceId: string, reporter: Reporter): Promise<number | undefined> {
    const draft = await this.deps.stores.drafts.get(practiceId, reporter.aadObjectId);
    return draft ? Math.max(0, MAX_SCREENSHOTS - draft.value.evidence.length) : undefined;
  }

  /** Screenshots sent in the chat while a report is open are kept with that report. */
  async addScreenshots(
    practiceId: string,
    reporter: Reporter,
    files: Array<{ fileName: string; contentType: string; bytes: Buffer }>,
  ): Promise<{ kind: 'no-draft' } | { kind: 'too-many' } | { kind: 'saved'; draft: ReportDraft; saved: EvidenceFile[] }> {
    const { drafts, evidence } = this.deps.stores;
    const first = await drafts.get(practiceId, reporter.aadObjectId);
    if (!first) return { kind: 'no-draft' };
    if (first.value.evidence.length + files.length > MAX_SCREENSHOTS) return { kind: 'too-many' };

    const now = this.deps.now();
    const saved: EvidenceFile[] = [];
    for (const file of files) {
      saved.push(await evidence.put({ practiceId, draftId: first.value.id, ...file, receivedAt: now }));
    }
    // Another press saved the draft meanwhile: add the screenshots to what is there now.
    return retryOnConflict({ attempts: CONFLICT_ATTEMPTS }, async (attempt) => {
      const current = attempt === 0 ? first : await drafts.get(practiceId, reporter.aadObjectId);
      if (!current || current.value.id !== first.value.id) return { kind: 'no-draft' };
      const known = new Set(current.value.evidence.map((f) => f.sha256));
      const added = saved.filter((f) => !known.has(f.sha256));
      const draft = { ...current.value, evidence: [...current.value.evidence, ...added], updatedAt: now.toISOString() };
      const stored = await drafts.save(draft, current.etag);
      return { kind: 'saved', draft: stored.value, saved };
    });
  }

  async rememberCard(practiceId: string, reporter: Reporter, draftId: string, cardActivityId: string): Promise<void> {
    const current = await this.deps.stores.drafts.get(practiceId, reporter.aadObjectId);
    if (!current || current.value.id !== draftId || current.value.cardActivityId === cardActivityId) return;
    await this.deps.stores.drafts.save({ ...current.value, cardActivityId }, current.etag).catch((e: unknown) => {
      if (!(e instanceof ConflictError)) throw e; // a newer save won; the card id is only a convenience
    });
  }
}

/** A press on an open report, once the draft it names is found to be the person's own and current. */
interface DraftPress {
  practiceId: string;
  reporter: Reporter;
  draft: ReportDraft;
  step: StepId;
  data: StepActionData;
  etag: string;
  now: Date;
}

function hasAnswersFor(step: StepId, data: StepActionData): boolean {
  return STEP_FIELDS[step].some((field) => data[field] !== undefined);
}

function staleCard(): Screen {
  return {
    kind: 'notice',
    title: 'This card is out of date',
    text: 'Type "report a post" to carry on with your report.',
    offerNewReport: true,
  };
}

