import type { RequestContext, RequestHandler } from '@chatbot/bus';
import type { RequestKey, RequestPayload, ResponsePayload } from '@chatbot/proto';
import { AppError, counter, histogram, isAppError, messageLogger, type Logger, type Registry } from '@chatbot/runtime';
import { isStorageFailure } from '@chatbot/store';

export type PersonaMetrics = ReturnType<typeof createPersonaMetrics>;

export function createPersonaMetrics(registry: Registry) {
  return {
    logins: counter(registry, 'chatbot_persona_logins_total', 'Sessions bound to a persona'),
    recommendations: counter(
      registry,
      'chatbot_persona_recommendations_total',
      'Spending-based recommendations produced, by trigger (login push or tool call) and cluster',
      ['trigger', 'cluster'],
    ),
    accountEvents: counter(
      registry,
      'chatbot_persona_account_events_total',
      'Security events of accounts: login_throttled, refresh_reused (a family revoked), password_changed, oidc_signed_in, oidc_linked (an account made by a provider sign-in), oidc_refused',
      ['event'],
    ),
    requestSeconds: histogram(
      registry,
      'chatbot_persona_request_duration_seconds',
      'Time to answer a persona request, by request and outcome (ok or error code)',
      ['request', 'outcome'],
    ),
  };
}

/** A request handler that also gets a logger bound to the message it answers. */
export type LoggedHandler<K extends RequestKey> = (
  request: RequestPayload<K>,
  context: RequestContext,
  log: Logger,
) => Promise<ResponsePayload<K>>;

/** Times each request and gives the handler a child logger with subject, session and correlation. */
export function instrument<K extends RequestKey>(
  key: K,
  deps: { logger: Logger; metrics: PersonaMetrics },
  handler: LoggedHandler<K>,
): RequestHandler<K> {
  return async (request, context) => {
    const sessionId = (request as { session_id?: string }).session_id;
    const log = messageLogger(deps.logger, { subject: context.subject, sessionId, correlationId: context.correlationId });
    const end = deps.metrics.requestSeconds.startTimer({ request: key });
    try {
      const response = await handler(request, context, log);
      end({ outcome: 'ok' });
      return response;
    } catch (caught) {
      const error = isStorageFailure(caught) ? new AppError('E5003', undefined, { cause: caught }) : caught;
      const outcome = isAppError(error) ? error.code : 'E5004';
      end({ outcome });
      // 5xx are logged with an incident id by the bus; refusals are worth a line too
      if (isAppError(error) && error.status < 500) log.info({ code: outcome }, 'request refused');
      throw error;
    }
  };
}
