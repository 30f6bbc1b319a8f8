import type { Conversation, ConversationDeletedResponse, ConversationListResponse, HistoryPageResponse } from '@chatbot/proto';
import type { AuthSession } from './auth.session';
import { callAuthed } from './authed.api';

/** The signed-in person's conversations (`/api/chat/sessions*`, `/api/chat/history`), owned by chat-log. */
export const listConversations = (auth: AuthSession, offset: number, limit = 20) =>
  callAuthed<ConversationListResponse>(auth, 'GET', `/api/chat/sessions?${new URLSearchParams({ limit: String(limit), offset: String(offset) })}`);

export const renameConversation = (auth: AuthSession, id: string, title: string) =>
  callAuthed<Conversation>(auth, 'PUT', `/api/chat/sessions/${encodeURIComponent(id)}/title`, { title });

export const deleteConversation = (auth: AuthSession, id: string) =>
  callAuthed<ConversationDeletedResponse>(auth, 'DELETE', `/api/chat/sessions/${encodeURIComponent(id)}`);

/** A page of a conversation: offset 0 is the newest page, each page oldest first. */
export const historyPage = (auth: AuthSession, sessionId: string, offset: number, limit = 20) =>
  callAuthed<HistoryPageResponse>(auth, 'GET', `/api/chat/history?${new URLSearchParams({ session_id: sessionId, limit: String(limit), offset: String(offset) })}`);
