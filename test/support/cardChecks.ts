import * as AC from 'adaptivecards';
import { plainText } from '../../src/views/plainText.ts';
import { DIGEST_VERBS, INCIDENT_VERBS, REGISTER_VERBS, VERBS } from '../../src/contract/cards.ts';

/**
 * What every card must satisfy, shared by the card tests: it parses and validates with the
 * adaptivecards library (ShowCard sub-cards included), is 1.5 or lower, under 28 KB, has every
 * input labelled, nothing left unexpanded, and actions that follow the verb contracts. The one
 * Action.OpenUrl allowed anywhere is the evidence pack's download link, on a card of its own.
 */

export type Json = Record<string, unknown>;

export const TEAMS_MAX_BYTES = 28 * 1024;
/** Teams refreshes a card for at most 60 users. */
export const TEAMS_MAX_REFRESH_USERS = 60;

const REPORT_VERBS = new Set<string>(Object.values(VERBS));
const REPORT_DATA_KEYS = new Set(['draftId', 'step', 'editStep', 'answer']);
const INCIDENT_VERB_SET = new Set<string>(Object.values(INCIDENT_VERBS));
export const INCIDENT_DATA_KEYS = ['practiceId', 'reference', 'version'] as const;
/** incident.taskDone names the task too. */
export const TASK_DATA_KEYS = [...INCIDENT_DATA_KEYS, 'taskId'] as const;
const REGISTER_VERB_SET = new Set<string>(Object.values(REGISTER_VERBS));
/**
 * Action types the cards may use: Execute (Universal Actions), ShowCard (works with them in Teams)
 * and ToggleVisibility (the incident card's "Show all" sections: nothing leaves the client).
 */
const ACTION_TYPES = new Set(['Action.Execute', 'Action.ShowCard', 'Action.ToggleVisibility']);
/** The evidence pack's download link: the only Action.OpenUrl, and only on the evidence pack card. */
export const DOWNLOAD_ACTION = { id: 'download-evidence-pack', title: 'Download evidence pack' } as const;

export function bytes(card: object): number {
  return Buffer.byteLength(JSON.stringify(card), 'utf8');
}

/** Every object in the card, depth first, in document order. */
export function walk(node: unknown, visit: (obj: Json, path: string) => void, path = '$'): void {
  if (Array.isArray(node)) node.forEach((item, i) => walk(item, visit, `${path}[${i}]`));
  else if (node && typeof node === 'object') {
    visit(node as Json, path);
    for (const [key, value] of Object.entries(node)) walk(value, visit, `${path}.${key}`);
  }
}

export function strings(node: unknown, out: string[] = []): string[] {
  if (typeof node === 'string') out.push(node);
  else if (Array.isArray(node)) node.forEach((n) => strings(n, out));
  else if (node && typeof node === 'object') Object.values(node).forEach((n) => strings(n, out));
  return out;
}

/**
 * All problems with a card, as readable strings (empty = good). `userText` lists what people typed
 * into this card's data: a `${` inside one of those is theirs, not a template left unexpanded.
 */
