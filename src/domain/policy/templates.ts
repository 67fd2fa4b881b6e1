import { err, ok, type Result } from '../result.ts';
import { PLACEHOLDER, TEMPLATE_PLACEHOLDERS, type Policy, type TemplatePlaceholder } from './schema.ts';

/**
 * Reply templates are filled by plain substitution of `{{practiceName}}`, `{{practicePhone}}` and
 * `{{practiceEmail}}`: one pass, no expressions, no functions, nothing in a value is ever read as a
 * placeholder in turn. Values are configuration, but are still flattened to one line.
 */

export type TemplateValues = Record<TemplatePlaceholder, string>;

export function renderTemplate(template: string, values: Partial<TemplateValues>): Result<string, string[]> {
  const missing: string[] = [];
  const text = template.replace(PLACEHOLDER, (whole, name: string) => {
    if (!(TEMPLATE_PLACEHOLDERS as readonly string[]).includes(name)) {
      missing.push(`unknown placeholder {{${name}}}`);
      return whole;
    }
    const value = values[name as TemplatePlaceholder];
    if (value === undefined || value.trim() === '') {
      missing.push(`no value for {{${name}}}`);
      return whole;
    }
    return flatten(value);
  });
  return missing.length > 0 ? err([...new Set(missing)]) : ok(text);
}

export function renderReplyTemplate(policy: Policy, templateId: string, values: Partial<TemplateValues>): Result<string, string[]> {
  const template = policy.templates.find((t) => t.id === templateId);
  if (!template) return err([`no template "${templateId}"`]);
  return renderTemplate(template.text, values);
}

/** Contact details a practice may not have configured: their clause is dropped, not left broken. */
const OPTIONAL_CONTACTS: readonly TemplatePlaceholder[] = ['practicePhone', 'practiceEmail'];
const LEAD_IN = String.raw`(?:\b(?:on|at|via|by|call|email|e-mail|phone|ring)\s+)?`;

/**
 * A reply draft from a template: like renderReplyTemplate, but a contact detail the practice has
 * not given drops its clause ("on {{practicePhone}} or " / " or at {{practiceEmail}}") instead of
 * leaving "contact us directly on the surgery or at the practice". The practice's name is required.
 */
export function renderReplyDraft(policy: Policy, templateId: string, values: Partial<TemplateValues>): Result<string, string[]> {
  const template = policy.templates.find((t) => t.id === templateId);
  if (!template) return err([`no template "${templateId}"`]);
  const given = OPTIONAL_CONTACTS.filter((name) => values[name]?.trim());
  return renderTemplate(withoutContactClauses(template.text, given), values);
}

/** Templates whose text is posted in public as a reply (the others are private messages to the author). */
export const PUBLIC_REPLY_TEMPLATES: readonly string[] = ['public-reply', 'medical-help-reply'];

/**
 * A template's text with the clause of each optional contact not in `given` dropped ("on
 * {{practicePhone}} or " / " or at {{practiceEmail}}"); the other placeholders are left as they are.
 * Every such variant is as approved as the template itself (domain/policy/guard.ts).
 */
export function withoutContactClauses(templateText: string, given: readonly TemplatePlaceholder[]): string {
  let text = templateText;
  for (const name of OPTIONAL_CONTACTS) {
    if (given.includes(name)) continue;
    const slot = String.raw`\{\{${name}\}\}`;
    // "on {{x}} or at {{y}}": drop "on {{x}} or " so what follows joins on; else drop " or at {{x}}".
    text = text.replace(new RegExp(`${LEAD_IN}${slot}\\s+(?:or|and)\\s+`, 'g'), '');
    text = text.replace(new RegExp(String.raw`\s*(?:\b(?:or|and)\s+)?${LEAD_IN}${slot}`, 'g'), '');
  }
  // A request left with nothing to ask ("resolve them: please.") ends where the request began.
  return text.replace(/:\s*please\s*(?=[.!])/gi, '').replace(/\s+([.,!])/g, '$1');
}

/** Every way a template can read: with each combination of optional contacts dropped. */
export function contactVariants(templateText: string): string[] {
  const combos: TemplatePlaceholder[][] = [[...OPTIONAL_CONTACTS], ['practicePhone'], ['practiceEmail'], []];
  return [...new Set(combos.map((given) => withoutContactClauses(templateText, given)))];
}

function flatten(value: string): string {
  // Control characters and line breaks would let a value change the shape of the message.
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}
