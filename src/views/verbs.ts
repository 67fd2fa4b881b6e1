/** The card contract now lives in src/contract/cards.ts (app and views both import it); kept for one step. */
export * from '../contract/cards.ts';