export function problems(card: Json, opts: { userText?: readonly string[]; openUrl?: string } = {}): string[] {
  const found: string[] = [];
  const version = card.version;
  if (typeof version !== 'string' || !/^\d+\.\d+$/.test(version)) found.push(`version missing or malformed: ${String(version)}`);
  else if (Number(version) > 1.5) found.push(`version ${version} is above what Teams renders (1.5)`);
  if (card.type !== 'AdaptiveCard') found.push('not an AdaptiveCard');

  const ac = new AC.AdaptiveCard();
  const ctx = new AC.SerializationContext();
  ac.parse(card, ctx);
  for (let i = 0; i < ctx.eventCount; i++) {
    const message = ctx.getEventAt(i).message;
    if (!isTeamsChartWithFallback(card, message)) found.push(`parse: ${message}`);
  }
  for (const e of ac.validateProperties().validationEvents) found.push(`validate: ${e.message}`);

  const size = bytes(card);
  if (size >= TEAMS_MAX_BYTES) found.push(`card is ${size} bytes, Teams takes under ${TEAMS_MAX_BYTES}`);

  let userText = strings(opts.userText ?? []);
  userText = [...userText, ...userText.map((t) => plainText(t))];
  for (const s of strings(card)) {
    let rest = s;
    for (const t of userText) if (t.includes('${')) rest = rest.split(t).join('');
    // A shortened user text can stop part-way through its own "${...}": each expression left
    // (up to its "}", or to a shortening mark) must then be one that someone typed.
    const left = [...rest.matchAll(/\$\{/g)].some((m) => {
      const expression = /^\$\{[^}]*\}?/.exec(rest.slice(m.index).split('…')[0]!)![0];
      return !userText.some((t) => t.includes(expression));
    });
    if (left) found.push(`unexpanded template text: ${s.slice(0, 80)}`);
  }

  if (card.refresh !== undefined) found.push(...refreshProblems(card.refresh));

  walk(card, (obj, path) => {
    const type = typeof obj.type === 'string' ? obj.type : '';
    if (type.startsWith('Input.')) {
      if (typeof obj.label !== 'string' || obj.label.trim() === '') found.push(`${path}: input ${String(obj.id)} has no label`);
      // A required input says so once: "(required)" in its label, checked on the server. isRequired
      // would make Teams add its own asterisk (and validate before Back or Cancel could be pressed).
      const required = obj.isRequired !== undefined && obj.isRequired !== false;
      const saysRequired = typeof obj.label === 'string' && obj.label.includes('(required)');
      if (required) found.push(`${path}: input ${String(obj.id)} has isRequired (label "${String(obj.label)}"): say "(required)" in the label and check on the server${saysRequired ? '; as it is, it says so twice' : ''}`);
      if (typeof obj.label === 'string' && obj.label.split('(required)').length > 2) found.push(`${path}: input ${String(obj.id)} says "(required)" twice`);
    }
    if (type === 'Action.OpenUrl') found.push(...openUrlProblems(card, obj, path, opts.openUrl));
    else if (type.startsWith('Action.')) {
      if (!ACTION_TYPES.has(type)) found.push(`${path}: ${type} (only Action.Execute, Action.ShowCard and Action.ToggleVisibility are used)`);
    }
    if (type === 'Action.ToggleVisibility') found.push(...toggleProblems(card, obj, path));
    if (type.startsWith('Action.')) {
      if (typeof obj.title !== 'string' || obj.title.trim() === '') found.push(`${path}: action without a title`);
      if (type === 'Action.ShowCard') {
        if (obj.verb !== undefined || obj.data !== undefined) found.push(`${path}: a ShowCard carries no verb or data`);
      } else if (type === 'Action.Execute') found.push(...executeProblems(obj, path));
    }
  });
  return found;
}

/** Teams' chart elements (NOTES: "Charts in Adaptive Cards"); other hosts and this parser do not know them. */
const TEAMS_CHARTS = new Set(['Chart.Donut', 'Chart.Pie', 'Chart.VerticalBar', 'Chart.VerticalBar.Grouped', 'Chart.HorizontalBar', 'Chart.HorizontalBar.Stacked', 'Chart.Line', 'Chart.Gauge']);

/** The parser's "unknown element" for a Teams chart is fine when every such chart falls back to a FactSet or Table. */
function isTeamsChartWithFallback(card: Json, message: string): boolean {
  const type = /^Unknown element type "([^"]+)"\. Fallback will be used if present\.$/.exec(message)?.[1];
  if (!type || !TEAMS_CHARTS.has(type)) return false;
  const charts = elements(card).filter((e) => e.type === type);
  return charts.length > 0 && charts.every((c) => ['FactSet', 'Table'].includes(String((c.fallback as Json | undefined)?.type)));
}

