/** The policy engine: pure TypeScript, no botbuilder, no Azure, no file system. */
export * from './schema.ts';
export * from './validate.ts';
export * from './grade.ts';
export * from './templates.ts';
export * from './guard.ts';
export * from './nhs-number.ts';
export { CLINICAL_TERMS } from './clinical-terms.ts';
