import { randomUUID } from 'node:crypto';
import type { Bus } from '@chatbot/bus';
import type { ChatReplyV1 } from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import type { LoggedHandler, PersonaMetrics } from './persona.metrics';
import type { PersonaRepository } from './persona.repository';
import type { PresenceClient } from './presence.client';
import type { Recommendation, RecommendationService } from './recommendation.service';

export interface LoginDeps {
  bus: Bus;
  repository: PersonaRepository;
  recommendations: RecommendationService;
  presence: PresenceClient;
  metrics: PersonaMetrics;
}

/**
 * Binds a live session to a persona and pushes the persona's recommendation onto the session as
 * a reply candidate; chat-log commits and releases it like any answer. The client logs in on a
 * fresh socket that has sent nothing yet, so nothing here depends on the session's history.
 */
export function loginHandler(deps: LoginDeps): LoggedHandler<'login'> {
  return async (command, context, log) => {
    const persona = await deps.repository.findPersona(command.persona_id);
    if (!persona) throw new AppError('E4006');
    if (!(await deps.presence.isLive(command.session_id, context.correlationId))) throw new AppError('E4005');
    await deps.repository.bind(command.session_id, persona.id);
    const recommendation = await deps.recommendations.forPersona(persona);
    const replyId = await pushRecommendation(deps.bus, command.session_id, recommendation, context.correlationId);
    deps.metrics.logins.inc();
    deps.metrics.recommendations.inc({ trigger: 'login', cluster: String(recommendation.clusterId) });
    log.info(
      { messageId: replyId, personaId: persona.id, clusterId: recommendation.clusterId, similarity: recommendation.similarity },
      'session logged in, recommendation pushed',
    );
    return { persona_id: persona.id };
  };
}

async function pushRecommendation(bus: Bus, sessionId: string, recommendation: Recommendation, correlationId: string) {
  const reply: ChatReplyV1 = {
    reply_id: randomUUID(),
    session_id: sessionId,
    kind: 'push',
    prompt_message_id: null,
    answer: {
      message: recommendation.message,
      card_list: recommendation.cards.map((card) => card.name),
      tool_name: 'consumption_recommend',
      login_required: false,
    },
    source: 'persona',
    produced_at: new Date().toISOString(),
  };
  try {
    await bus.publish('chatReply', sessionId, reply, { msgId: reply.reply_id, correlationId });
  } catch (error) {
    throw new AppError('E5005', 'the recommendation could not be published', { cause: error });
  }
  return reply.reply_id;
}