/** A toggle carries no verb or data and shows or hides elements that exist on this card. */
function toggleProblems(card: Json, obj: Json, path: string): string[] {
  const found: string[] = [];
  if (obj.verb !== undefined || obj.data !== undefined) found.push(`${path}: a ToggleVisibility carries no verb or data`);
  const targets = Array.isArray(obj.targetElements) ? obj.targetElements : [];
  if (targets.length === 0) found.push(`${path}: a ToggleVisibility with no target`);
  const ids = new Set(elements(card).map((e) => e.id).filter((id) => typeof id === 'string'));
  for (const t of targets) {
    const id = typeof t === 'string' ? t : (t as Json)?.elementId;
    if (typeof id !== 'string' || !ids.has(id)) found.push(`${path}: toggles "${String(id)}", which is not on the card`);
  }
  return found;
}

/**
 * The evidence pack's download link may be an Action.OpenUrl: by its id and title, as the card's
 * own action (not in a ShowCard or the body), to an absolute http(s) URL (the one expected, when
 * given), on a card with no inputs, no other actions and no refresh. Anything else is refused.
 */
function openUrlProblems(card: Json, obj: Json, path: string, expected: string | undefined): string[] {
  if (obj.id !== DOWNLOAD_ACTION.id || obj.title !== DOWNLOAD_ACTION.title) {
    return [`${path}: Action.OpenUrl (only Action.Execute and Action.ShowCard are used, and the evidence pack's download link)`];
  }
  const found: string[] = [];
  if (!/^\$\.actions\[\d+\]$/.test(path)) found.push(`${path}: the download link is not one of the card's own actions`);
  const url = typeof obj.url === 'string' ? obj.url : '';
  let parsed: URL | undefined;
  try {
    parsed = new URL(url);
  } catch {
    found.push(`${path}: the download link is not an absolute URL`);
  }
  if (parsed && parsed.protocol !== 'https:' && parsed.protocol !== 'http:') found.push(`${path}: the download link is not http(s)`);
  if (expected !== undefined && url !== expected) found.push(`${path}: the download link is not the one the bot issued`);
  const others = elements(card).filter((e) => e !== obj && (String(e.type).startsWith('Action.') || String(e.type).startsWith('Input.')));
  if (others.length > 0 || card.refresh !== undefined) found.push(`${path}: the download link is only allowed on the evidence pack card (no inputs, other actions or refresh)`);
  return found;
}

/**
 * Report verbs carry { draftId, step, editStep?, answer? } as strings; incident verbs exactly
 * { practiceId, reference, version } (incident.taskDone adds taskId); register.page exactly { page }.
 */
function executeProblems(obj: Json, path: string): string[] {
  const found: string[] = [];
  const verb = typeof obj.verb === 'string' ? obj.verb : '';
  const data = obj.data ?? {};
  if (typeof data !== 'object' || data === null || Array.isArray(data)) return [`${path}: data is not an object`];
  const entries = Object.entries(data);
  if (REPORT_VERBS.has(verb)) {
    for (const [key, value] of entries) {
      if (!REPORT_DATA_KEYS.has(key)) found.push(`${path}: data key ${key} is not allowed`);
      if (typeof value !== 'string') found.push(`${path}: data.${key} is not a string`);
    }
  } else if (INCIDENT_VERB_SET.has(verb)) {
    const keys = Object.keys(data).sort();
    const expected: readonly string[] = verb === INCIDENT_VERBS.taskDone ? TASK_DATA_KEYS : INCIDENT_DATA_KEYS;
    if (keys.join(',') !== [...expected].sort().join(',')) found.push(`${path}: data keys ${keys.join(',')} are not exactly ${expected.join(',')}`);
    const d = data as Json;
    if (verb === INCIDENT_VERBS.taskDone && (typeof d.taskId !== 'string' || d.taskId === '')) found.push(`${path}: data.taskId is not a non-empty string`);
    if (typeof d.practiceId !== 'string' || d.practiceId === '') found.push(`${path}: data.practiceId is not a non-empty string`);
    if (typeof d.reference !== 'string' || d.reference === '') found.push(`${path}: data.reference is not a non-empty string`);
    if (typeof d.version !== 'number' || !Number.isInteger(d.version) || d.version < 0) found.push(`${path}: data.version is not a whole number`);
  } else if (verb === DIGEST_VERBS.open) {
    const d = data as Json;
    if (Object.keys(d).sort().join(',') !== 'practiceId,reference') found.push(`${path}: data keys ${Object.keys(d).join(',')} are not exactly practiceId,reference`);
    if (typeof d.practiceId !== 'string' || d.practiceId === '') found.push(`${path}: data.practiceId is not a non-empty string`);
    if (typeof d.reference !== 'string' || d.reference === '') found.push(`${path}: data.reference is not a non-empty string`);
  } else if (REGISTER_VERB_SET.has(verb)) {
    const d = data as Json;
    if (Object.keys(d).join(',') !== 'page') found.push(`${path}: data keys ${Object.keys(d).join(',')} are not exactly page`);
    if (typeof d.page !== 'number' || !Number.isInteger(d.page) || d.page < 0) found.push(`${path}: data.page is not a whole number`);
  } else found.push(`${path}: unknown verb ${String(obj.verb)}`);
  return found;
}

