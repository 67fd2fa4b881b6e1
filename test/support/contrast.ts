import type { Json } from './cardChecks.ts';

/**
 * Text contrast of a card as Teams draws it, in its three themes. Light and dark are Microsoft's
 * published Teams host configs (microsoft/AdaptiveCards, samples/HostConfig/microsoft-teams-light.json
 * and microsoft-teams-dark.json: container backgrounds and foreground colours, "#AARRGGBB" with
 * alpha). High contrast is Teams' high-contrast theme (Fluent UI): every container black, text
 * white, with yellow #FFFF01, green #3FF23F and cyan #1AEBFF for the named colours. A TextBlock's
 * colour is its container's foreground for its `color` and `isSubtle`, blended over the container's
 * background; WCAG 2.1 AA asks 4.5:1 for normal text.
 */

type Colour = 'default' | 'dark' | 'light' | 'accent' | 'good' | 'warning' | 'attention';
type Style = 'default' | 'emphasis' | 'accent' | 'good' | 'attention' | 'warning';
interface StylePalette {
  background: string;
  foreground: Record<Colour, { default: string; subtle: string }>;
}
export type Theme = 'light' | 'dark' | 'high contrast';

const LIGHT_FG: StylePalette['foreground'] = {
  default: { default: '#ff252424', subtle: '#bf252424' },
  dark: { default: '#252424', subtle: '#bf252424' },
  light: { default: '#ffffff', subtle: '#fff3f2f1' },
  accent: { default: '#6264a7', subtle: '#8b8cc7' },
  good: { default: '#92c353', subtle: '#e592c353' },
  warning: { default: '#f8d22a', subtle: '#e5f8d22a' },
  attention: { default: '#c4314b', subtle: '#e5c4314b' },
};
const DARK_ON_DARK: StylePalette['foreground'] = {
  default: { default: '#ffffffff', subtle: '#bfffffff' },
  dark: { default: '#ff201f1f', subtle: '#ff2d2c2c' },
  light: { default: '#ffffffff', subtle: '#bfffffff' },
  accent: { default: '#ffa6a7dc', subtle: '#ff8b8cc7' },
  good: { default: '#ff92c353', subtle: '#e592c353' },
  warning: { default: '#fff8d22a', subtle: '#e5f8d22a' },
  attention: { default: '#ffd74654', subtle: '#e5d74654' },
};
/** Dark theme, on the pale accent/good/attention/warning containers: dark default text. */
const DARK_ON_PALE: StylePalette['foreground'] = { ...DARK_ON_DARK, default: { default: '#ff201f1f', subtle: '#ff2d2c2c' } };
const HC_FG: StylePalette['foreground'] = {
  default: { default: '#ffffff', subtle: '#ffffff' },
  dark: { default: '#ffffff', subtle: '#ffffff' },
  light: { default: '#ffffff', subtle: '#ffffff' },
  accent: { default: '#1aebff', subtle: '#1aebff' },
  good: { default: '#3ff23f', subtle: '#3ff23f' },
  warning: { default: '#ffff01', subtle: '#ffff01' },
  attention: { default: '#ffff01', subtle: '#ffff01' },
};

export const TEAMS_THEMES: Record<Theme, Record<Style, StylePalette>> = {
  light: {
    default: { background: '#ffffff', foreground: LIGHT_FG },
    emphasis: { background: '#fff9f8f7', foreground: LIGHT_FG },
    accent: { background: '#C7DEF9', foreground: LIGHT_FG },
    good: { background: '#CCFFCC', foreground: LIGHT_FG },
    attention: { background: '#FFC5B2', foreground: LIGHT_FG },
    warning: { background: '#FFE2B2', foreground: LIGHT_FG },
  },
  dark: {
    default: { background: '#ff2d2c2c', foreground: DARK_ON_DARK },
    emphasis: { background: '#ff292828', foreground: DARK_ON_DARK },
    accent: { background: '#C7DEF9', foreground: DARK_ON_PALE },
    good: { background: '#CCFFCC', foreground: DARK_ON_PALE },
    attention: { background: '#FFC5B2', foreground: DARK_ON_PALE },
    warning: { background: '#FFE2B2', foreground: DARK_ON_PALE },
  },
  'high contrast': {
    default: { background: '#000000', foreground: HC_FG },
    emphasis: { background: '#000000', foreground: HC_FG },
    accent: { background: '#000000', foreground: HC_FG },
    good: { background: '#000000', foreground: HC_FG },
    attention: { background: '#000000', foreground: HC_FG },
    warning: { background: '#000000', foreground: HC_FG },
  },
};

