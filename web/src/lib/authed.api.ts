import { callApi, type ApiResult } from './auth.api';
import type { AuthSession } from './auth.session';

/**
 * A call as the signed-in person. A 401 means the access token ran out early (a clock skew, a
 * sleeping laptop): refresh once and try again; a second 401 is the answer.
 */
export async function callAuthed<T>(auth: AuthSession, method: string, path: string, body?: unknown): Promise<ApiResult<T>> {
  const token = await auth.token();
  if (!token) return { ok: false, status: 401, code: 'E4012' };
  const first = await callApi<T>(method, path, { body, token });
  if (first.ok || first.status !== 401 || !(await auth.refresh())) return first;
  return callApi<T>(method, path, { body, token: auth.currentToken() ?? undefined });
}
