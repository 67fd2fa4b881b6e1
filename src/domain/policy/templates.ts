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

function flatten(value: string): string {
  // Control characters and line breaks would let a value change the shape of the message.
  return value.replace(/[\u0000-\u001f\u007f]+/g, ' ').replace(/\s+/g, ' ').trim();
}