export const WCAG_AA = 4.5;

/** [r, g, b, a] from "#RRGGBB" or "#AARRGGBB". */
function parse(hex: string): [number, number, number, number] {
  const h = hex.replace('#', '');
  const [a, rgb] = h.length === 8 ? [parseInt(h.slice(0, 2), 16) / 255, h.slice(2)] : [1, h];
  return [parseInt(rgb.slice(0, 2), 16), parseInt(rgb.slice(2, 4), 16), parseInt(rgb.slice(4, 6), 16), a];
}

function luminance([r, g, b]: readonly number[]): number {
  const lin = (c: number) => {
    const s = c / 255;
    return s <= 0.03928 ? s / 12.92 : ((s + 0.055) / 1.055) ** 2.4;
  };
  return 0.2126 * lin(r!) + 0.7152 * lin(g!) + 0.0722 * lin(b!);
}

export function contrast(foreground: string, background: string): number {
  const bg = parse(background);
  const fg = parse(foreground);
  const shown = [0, 1, 2].map((i) => fg[i]! * fg[3] + bg[i]! * (1 - fg[3]));
  const [hi, lo] = [luminance(shown), luminance(bg)].sort((x, y) => y - x) as [number, number];
  return (hi + 0.05) / (lo + 0.05);
}

export interface TextColour {
  theme: Theme;
  style: Style;
  colour: Colour;
  subtle: boolean;
  ratio: number;
  text: string;
}

/** Every text on the card (TextBlocks and FactSets, ShowCards included), with its contrast in each theme. */
export function textColours(card: Json): TextColour[] {
  const found: TextColour[] = [];
  const visit = (node: unknown, style: Style): void => {
    if (Array.isArray(node)) return node.forEach((n) => visit(n, style));
    if (!node || typeof node !== 'object') return;
    const obj = node as Json;
    const own = typeof obj.style === 'string' && obj.type !== 'TextBlock' && obj.type !== 'Input.ChoiceSet' ? (obj.style.toLowerCase() as Style) : style;
    if (obj.type === 'TextBlock') add(String(obj.text), own, String(obj.color ?? 'default').toLowerCase() as Colour, obj.isSubtle === true);
    if (obj.type === 'FactSet') for (const f of (obj.facts as Array<{ title: string; value: string }>) ?? []) add(`${f.title}: ${f.value}`, own, 'default', false);
    for (const [key, value] of Object.entries(obj)) {
      // Teams draws an opened ShowCard in the emphasis style (host config actions.showCard.style).
      if (key === 'card' && obj.type === 'Action.ShowCard') visit(value, 'emphasis');
      else if (key !== 'refresh') visit(value, own);
    }
  };
  const add = (text: string, style: Style, colour: Colour, subtle: boolean) => {
    for (const theme of Object.keys(TEAMS_THEMES) as Theme[]) {
      const palette = TEAMS_THEMES[theme][style];
      if (!palette) throw new Error(`unknown container style "${style}"`);
      const fg = palette.foreground[colour];
      if (!fg) throw new Error(`unknown colour "${colour}"`);
      found.push({ theme, style, colour, subtle, ratio: contrast(subtle ? fg.subtle : fg.default, palette.background), text });
    }
  };
  visit(card, 'default');
  return found;
}

/** Texts below 4.5:1 in any Teams theme, readably. */
export function contrastFailures(card: Json): string[] {
  return textColours(card)
    .filter((t) => t.ratio < WCAG_AA)
    .map((t) => `${t.theme}: ${t.colour}${t.subtle ? ' (subtle)' : ''} text on ${t.style} is ${t.ratio.toFixed(2)}:1 — "${t.text.slice(0, 60)}"`);
}
