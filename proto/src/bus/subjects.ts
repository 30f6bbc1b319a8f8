import type { z } from 'zod';
import * as p from './payloads';
import * as a from './account-payloads';
import * as h from './handoff-payloads';
import * as r from '../rest/accounts';
import * as cb from './chatbot-payloads';
import * as ae from './agent-event-payloads';
import { ChatbotSettingsRecord } from '../rest/chatbot';
import * as at from './attachment-payloads';
import * as c from './conversation-payloads';
import * as cr from '../rest/conversations';
import { AgentHistoryPage } from '../rest/handoff';
import * as ops from './ops-payloads';

/**
 * Every NATS subject of the system, one schema each, versioned in its name.
 * `token: 'session'` subjects carry the session id as their last token (`chat.inbound.v1.<sid>`),
 * which JetStream uses for per-session order and the gateway for routing.
 */
type Token = 'session' | null;

export interface EventDef<S extends z.ZodTypeAny = z.ZodTypeAny> {
  kind: 'event';
  name: string;
  token: Token;
  /** JetStream stream holding it; null for core NATS (not durable). */
  stream: StreamName | null;
  schema: S;
  description: string;
}

export interface RequestDef<Q extends z.ZodTypeAny = z.ZodTypeAny, R extends z.ZodTypeAny = z.ZodTypeAny> {
  kind: 'request';
  name: string;
  token: Token;
  request: Q;
  response: R;
  /** The service that answers; it subscribes in a queue group of that name. */
  owner: string;
  description: string;
  /** Every instance answers (no queue group): the caller gathers the answers for a while. */
  everyInstance?: true;
}

export type StreamName = 'CHAT_INBOUND' | 'CHAT_STORED' | 'CHAT_REPLIES' | 'LLM_JOBS' | 'CHAT_USAGE' | 'CHAT_STATUS' | 'LLM_SUMMARIES' | 'AGENT_EVENTS';

const event = <S extends z.ZodTypeAny>(
  name: string,
  token: Token,
  stream: StreamName | null,
  schema: S,
  description: string,
): EventDef<S> => ({ kind: 'event', name, token, stream, schema, description });

const request = <Q extends z.ZodTypeAny, R extends z.ZodTypeAny>(
  name: string,
  token: Token,
  owner: string,
  req: Q,
  res: R,
  description: string,
): RequestDef<Q, R> => ({ kind: 'request', name, token, owner, request: req, response: res, description });

export const events = {
  chatInbound: event('chat.inbound.v1', 'session', 'CHAT_INBOUND', p.ChatInboundV1,
    'A user message the gateway accepted; chat-log, its only reader, stores it.'),
  chatStored: event('chat.stored.v1', 'session', 'CHAT_STORED', p.ChatStoredV1,
    'A message chat-log (its owner) stored, with its turn and recent history; qna-cache answers or forwards it.'),
  chatReply: event('chat.reply.v1', 'session', 'CHAT_REPLIES', p.ChatReplyV1,
    'A candidate bot reply; chat-log commits the first per prompt and releases replies in order.'),
  llmJob: event('llm.job.v1', 'session', 'LLM_JOBS', p.LlmJobV1,
    'A message for the LLM worker pool, with its conversation (work queue shared by every llm-dispatch replica).'),
  chatUsage: event('chat.usage.v1', null, 'CHAT_USAGE', p.ChatUsageV1,
    'A signed-in user\'s message chat-log stored; persona adds it to the account\'s usage counter, once per message id.'),
  sessionDelivery: event('gw.deliver.v1', 'session', null, p.SessionDeliveryV1,
    'Frames for one session, received by the gateway instance that holds its socket.'),
  catalogueChanged: event('qna.catalogue.changed.v1', null, null, p.CatalogueChangedV1,
    'qna-cache loaded or changed its catalogue; whoever keeps its card names asks for them again.'),
  chatStatusChanged: event('chat.status.changed.v1', 'session', 'CHAT_STATUS', cb.ChatStatusChangedV1,
    'A conversation changed status (bot, waiting, agent, completed); published by chat-log, its owner, after the transition committed.'),
  agentEvent: event('agent.event.v1', 'session', 'AGENT_EVENTS', ae.AgentEventV1,
    'What agents see move live (new_message, session_status_changed, session_completed, unread_count_updated, session_removed); committed by chat-log in an outbox with what it tells and published after the commit, replayed by every gateway to its agents\' sockets from the stream sequence they resume after.'),
  summaryJob: event('llm.summary.v1', 'session', 'LLM_SUMMARIES', cb.SummaryJobV1,
    'Summarise a conversation that entered waiting or completed (work queue shared by every llm-dispatch replica).'),
} as const;

