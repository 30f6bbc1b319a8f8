import { z } from 'zod';
import { SessionId } from '../common';

// Two more seed clients' wire formats, spoken on their own paths and mapped by the gateway onto the
// same events as protocol v2. Neither client sends a message id: the gateway makes one per message.

const Text = z
  .string()
  .transform((text) => text.trim())
  .pipe(z.string().min(1, 'must not be empty'));

// ---- Seed 001 (`/ws/chat?token=…&session_id=…`): an authenticated chat that streams chunks. ----

/** `session_id`, when sent, must name the socket's own session; unknown keys are dropped. */
export const Seed001ClientFrame = z.object({
  type: z.literal('message'),
  content: Text,
  session_id: SessionId.optional(),
});
export type Seed001ClientFrame = z.infer<typeof Seed001ClientFrame>;

/** A piece of the answer; the pieces of one answer share its `message_id` and join into its text. */
export const Seed001ChunkFrame = z.object({ type: z.literal('response_chunk'), content: z.string(), message_id: z.string() });
/** `true` once a message is taken, `false` after the last chunk of its answer (or its refusal). */
export const Seed001TypingFrame = z.object({ type: z.literal('typing'), is_typing: z.boolean() });
export const Seed001ErrorFrame = z.object({
  type: z.literal('error'),
  error: z.string(),
  code: z.string(),
  message_id: z.string().optional(),
  retry_after_ms: z.number().int().nonnegative().optional(),
});
export const Seed001ServerFrame = z.discriminatedUnion('type', [Seed001ChunkFrame, Seed001TypingFrame, Seed001ErrorFrame]);
export type Seed001ServerFrame = z.infer<typeof Seed001ServerFrame>;

// ---- Seed 002 (`/ws/emotion?user_id=…&session_id=…`): token streaming, then a done frame. ----

/**
 * `system_prompt` is accepted only from callers the deployment allows; an anonymous caller's
 * non-empty one is refused (prompt injection, OWASP LLM01: see docs/protocol.md).
 */
export const Seed002ClientFrame = z.object({
  user_input: Text,
  step_type: z.string().max(32).optional(),
  /** Empty counts as absent (the seed client sends it empty); else as v2's `system_prompt`. */
  system_prompt: z.string().max(4000).optional(),
});
export type Seed002ClientFrame = z.infer<typeof Seed002ClientFrame>;

export const Seed002SessionFrame = z.object({ session_id: SessionId });
export const Seed002TokenFrame = z.object({ token: z.string() });
/** The answer is complete: `step_id` is the message's id, `created_at` the answer's time. */
export const Seed002DoneFrame = z.object({ done: z.literal(true), step_id: z.string(), created_at: z.string() });
export const Seed002ErrorFrame = z.object({ error: z.string(), code: z.string(), step_id: z.string().optional() });
export const Seed002ServerFrame = z.union([Seed002SessionFrame, Seed002TokenFrame, Seed002DoneFrame, Seed002ErrorFrame]);
export type Seed002ServerFrame = z.infer<typeof Seed002ServerFrame>;
