/**
 * The words staff pick from on the report cards. The ids are stored, so never rename one;
 * the labels are what people read.
 */

export const PLATFORMS = [
  { id: 'facebook', label: 'Facebook' },
  { id: 'x', label: 'X (Twitter)' },
  { id: 'instagram', label: 'Instagram' },
  { id: 'tiktok', label: 'TikTok' },
  { id: 'google-reviews', label: 'Google reviews' },
  { id: 'nhs-website', label: 'NHS website review' },
  { id: 'nextdoor', label: 'Nextdoor' },
  { id: 'youtube', label: 'YouTube' },
  { id: 'other', label: 'Other' },
] as const;
export type PlatformId = (typeof PLATFORMS)[number]['id'];

export const AUTHOR_RELATIONSHIPS = [
  { id: 'patient', label: 'Patient' },
  { id: 'relative-or-carer', label: 'Relative or carer' },
  { id: 'staff', label: 'Member of staff' },
  { id: 'unknown', label: 'Unknown' },
  { id: 'other', label: 'Other' },
] as const;
export type AuthorRelationshipId = (typeof AUTHOR_RELATIONSHIPS)[number]['id'];

/** What the post does: Wickersley policy §4 plus Millbrook and Cockhedge (see src/policy). */
export const POST_CATEGORIES = [
  { id: 'false-or-misleading', label: 'False or misleading' },
  { id: 'personal-attack', label: 'Personal attack or insult' },
  { id: 'threat', label: 'Threat of violence or harm' },
  { id: 'safeguarding', label: 'Safeguarding concern (self-harm, a child or adult at risk)' },
  { id: 'harassment', label: 'Harassment or bullying' },
  { id: 'defamatory', label: 'Defamatory' },
  { id: 'names-staff', label: 'Names or identifies staff' },
  { id: 'discloses-patient-info', label: "Discloses another patient's information" },
  { id: 'photo-or-recording', label: 'Photo or recording of patients or staff' },
  { id: 'complaint', label: 'Complaint about care' },
  { id: 'medical-help', label: 'Asks for medical help or shares their own health details' },
  { id: 'other-criticism', label: 'Other criticism' },
] as const;
export type PostCategoryId = (typeof POST_CATEGORIES)[number]['id'];

export const NAMED_PARTIES = [
  { id: 'practice', label: 'The practice' },
  { id: 'colleagues', label: 'Named colleagues' },
  { id: 'patients', label: 'Other patients' },
] as const;
export type NamedPartyId = (typeof NAMED_PARTIES)[number]['id'];

export function labelOf<T extends { id: string; label: string }>(list: readonly T[], id: string): string {
  return list.find((item) => item.id === id)?.label ?? id;
}

export function isOneOf<T extends { id: string }>(list: readonly T[], id: unknown): id is T['id'] {
  return typeof id === 'string' && list.some((item) => item.id === id);
}
