import { randomUUID } from 'node:crypto';
import { AuditCheck } from './app/auditCheck.ts';
import { AuditSealJob } from './app/auditSeal.ts';
import { Deciding } from './app/deciding.ts';
import { Membership } from './app/membership.ts';
import { OutboxWorker, type DirectDelivery, type Sender } from './app/outbox.ts';
import { sendRefusedForGood } from './app/undelivered.ts';
import { PracticeSetup } from './app/practiceSetup.ts';
import { PrivateDelivery } from './app/privateDelivery.ts';
import { Register, Summary } from './app/register.ts';
import { RegisterExport } from './app/registerExport.ts';
import { Records } from './app/records.ts';
import { Reminders } from './app/reminders.ts';
import { RetentionJob } from './app/retention.ts';
import { Reporting } from './app/reporting.ts';
import { SubjectAccess } from './app/subjectAccess.ts';
import { Triage } from './app/triage.ts';
import { IncidentCards } from './presenters/incidentCards.ts';
import { PostwatchBot } from './bot/PostwatchBot.ts';
import { EvidenceLinks } from './bot/evidenceLinks.ts';
import { systemNetwork, type Network } from './bot/download/network.ts';
import { DEFAULT_LIMITS, SafeFetch, type DownloadLimits } from './bot/download/safeFetch.ts';
import type { PrivateChats } from './bot/privateChat.ts';
import type { Config } from './config.ts';
import { practiceById } from './domain/practice.ts';
import { describeError, type Logger } from './log.ts';
import { RETENTION_RULES } from './policy/retention.ts';
import type { Stores } from './store/ports.ts';
import { plainText } from './views/plainText.ts';

/**
 * The services and the bot, wired once. server.ts adds HTTP (restify, CloudAdapter) around this;
 * the bot-level tests use it directly with botbuilder's TestAdapter.
 */
export interface Services {
  bot: PostwatchBot;
  reporting: Reporting;
  triage: Triage;
  deciding: Deciding;
  outbox: OutboxWorker;
  reminders: Reminders;
  retention: RetentionJob;
  seals: AuditSealJob;
  registerExport: RegisterExport;
  subjectAccess: SubjectAccess;
  links: EvidenceLinks;
  /** Starts the background work: delivering notifications, finishing interrupted routing, purging drafts. */
  startBackground(): void;
  stopBackground(): Promise<void>;
}

export interface ServiceDeps {
  config: Pick<Config, 'practices' | 'policies'> &
    Partial<Pick<Config, 'publicUrl' | 'linkSecret'>> & { bot: Pick<Config['bot'], 'authEnabled'> };
  stores: Stores;
  log: Logger;
  sender: Sender;
  privateChats: PrivateChats;
  now?: () => Date;
  random?: () => number;
  /** Deliver notifications as soon as they are queued (default); tests drive delivery themselves. */
  deliverAtOnce?: boolean;
  /** Screenshot downloads: the system's DNS and TLS unless a test reaches stand-ins on loopback. */
  downloads?: DownloadOptions;
}

export interface DownloadOptions {
  network?: Network;
  limits?: Partial<DownloadLimits>;
}

