import { z } from 'zod';
import { SessionId } from '../common';
import { AccountId } from '../rest/accounts';
import { ConversationTitle } from '../rest/conversations';

/**
 * Requests to chat-log's conversation operations. `user_id` is the caller the gateway verified
 * (an access token's `sub`, or the account an API key acts for), never a value the client chose.
 * A session the caller does not own, an unknown one and a deleted one all answer E4005.
 */

const Paging = { limit: z.number().int().min(1).max(200), offset: z.number().int().min(0).max(100_000) };

export const ConversationCreateCommand = z.object({ user_id: AccountId, title: ConversationTitle.optional() });
export const ConversationListCommand = z.object({ user_id: AccountId, ...Paging });
export const ConversationGetCommand = z.object({ user_id: AccountId, session_id: SessionId });
export const ConversationRenameCommand = z.object({ user_id: AccountId, session_id: SessionId, title: ConversationTitle });
/** Erases the session's messages, replies, feedback and queued frames; the id stays a tombstone. */
export const ConversationDeleteCommand = z.object({ user_id: AccountId, session_id: SessionId });
export const ConversationHistoryCommand = z.object({ user_id: AccountId, session_id: SessionId, ...Paging });
