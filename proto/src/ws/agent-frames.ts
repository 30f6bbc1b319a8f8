import { z } from 'zod';
import { AgentEventV1 } from '../bus/agent-event-payloads';

/**
 * The agents' socket (`/api/admin/ws`, agent or admin credential, `?after=<seq>` to resume): the
 * server sends every agent event with `seq`, its place in the gateways' shared event log. A client
 * that keeps the last `seq` it handled and reconnects with `?after=<seq>` receives every event after
 * it, in order, from any gateway. Clients send nothing but pings.
 */
const sequenced = { seq: z.number().int().positive() };

export const AgentEventFrame = z.intersection(AgentEventV1, z.object(sequenced));
export type AgentEventFrame = z.infer<typeof AgentEventFrame>;

/**
 * The first frame: `resumed_after` is the seq the replay starts after (0 from the beginning, or
 * the current end when the client gave none), `first_seq` the oldest event still kept: a client
 * whose `after` is below `first_seq - 1` missed events that expired and reloads its lists.
 */
export const AgentReadyFrame = z.object({
  type: z.literal('ready'),
  resumed_after: z.number().int().nonnegative(),
  first_seq: z.number().int().nonnegative(),
});
export type AgentReadyFrame = z.infer<typeof AgentReadyFrame>;

export const AgentServerFrame = z.union([AgentReadyFrame, AgentEventFrame]);
export type AgentServerFrame = z.infer<typeof AgentServerFrame>;
