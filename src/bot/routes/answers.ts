import type { AdaptiveCardInvokeResponse } from 'botbuilder';

/** The two answers Teams takes to an adaptiveCard/action invoke (any other shape shows a generic error). */

/** The card replaces the one that was pressed. */
export function cardResponse(card: object): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.card.adaptive', value: card as Record<string, unknown> };
}

/** Teams shows the text and leaves the card as it was. */
export function messageResponse(text: string): AdaptiveCardInvokeResponse {
  return { statusCode: 200, type: 'application/vnd.microsoft.activity.message', value: text as unknown as Record<string, unknown> };
}

/** Teams gives up on an invoke after a few seconds: answer by then, whatever storage is doing. */
export const INVOKE_BUDGET_MS = 4_000;

/** The work's result, or 'slow' once the budget is spent (the work carries on; a late failure is logged). */
export async function withinInvokeBudget<T>(work: Promise<T>, onLateFailure: (error: unknown) => void): Promise<T | 'slow'> {
  let timer: NodeJS.Timeout | undefined;
  const slow = new Promise<'slow'>((resolve) => {
    timer = setTimeout(() => resolve('slow'), INVOKE_BUDGET_MS);
  });
  try {
    const result = await Promise.race([work, slow]);
    if (result === 'slow') work.catch(onLateFailure);
    return result;
  } finally {
    clearTimeout(timer);
  }
}
