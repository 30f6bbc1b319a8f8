import type { RecommendResult } from '@chatbot/proto';
import { AppError } from '@chatbot/runtime';
import type { LoggedHandler, PersonaMetrics } from './persona.metrics';
import type { PersonaRepository } from './persona.repository';
import type { PresenceClient } from './presence.client';
import { LOGIN_REQUIRED_MESSAGE } from './recommendation.message';
import type { RecommendationService } from './recommendation.service';

export interface SessionDeps {
  repository: PersonaRepository;
  recommendations: RecommendationService;
  presence: PresenceClient;
  metrics: PersonaMetrics;
}

const loginRequired: RecommendResult = {
  login_required: true,
  persona_id: null,
  cluster_label: null,
  cards: [],
  message: LOGIN_REQUIRED_MESSAGE,
};

/** All personas for the login screen, by id. */
export function personasHandler(deps: Pick<SessionDeps, 'repository'>): LoggedHandler<'personas'> {
  return async () => ({ personas: await deps.repository.listPersonas() });
}

/** The persona bound to a session; null for a live session nobody logged in on. */
export function bindingHandler(deps: SessionDeps): LoggedHandler<'binding'> {
  return async (query, context) => {
    const personaId = await deps.repository.boundPersonaId(query.session_id);
    if (personaId !== null) return { persona_id: personaId };
    if (await deps.presence.isLive(query.session_id, context.correlationId)) return { persona_id: null };
    throw new AppError('E4005');
  };
}

/** Tool `consumption_recommend`: the session persona's cards, or a request to log in first. */
export function recommendHandler(deps: SessionDeps): LoggedHandler<'recommend'> {
  return async (query, _context, log) => {
    const personaId = await deps.repository.boundPersonaId(query.session_id);
    const persona = personaId === null ? null : await deps.repository.findPersona(personaId);
    if (!persona) return loginRequired;
    const recommendation = await deps.recommendations.forPersona(persona);
    deps.metrics.recommendations.inc({ trigger: 'tool', cluster: String(recommendation.clusterId) });
    log.debug({ personaId: persona.id, clusterId: recommendation.clusterId }, 'recommendation served');
    return {
      login_required: false,
      persona_id: persona.id,
      cluster_label: recommendation.clusterLabel,
      cards: recommendation.cards,
      message: recommendation.message,
    };
  };
}