function refreshProblems(refresh: unknown): string[] {
  if (!refresh || typeof refresh !== 'object') return ['refresh is not an object'];
  const r = refresh as Json;
  const found: string[] = [];
  const action = r.action as Json | undefined;
  if (!action || action.type !== 'Action.Execute' || action.verb !== INCIDENT_VERBS.refresh) found.push('refresh.action is not an Action.Execute with the refresh verb');
  if (r.userIds !== undefined) {
    if (!Array.isArray(r.userIds) || !r.userIds.every((id) => typeof id === 'string' && id !== '')) found.push('refresh.userIds is not a list of user ids');
    else if (r.userIds.length > TEAMS_MAX_REFRESH_USERS) found.push(`refresh.userIds has ${r.userIds.length} ids, Teams takes ${TEAMS_MAX_REFRESH_USERS}`);
  }
  return found;
}

export function elements(card: Json): Json[] {
  const all: Json[] = [];
  walk(card, (obj) => {
    if (typeof obj.type === 'string') all.push(obj);
  });
  return all;
}

export const inputs = (card: Json) => elements(card).filter((e) => String(e.type).startsWith('Input.'));
export const actions = (card: Json) => elements(card).filter((e) => String(e.type).startsWith('Action.'));
export const textBlocks = (card: Json) => elements(card).filter((e) => e.type === 'TextBlock');
export const texts = (card: Json) => textBlocks(card).map((t) => String(t.text));
export const body = (card: Json) => card.body as Json[];
export const shape = (card: Json) => elements(card).map((e) => `${String(e.type)}#${String(e.id ?? '')}`);
export const action = (card: Json, title: string) => actions(card).filter((a) => a.title === title);
export const inputById = (card: Json, id: string) => inputs(card).find((i) => i.id === id);
/** The value of the first fact with this title in any FactSet of the card. */
export const fact = (card: Json, title: string) =>
  elements(card)
    .filter((e) => e.type === 'FactSet')
    .flatMap((f) => f.facts as Array<{ title: string; value: string }>)
    .find((f) => f.title === title)?.value;

/** The array an element sits in, and its index there. */
export function siblings(card: Json, target: Json): { list: unknown[]; index: number } {
  let found: { list: unknown[]; index: number } | undefined;
  const search = (node: unknown): void => {
    if (found) return;
    if (Array.isArray(node)) {
      const i = node.indexOf(target);
      if (i >= 0) found = { list: node, index: i };
      else node.forEach(search);
    } else if (node && typeof node === 'object') Object.values(node).forEach(search);
  };
  search(card);
  if (!found) throw new Error('element not in card');
  return found;
}
