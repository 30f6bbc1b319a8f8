/**
 * The error catalogue shared by every service: a stable code, the HTTP status a REST caller sees,
 * whether retrying can help, and the short human text a chat client may show.
 * Codes follow the E4xxx (caller's fault) / E5xxx (ours) convention.
 */
export const errorCatalogue = {
  E4001: { status: 400, retryable: false, text: 'Invalid input format' },
  E4002: { status: 422, retryable: false, text: 'Missing or invalid field' },
  E4003: { status: 413, retryable: false, text: 'Message too long' },
  E4004: { status: 429, retryable: true, text: 'Too many messages, slow down' },
  E4005: { status: 404, retryable: false, text: 'Session not found' },
  E4006: { status: 404, retryable: false, text: 'Persona not found' },
  E4007: { status: 404, retryable: false, text: 'Message not found' },
  E4008: { status: 409, retryable: false, text: 'message_id already used by another session' },
  E4009: { status: 400, retryable: false, text: 'Unsupported frame type' },
  E4010: { status: 429, retryable: true, text: 'Too many connections from this address' },
  E4011: { status: 401, retryable: false, text: 'Invalid email or password' },
  E4012: { status: 401, retryable: false, text: 'Authentication required' },
  E4013: { status: 403, retryable: false, text: 'Not allowed' },
  E4014: { status: 409, retryable: false, text: 'Email already registered' },
  E4015: { status: 401, retryable: false, text: 'Invalid or expired refresh token' },
  E4016: { status: 404, retryable: false, text: 'Account not found' },
  E4017: { status: 401, retryable: false, text: 'Sign-in with the identity provider failed' },
  E4030: { status: 409, retryable: false, text: 'The conversation\'s status does not allow this' },
  E4031: { status: 409, retryable: false, text: 'This conversation is closed; start a new one' },
  E5001: { status: 504, retryable: true, text: 'The assistant did not answer in time' },
  E5002: { status: 503, retryable: true, text: 'The assistant is unavailable right now' },
  E5003: { status: 503, retryable: true, text: 'Storage is unavailable right now' },
  E5004: { status: 500, retryable: false, text: 'Internal error' },
  E5005: { status: 502, retryable: true, text: 'Recommendation failed' },
  E5006: { status: 503, retryable: true, text: 'Message bus unavailable' },
  E5007: { status: 503, retryable: false, text: 'Accounts are not configured on this deployment' },
  E5008: { status: 503, retryable: false, text: 'Sign-in with an identity provider is not configured on this deployment' },
} as const;

export type ErrorCode = keyof typeof errorCatalogue;
export const errorCodes = Object.keys(errorCatalogue) as ErrorCode[];

/** The Korean sentence every "assistant unavailable" bot frame carries. */
export const UNAVAILABLE_MESSAGE =
  '죄송합니다. 지금은 답변을 드릴 수 없습니다. 잠시 후 다시 시도해 주세요.';
