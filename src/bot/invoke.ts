import { z } from 'zod';
import { err, ok, type Result } from '../domain/result.ts';

/** The parts of an adaptiveCard/action invoke the bot reads. Everything in it is untrusted. */
const cardActionSchema = z.object({
  action: z.object({
    type: z.literal('Action.Execute'),
    verb: z.string().min(1).max(64),
    data: z.record(z.string(), z.unknown()).optional(),
  }),
});

export interface CardAction {
  verb: string;
  data: Record<string, unknown>;
}

export function parseCardAction(value: unknown): Result<CardAction, string> {
  const parsed = cardActionSchema.safeParse(value);
  if (!parsed.success) return err('not an Action.Execute');
  return ok({
    verb: parsed.data.action.verb,
    data: parsed.data.action.data ?? {},
  });
}
