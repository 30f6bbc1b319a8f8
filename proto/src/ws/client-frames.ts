import { z } from 'zod';
import { MessageId } from '../common';

/**
 * A chat message from the client (seed protocol; protocol v2 sends the same frame).
 * The seed client also sends `sender` and `timestamp`; unknown keys are dropped, never trusted.
 * The length limit is configuration, so the gateway checks it after parsing.
 */
export const ClientChatFrame = z.object({
  type: z.literal('message').optional(),
  message_id: MessageId,
  message: z
    .string()
    .transform((text) => text.trim())
    .pipe(z.string().min(1, 'message must not be empty')),
  sender: z.string().max(32).optional(),
  timestamp: z.string().max(64).optional(),
});
export type ClientChatFrame = z.infer<typeof ClientChatFrame>;

/** Protocol v2: the user asks for a person; the conversation moves to `waiting`. */
export const ClientHandoffFrame = z.object({ type: z.literal('handoff') });
export type ClientHandoffFrame = z.infer<typeof ClientHandoffFrame>;