export const requests = {
  presence: request('gw.presence.v1', 'session', 'gateway', p.Empty, p.PresenceResponse,
    'Is this session connected? Answered only by the gateway holding its socket.'),
  feedback: request('chatlog.feedback.v1', null, 'chat-log', p.FeedbackCommand, p.FeedbackResult,
    'Set or change the feedback on a bot reply, keyed by the prompt message id.'),
  history: request('chatlog.history.v1', null, 'chat-log', p.HistoryQuery, p.HistoryResult,
    'The last entries of a session, oldest first (an LLM job carries its own, from chat.stored).'),
  sessionAccess: request('chatlog.session.access.v1', null, 'chat-log', p.SessionAccessQuery, p.SessionAccessResult,
    'Whether a caller (an account, or anonymous) may open a session: new, its owner, anonymous, or another account\'s.'),
  attachmentCreate: request('chatlog.attachment.create.v1', null, 'chat-log', at.AttachmentCreateCommand, at.AttachmentCreateResult,
    'An upload begins: record it pending (invisible) within the owner\'s daily cap (E4043); the bytes go to the object store after.'),
  attachmentComplete: request('chatlog.attachment.complete.v1', null, 'chat-log', at.AttachmentCompleteCommand, at.AttachmentRecord,
    'Every byte of an upload is stored: make it complete (visible); E4044 when it is no longer pending (swept).'),
  attachmentGet: request('chatlog.attachment.get.v1', null, 'chat-log', at.AttachmentGetQuery, at.AttachmentRecord,
    'One complete attachment with its owner, for the gateway to decide who may download it; E4044 otherwise.'),
  conversationCreate: request('chatlog.conversation.create.v1', null, 'chat-log', c.ConversationCreateCommand, cr.Conversation,
    'Start an empty conversation owned by the caller, with an optional title.'),
  conversationList: request('chatlog.conversation.list.v1', null, 'chat-log', c.ConversationListCommand, cr.ConversationListResponse,
    'A page of the caller\'s conversations, newest first, and how many there are.'),
  conversationGet: request('chatlog.conversation.get.v1', null, 'chat-log', c.ConversationGetCommand, cr.Conversation,
    'One conversation of the caller; E4005 for anyone else\'s, an unknown or a deleted one.'),
  conversationRename: request('chatlog.conversation.rename.v1', null, 'chat-log', c.ConversationRenameCommand, cr.Conversation,
    'Set the title of one of the caller\'s conversations.'),
  conversationDelete: request('chatlog.conversation.delete.v1', null, 'chat-log', c.ConversationDeleteCommand, cr.ConversationDeletedResponse,
    'Erase one of the caller\'s conversations: messages, replies, feedback and queued frames; later messages on its id are refused.'),
  conversationHistory: request('chatlog.conversation.history.v1', null, 'chat-log', c.ConversationHistoryCommand, cr.HistoryPageResponse,
    'A page of one of the caller\'s conversations, newest page first, with the tool metadata of replies.'),
  frames: request('chatlog.frames.v1', null, 'chat-log', p.FramesQuery, p.FramesResult,
    'Committed frames of a session after a sequence number, for resume after reconnect.'),
  prompt: request('chatlog.prompt.v1', null, 'chat-log', p.PromptQuery, p.PromptStatus,
    'Whether a message is stored and the frame released for it, for a resend the broker de-duplicated.'),
  faqTop: request('qna.faq.top.v1', null, 'qna-cache', p.TopKCommand, p.FaqTopResult,
    'Most viewed FAQs.'),
  termTop: request('qna.terms.top.v1', null, 'qna-cache', p.TopKCommand, p.TermTopResult,
    'Most viewed financial terms.'),
  faqSearch: request('qna.faq.search.v1', null, 'qna-cache', p.SearchQuery, p.FaqSearchResult,
    'Ranked FAQ search (tool query_faq_database).'),
  termSearch: request('qna.terms.search.v1', null, 'qna-cache', p.SearchQuery, p.TermSearchResult,
    'Ranked financial term search (tool query_term_database).'),
  cardDescribe: request('qna.cards.describe.v1', null, 'qna-cache', p.SearchQuery, p.CardSearchResult,
    'Cards named in a text (tool get_card_description).'),
  cardRecommend: request('qna.cards.recommend.v1', null, 'qna-cache', p.SearchQuery, p.CardSearchResult,
    'Cards whose benefits match a need (tool get_card_recommendation).'),
  cardNames: request('qna.cards.names.v1', null, 'qna-cache', p.Empty, p.CardNamesResult,
    'Every card product name of the catalogue, for the retrieval router to notice a named card.'),
  personas: request('persona.list.v1', null, 'persona', p.Empty, p.PersonasResponse,
    'All personas for the login screen.'),
  login: request('persona.login.v1', null, 'persona', p.LoginCommand, p.LoginResult,
    'Bind a live session to a persona and push its spending-based recommendation.'),
  binding: request('persona.binding.v1', null, 'persona', p.BindingQuery, p.BindingResult,
    'The persona bound to a session, or null.'),
  recommend: request('persona.recommend.v1', null, 'persona', p.RecommendQuery, p.RecommendResult,
    'Spending-based card recommendation for the session persona (tool consumption_recommend).'),
  accountRegister: request('persona.account.register.v1', null, 'persona', a.AccountRegisterCommand, r.AccountResponse,
    'Create a customer account (email, password, name); E4014 when the email is taken.'),
  accountLogin: request('persona.account.login.v1', null, 'persona', a.AccountLoginCommand, a.SignInResult,
    'Check an email and password (throttled per account and address) and issue an access and refresh token.'),
  accountRefresh: request('persona.account.refresh.v1', null, 'persona', a.AccountRefreshCommand, r.TokenResponse,
    'Rotate a refresh token; a token used twice revokes its whole family (RFC 9700).'),
  accountLogout: request('persona.account.logout.v1', null, 'persona', a.AccountLogoutCommand, a.AccountLogoutResult,
    'Revoke the family of a refresh token.'),
  accountGet: request('persona.account.get.v1', null, 'persona', a.AccountQuery, r.AccountResponse,
    'One account as `me` shows it.'),
  accountPassword: request('persona.account.password.v1', null, 'persona', a.AccountPasswordCommand, a.SignInResult,
    'Change a password given the current one; revokes every refresh token and issues a new pair.'),
  accountProfile: request('persona.account.profile.v1', null, 'persona', a.AccountProfileCommand, r.AccountResponse,
    'Change the name or picture of an account.'),
  accountUsage: request('persona.account.usage.v1', null, 'persona', a.AccountQuery, a.AccountUsageResult,
    'Add one to the usage counter of an account.'),
  accountRole: request('persona.account.role.v1', null, 'persona', a.AccountRoleCommand, r.AccountResponse,
    'An admin sets the role of another account.'),
  accountOptions: request('persona.account.options.v1', null, 'persona', p.Empty, r.SignInOptionsResponse,
    'Which ways of signing in are configured (accounts, an OpenID provider), for the sign-in forms; answered even with accounts off.'),
  accountOidcStart: request('persona.account.oidc.start.v1', null, 'persona', p.Empty, a.OidcStartResult,
    'Begin an OpenID Connect sign-in: the provider URL to send the browser to and the sealed transaction to keep in its cookie.'),
  accountOidcFinish: request('persona.account.oidc.finish.v1', null, 'persona', a.OidcFinishCommand, r.TokenResponse,
    'Finish an OpenID Connect sign-in: check state, redeem the code, verify the id_token, link the account, issue tokens.'),
  apiKeyCreate: request('persona.apikey.create.v1', null, 'persona', a.ApiKeyCreateCommand, r.ApiKeyCreatedResponse,
    'An admin creates an API key; the answer is the only place its secret appears.'),
  apiKeyList: request('persona.apikey.list.v1', null, 'persona', a.ApiKeyListQuery, a.ApiKeyListResult,
    'The API keys an admin created (no secrets).'),
  apiKeyRevoke: request('persona.apikey.revoke.v1', null, 'persona', a.ApiKeyRevokeCommand, r.ApiKeyItem,
    'An admin revokes an API key.'),
  apiKeyVerify: request('persona.apikey.verify.v1', null, 'persona', a.ApiKeyVerifyQuery, a.ApiKeyVerifyResult,
    'Who an X-API-Key acts for and within which scopes; E4012 when unknown, expired or revoked.'),
  chatbotSettingsGet: request('persona.chatbot.settings.get.v1', null, 'persona', p.Empty, ChatbotSettingsRecord,
    'The chatbot settings in force (version 0, settings null, when none was ever saved).'),
  chatbotSettingsPut: request('persona.chatbot.settings.put.v1', null, 'persona', cb.ChatbotSettingsPutCommand, ChatbotSettingsRecord,
    'An admin saves a new version of the chatbot settings; persona keeps it and puts it in the KV bucket the workers watch.'),
  chatbotSettingsHistory: request('persona.chatbot.settings.history.v1', null, 'persona', cb.ChatbotSettingsHistoryQuery, cb.ChatbotSettingsHistoryResult,
    'Saved versions of the chatbot settings with who saved them and when, newest first.'),
  summarySave: request('chatlog.summary.save.v1', null, 'chat-log', cb.SummarySaveCommand, cb.SummarySaveResult,
    'Keep a conversation summary; the first per (session, trigger, version) is kept, a repeat answers stored: false.'),
  summaryGet: request('chatlog.summary.get.v1', null, 'chat-log', cb.SummaryQuery, cb.SummaryResult,
    'A conversation\'s summaries, newest first; E4005 when chat-log does not know the conversation.'),
  handoff: request('chatlog.handoff.v1', null, 'chat-log', h.HandoffCommand, h.HandoffResult,
    'Change a conversation\'s status (handoff, takeover, release, provide_info, complete): one compare-and-set on status and version.'),
  agentMessage: request('chatlog.agent.message.v1', null, 'chat-log', h.AgentMessageCommand, h.AgentMessageResult,
    'An agent\'s message to a conversation the agent holds: stored and released as a push frame (sender agent).'),
  conversations: request('chatlog.conversations.v1', null, 'chat-log', h.AgentListQuery, h.ConversationListResult,
    'One page of the active, pending or completed conversations with status, unread count, last message and holder.'),
  agentHistory: request('chatlog.agent.history.v1', null, 'chat-log', h.AgentHistoryQuery, AgentHistoryPage,
    'A page of any conversation\'s entries for agents, newest page first, with tool metadata and each user message\'s attachments.'),
  queueDepth: request('llm.queue.v1', null, 'llm-dispatch', p.Empty, p.QueueDepthResult,
    'Pending and in-flight jobs of the LLM worker pool.'),
  opsMetrics: { ...request('ops.metrics.v1', null, 'every-service', p.Empty, ops.OpsMetricsSnapshot,
    'Each instance of each service answers with the figures it owns (its metrics, recent incidents); a gateway gathers them for the dashboard.'), everyInstance: true },
} as const;

export type Events = typeof events;
export type Requests = typeof requests;
export type EventKey = keyof Events;
export type RequestKey = keyof Requests;
export type EventPayload<K extends EventKey> = z.infer<Events[K]['schema']>;
export type RequestPayload<K extends RequestKey> = z.infer<Requests[K]['request']>;
export type ResponsePayload<K extends RequestKey> = z.infer<Requests[K]['response']>;

/** The concrete subject for one message: `name` or `name.<token>`. */
export function subjectOf(def: { name: string; token: Token }, token?: string): string {
  if (def.token === null) return def.name;
  if (!token) throw new Error(`subject ${def.name} needs a ${def.token} token`);
  return `${def.name}.${token}`;
}

/** The subscription pattern matching every concrete subject of a definition. */
export function patternOf(def: { name: string; token: Token }): string {
  return def.token === null ? def.name : `${def.name}.*`;
}