export function createServices(deps: ServiceDeps): Services {
  const { config, stores, log } = deps;
  const now = deps.now ?? (() => new Date());
  const practice = (id: string) => practiceById(config.practices, id);
  let outbox: OutboxWorker | undefined;
  const queued = () => {
    if (deps.deliverAtOnce !== false) outbox?.nudge();
  };

  // A new incident's cards and a decision's news go out from this process at once (tests that drive delivery get passes only).
  const direct: DirectDelivery | undefined = deps.deliverAtOnce !== false ? { claim: () => outbox!.claim(), deliver: (items, known) => outbox?.deliver(items, known) } : undefined;
  const triage = new Triage({ stores, practices: practice, policies: config.policies, now, log, queued, ...(direct ? { direct } : {}) });
  const deciding = new Deciding({ stores, practices: practice, policies: config.policies, now, queued, log, ...(direct ? { direct } : {}) });
  const reporting = new Reporting({
    stores,
    now,
    newId: randomUUID,
    riskAlerts: triage,
    // Triage (grading, and the cards to who decides) happens after the reporter has their confirmation; the sweep finishes it after a crash.
    submitted: (incident) =>
      void triage.route(incident.practiceId, incident.reference, incident).catch((error: unknown) => {
        log.warn({ ...describeError(error), reference: incident.reference }, 'routing deferred to the sweep');
      }),
  });
  const incidentCards = new IncidentCards(stores, deciding, practice, now);
  const reminders = new Reminders({ stores, practices: practice, practiceIds: () => config.practices.practices.map((p) => p.id), now, log, instanceId: randomUUID(), queued });
  const retention = new RetentionJob({ stores, rules: RETENTION_RULES, now, log, instanceId: randomUUID() });
  const registerExport = new RegisterExport(stores, now);
  const subjectAccess = new SubjectAccess(stores, now, queued);
  const seals = new AuditSealJob({ stores, practices: () => config.practices.practices, now, log, instanceId: randomUUID(), queued });
  const privately = new PrivateDelivery({ stores, now, queued });
  const links = new EvidenceLinks(config.linkSecret, config.publicUrl ?? 'http://127.0.0.1:3978');
  outbox = new OutboxWorker({
    outbox: stores.outbox,
    sender: deps.sender,
    render: (item, reads) => incidentCards.render(item, reads),
    digest: (items, reads) => incidentCards.digest(items, reads),
    now,
    log,
    refusedForGood: (item) => sendRefusedForGood({ stores, now, log, queued }, item),
    ...(deps.random ? { random: deps.random } : {}),
  });
  const bot = new PostwatchBot({
    reporting,
    deciding,
    setup: new PracticeSetup(stores),
    register: new Register(stores, now),
    summary: new Summary(stores, now),
    links,
    auditCheck: new AuditCheck(stores, now, log, queued),
    records: new Records(stores, retention, now, plainText, deciding.refusals),
    registerExport,
    subjectAccess,
    privateLink: (practiceId, aad, reference, url, expiresAt) => privately.evidencePackLink(practiceId, aad, reference, url, expiresAt),
    openPrivately: (practiceId, aad, reference, view) => privately.incidentCard(practiceId, aad, reference, view),
    now,
    incidentCards,
    chats: stores.practices,
    membership: new Membership(config.practices, stores.memberships, now),
    privateChats: deps.privateChats,
    log,
    authEnabled: config.bot.authEnabled,
    downloads: new SafeFetch(deps.downloads?.network ?? systemNetwork, { ...DEFAULT_LIMITS, ...deps.downloads?.limits }),
  });

  const timers: NodeJS.Timeout[] = [];
  const every = (ms: number, work: () => Promise<unknown>, what: string) => {
    const timer = setInterval(() => void work().catch((error: unknown) => log.warn({ ...describeError(error) }, `${what} failed`)), ms);
    timer.unref();
    timers.push(timer);
  };

  return {
    bot,
    reporting,
    triage,
    deciding,
    outbox,
    reminders,
    retention,
    seals,
    registerExport,
    subjectAccess,
    links,
    startBackground() {
      outbox!.start(2_000);
      every(60_000, () => reminders.run(), 'reminders');
      every(30_000, () => triage.sweep(), 'routing sweep');
      every(60 * 60_000, () => stores.drafts.purgeExpired(now()), 'draft purge');
      every(60 * 60_000, () => stores.leases.purgeUsed(now()), 'used link purge');
      // Subject access deadlines, like overdue tasks (each reminder has a fixed id: sent once).
      every(60 * 60_000, () => subjectAccess.remind(config.practices.practices), 'subject access reminders');
      // Records duties once a day, deletions first so the seal covers their tombstones (each under a
      // lease: of several instances one does it).
      const daily = () => retention.run().then(() => seals.run());
      every(24 * 60 * 60_000, daily, 'retention and audit seal');
      const first = setTimeout(() => void daily().catch((error: unknown) => log.warn({ ...describeError(error) }, 'retention and audit seal failed')), 5 * 60_000);
      first.unref();
      timers.push(first);
      void triage.sweep().catch(() => undefined);
    },
    async stopBackground() {
      timers.forEach(clearInterval);
      await outbox!.stop();
    },
  };
}
