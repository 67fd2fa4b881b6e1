/**
 * Helpers for table entities: safe keys and long text split across properties.
 */

/**
 * PartitionKey and RowKey may not contain / \ # ? or control characters. Ids from Teams and
 * configuration normally have none; any that do are percent-encoded (and % itself, so that the
 * encoding can be reversed).
 */
export function key(value: string): string {
  if (value.length === 0) throw new Error('A storage key cannot be empty.');
  return value.replace(
    /[/\\#?%\u0000-\u001f\u007f-\u009f]/g,
    (c) => `%${c.charCodeAt(0).toString(16).toUpperCase().padStart(2, '0')}`,
  );
}

export function unkey(value: string): string {
  return value.replace(/%([0-9A-F]{2})/g, (_, hex: string) => String.fromCharCode(parseInt(hex, 16)));
}

/** A string property holds at most 32K UTF-16 characters (64 KiB); keep each part well under. */
export const TEXT_PART_LENGTH = 15_000;

/** Stores `text` in `name`, `name_1`, `name_2`... (an entity holds up to 1 MiB in all). */
export function putText(entity: Record<string, unknown>, name: string, text: string): void {
  let rest = text;
  let index = 0;
  do {
    let cut = Math.min(rest.length, TEXT_PART_LENGTH);
    // Never split a surrogate pair: half a character would not survive the trip to storage.
    if (cut < rest.length && isHighSurrogate(rest.charCodeAt(cut - 1))) cut -= 1;
    entity[index === 0 ? name : `${name}_${index}`] = rest.slice(0, cut);
    rest = rest.slice(cut);
    index += 1;
  } while (rest.length > 0);
}

export function getText(entity: Record<string, unknown>, name: string): string | undefined {
  const first = entity[name];
  if (typeof first !== 'string') return undefined;
  let text = first;
  for (let index = 1; ; index++) {
    const part = entity[`${name}_${index}`];
    if (typeof part !== 'string') return text;
    text += part;
  }
}

/**
 * Stores a value as JSON in `name` (split like putText). Non-ASCII characters are written as
 * \uXXXX escapes: Azurite (3.35) decodes a single-entity request body chunk by chunk, so a
 * multi-byte character straddling a 64 KiB boundary of a large body is corrupted; an ASCII body
 * cannot be. Azure itself does not need this, and JSON.parse reads it back unchanged.
 */
export function putJson(entity: Record<string, unknown>, name: string, value: unknown): void {
  putText(entity, name, asciiJson(value));
}

export function getJson<T>(entity: Record<string, unknown>, name: string): T | undefined {
  const text = getText(entity, name);
  return text === undefined ? undefined : (JSON.parse(text) as T);
}

export function asciiJson(value: unknown): string {
  return JSON.stringify(value).replace(
    /[\u007f-\uffff]/g,
    (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`,
  );
}

function isHighSurrogate(code: number): boolean {
  return code >= 0xd800 && code <= 0xdbff;
}

export function stringProp(entity: Record<string, unknown>, name: string): string {
  const value = entity[name];
  if (typeof value !== 'string') throw new Error(`Stored entity has no ${name}.`);
  return value;
}

export function numberProp(entity: Record<string, unknown>, name: string): number {
  const value = entity[name];
  if (typeof value !== 'number' || !Number.isFinite(value)) throw new Error(`Stored entity has no ${name}.`);
  return value;
}

export function etagOf(entity: { etag?: unknown }): string {
  if (typeof entity.etag !== 'string' || entity.etag.length === 0) throw new Error('Storage returned no ETag.');
  return entity.etag;
}
