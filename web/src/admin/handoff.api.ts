import type { AgentHistoryPage, AgentMessageRequest, AgentMessageResponse, ConversationList, ConversationListResult, ConversationState, TransitionRequest } from '@chatbot/proto';
import type { AuthSession } from '../lib/auth.session';
import { callAuthed } from '../lib/authed.api';

/** The agents' API (`/api/admin/chats/*`, services/gateway/src/agents/README.md). */
export const queue = (auth: AuthSession, list: ConversationList) =>
  callAuthed<ConversationListResult>(auth, 'GET', `/api/admin/chats/${list}?limit=50`);

export type Transition = 'takeover' | 'release' | 'complete' | 'provide-info';

export const transition = (auth: AuthSession, sessionId: string, action: Transition, body: TransitionRequest = {}) =>
  callAuthed<ConversationState>(auth, 'POST', `/api/admin/chats/${encodeURIComponent(sessionId)}/${action}`, body);

export const sendAgentMessage = (auth: AuthSession, sessionId: string, body: AgentMessageRequest) =>
  callAuthed<AgentMessageResponse>(auth, 'POST', `/api/admin/chats/${encodeURIComponent(sessionId)}/messages`, body);

/** A page of a conversation's entries: the newest without `cursor`, else the ones before it; each oldest first. */
export const historyPage = (auth: AuthSession, sessionId: string, cursor?: string, limit = 20) =>
  callAuthed<AgentHistoryPage>(auth, 'GET', `/api/admin/chats/${encodeURIComponent(sessionId)}/messages?${new URLSearchParams({ limit: String(limit), ...(cursor ? { cursor } : {}) })}`);
