/**
 * Reads shared by the items of one delivery pass: the review channel's and each decider's copy of
 * a new incident's card read the incident and the roles once. A pass is a moment: anything that
 * changes later queues its own card update, drawn by a later pass.
 */
export type PassReads = <T>(key: string, read: () => Promise<T>) => Promise<T>;

/** The keys of the reads a pass shares, so that a use case can hand over what it has just read. */
export const PASS_KEYS = {
  incident: (practiceId: string, reference: string) => `incident|${practiceId}|${reference}`,
  roles: (practiceId: string) => `roles|${practiceId}`,
};

/** `known`: reads already made (the incident as just stored, the roles it was routed with). */
export function passReads(known: ReadonlyMap<string, unknown> = new Map()): PassReads {
  const reads = new Map<string, Promise<unknown>>([...known].map(([k, v]) => [k, Promise.resolve(v)]));
  return <T>(key: string, read: () => Promise<T>): Promise<T> => {
    let pending = reads.get(key) as Promise<T> | undefined;
    if (!pending) {
      pending = read();
      reads.set(key, pending);
    }
    return pending;
  };
}
