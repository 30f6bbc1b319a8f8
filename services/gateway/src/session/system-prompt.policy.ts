import type { Role } from '@chatbot/proto';
import type { SocketCaller } from '../auth/socket.caller';

/**
 * May this caller give a message its own system prompt? The system prompt is the instruction the
 * model trusts most, so only callers the deployment chose: an account whose role is listed
 * (`SYSTEM_PROMPT_ROLES`, admins by default) or an API key with the `system_prompt` scope.
 * Anonymous callers never (prompt injection, OWASP LLM01).
 */
export function maySetSystemPrompt(caller: SocketCaller | null, roles: readonly Role[]): boolean {
  if (!caller) return false;
  if (caller.via === 'api-key') return caller.scopes?.includes('system_prompt') === true;
  return roles.includes(caller.role);
}
