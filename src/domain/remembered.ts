/**
 * One rule for the small in-process caches of worked-out answers (compiled patterns, formatted
 * times, reviews): an answer is worked out once per key and kept in a map that is emptied when it
 * holds `limit` answers, so memory stays bounded whatever the keys, with no clock or timer.
 * For answers that depend only on the key: nothing here expires by time.
 */
export function remembered<K, V>(cache: Map<K, V>, key: K, limit: number, work: () => V): V {
  const known = cache.get(key);
  if (known !== undefined) return known;
  const value = work();
  if (cache.size >= limit) cache.clear();
  cache.set(key, value);
  return value;
}
