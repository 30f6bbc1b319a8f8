import type { Bus } from '@chatbot/bus';
import type { Logger } from '@chatbot/runtime';
import type { ToolDefinition } from '../llm/llm.types';
import type { ToolContext } from './tool.executor';

/**
 * `escalate_to_human`: the model decides a person should take over. It is no data tool (its result
 * is not read back by the model): the worker asks chat-log to hand the conversation off, and the
 * answer to the message in hand is a short fixed sentence saying so. The messages after it go to
 * an agent, as for a user who asked for a person.
 */
export const ESCALATION_TOOL = 'escalate_to_human';

/** What the user reads as the answer to the message that was escalated. */
export const ESCALATION_REPLY = '상담원에게 연결해 드릴게요. 잠시만 기다려 주시면 상담원이 이어서 도와드립니다.';

/**
 * The tool as the model sees it. The chatbot settings' handoff categories are named in its
 * description: the model classifies the conversation, and calls the tool when it falls in one.
 */
export function escalationDefinition(categories: readonly string[]): ToolDefinition {
  const listed = categories.length === 0 ? '' : ` Always call it when the conversation is about one of these topics: ${categories.join(', ')}.`;
  return {
    type: 'function',
    function: {
      name: ESCALATION_TOOL,
      description: `Hands the conversation to a human agent (상담원 연결). Call it when the user needs something you cannot do or a person must decide.${listed} No arguments.`,
      parameters: { type: 'object', properties: {}, additionalProperties: false },
    },
  };
}

export interface Escalation {
  /** Moves the conversation to `waiting`; true when it is now waiting for (or held by) a person. */
  escalate(context: ToolContext, log: Logger): Promise<boolean>;
}

/**
 * Requests chatlog.handoff.v1 as the user would (action `handoff`). The worker does not know the
 * user's account, and chat-log needs none for a handoff: the actor is null, as for an anonymous user.
 */
export function createEscalation(bus: Pick<Bus, 'request'>, timeoutMs: number): Escalation {
  return {
    async escalate(context, log) {
      const result = await bus.request('handoff', { session_id: context.sessionId, action: 'handoff', actor_id: null }, { timeoutMs, correlationId: context.correlationId });
      const handed = result.outcome !== 'not_found' && (result.state.status === 'waiting' || result.state.status === 'agent');
      log.info({ tool: ESCALATION_TOOL, outcome: result.outcome, handed }, 'model escalated to a person');
      return handed;
    },
  };
}
