import type { ReplyContext } from '../../../src/domain/policy/guard.ts';

/**
 * The reply guard corpus: drafts a practice manager might really type, labelled by what is wrong
 * with them (or "clean"). Every draft is checked against the same practice and incident: the
 * practice's own number and address are allowed, its approved sentences are the default policy's.
 */

export const BREACH_CLASSES = [
  'relationship',
  'clinical',
  'name',
  'nhs-number',
  'phone',
  'email',
  'address',
  'birth',
] as const;
export type BreachClass = (typeof BREACH_CLASSES)[number];

export interface CorpusCase {
  cls: BreachClass | 'clean';
  draft: string;
  /** The disguise used, if any (homoglyph, zero-width, spelled digits, ...). */
  trick?: string;
}

export const corpusContext: ReplyContext = {
  practiceName: 'Millbrook Medical Centre',
  practicePhone: '0114 496 0000',
  practiceEmail: 'reception.millbrook@nhs.net',
  staffNames: ['Sarah Jones', 'Dr Amir Patel', 'Will Hope'],
  // What the incident says: the post, its author, and the colleagues the reporter typed
  // (including the stop words a hurried reporter types by mistake).
  postText:
    "Absolutely disgusted with Millbrook. Dr Okafor didn't listen to a word and that receptionist Kelly laughed at me. My mum Janet has been waiting three weeks for her results. Avoid!",
  authorName: 'Dave Hughes',
  reportedNames: ['the', 'thank', 'we', 'Kelly', 'Okafor', 'you', 'practice'],
  today: new Date('2026-11-15T12:00:00Z'),
};
