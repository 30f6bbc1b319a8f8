import { z } from 'zod';
import { events, requests } from './bus/subjects';
import { ClientChatFrame, ClientHandoffFrame } from './ws/client-frames';
import { AgentFrameV1, BotFrameV1, ErrorFrameV1, ServerFrameV2, SessionFrameV1 } from './ws/server-frames';
import { AgentServerFrame } from './ws/agent-frames';
import { Seed001ClientFrame, Seed001ServerFrame, Seed002ClientFrame, Seed002ServerFrame } from './ws/seed-frames';
import * as rest from './rest/bodies';
import * as accounts from './rest/accounts';
import * as chatbot from './rest/chatbot';
import * as attachments from './rest/attachments';
import * as conversations from './rest/conversations';
import * as handoff from './rest/handoff';

/**
 * Every contract as JSON Schema (draft 2020-12), keyed by a stable file name, so a worker written
 * in another language can validate what it reads and writes on the bus.
 */
export function contractSchemas(): Record<string, object> {
  const out: Record<string, object> = {};
  const add = (name: string, schema: z.ZodType, io: 'input' | 'output' = 'output') => {
    out[name] = z.toJSONSchema(schema, { io, unrepresentable: 'any', target: 'draft-2020-12' });
  };
  for (const def of Object.values(events)) add(`bus/${def.name}`, def.schema);
  for (const def of Object.values(requests)) {
    add(`bus/${def.name}.request`, def.request, 'input');
    add(`bus/${def.name}.response`, def.response);
  }
  add('ws/client.message', ClientChatFrame, 'input');
  add('ws/server.v1.session', SessionFrameV1);
  add('ws/server.v1.bot', BotFrameV1);
  add('ws/server.v1.error', ErrorFrameV1);
  add('ws/server.v1.agent', AgentFrameV1);
  add('ws/client.handoff', ClientHandoffFrame, 'input');
  add('ws/server.v2', ServerFrameV2);
  add('ws/client.seed001', Seed001ClientFrame, 'input');
  add('ws/server.seed001', Seed001ServerFrame);
  add('ws/client.seed002', Seed002ClientFrame, 'input');
  add('ws/server.seed002', Seed002ServerFrame);
  add('ws/server.agents', AgentServerFrame);
  add('rest/faq-list.response', rest.FaqListResponse);
  add('rest/term-list.response', rest.TermListResponse);
  add('rest/personas.response', rest.PersonasResponse);
  add('rest/login.request', rest.LoginRequest, 'input');
  add('rest/persona-id.request', rest.PersonaIdRequest, 'input');
  add('rest/persona-id.response', rest.PersonaIdResponse);
  add('rest/feedback.request', rest.FeedbackRequest, 'input');
  add('rest/feedback.response', rest.FeedbackResponse);
  add('rest/error.response', rest.ErrorResponse);
  add('rest/attachment.response', attachments.AttachmentResponse);
  add('rest/attachment.limits.response', attachments.UploadLimitsResponse);
  addAccountBodies(add);
  add('rest/chatbot.settings.request', chatbot.ChatbotSettings, 'input');
  add('rest/chatbot.settings.response', chatbot.ChatbotSettingsRecord);
  add('rest/chatbot.settings.history.response', chatbot.ChatbotSettingsHistoryResponse);
  add('rest/chat.summary.response', chatbot.ChatSummaryResponse);
  add('rest/chat.greeting.response', chatbot.GreetingResponse);
  addConversationBodies(add);
  addHandoffBodies(add);
  return out;
}

function addAccountBodies(add: (name: string, schema: z.ZodType, io?: 'input' | 'output') => void) {
  add('rest/auth.register.request', accounts.RegisterRequest, 'input');
  add('rest/auth.login.request', accounts.PasswordLoginRequest, 'input');
  add('rest/auth.refresh.request', accounts.RefreshRequest, 'input');
  add('rest/auth.logout.request', accounts.LogoutRequest, 'input');
  add('rest/auth.token.response', accounts.TokenResponse);
  add('rest/auth.change-password.request', accounts.ChangePasswordRequest, 'input');
  add('rest/account.response', accounts.AccountResponse);
  add('rest/profile.update.request', accounts.ProfileUpdateRequest, 'input');
  add('rest/usage.response', accounts.UsageResponse);
  add('rest/admin.role.request', accounts.RoleChangeRequest, 'input');
  add('rest/api-key.create.request', accounts.ApiKeyCreateRequest, 'input');
  add('rest/api-key.created.response', accounts.ApiKeyCreatedResponse);
  add('rest/api-key.list.response', accounts.ApiKeyListResponse);
}

function addHandoffBodies(add: (name: string, schema: z.ZodType, io?: 'input' | 'output') => void) {
  add('rest/handoff.transition.request', handoff.TransitionRequest, 'input');
  add('rest/handoff.conversation.response', handoff.ConversationResponse);
  add('rest/handoff.conflict.response', handoff.HandoffConflictResponse);
  add('rest/handoff.agent-message.request', handoff.AgentMessageRequest, 'input');
  add('rest/handoff.agent-message.response', handoff.AgentMessageResponse);
  add('rest/handoff.page.response', handoff.ConversationPageResponse);
}

function addConversationBodies(add: (name: string, schema: z.ZodType, io?: 'input' | 'output') => void) {
  add('rest/conversation.create.request', conversations.ConversationCreateRequest, 'input');
  add('rest/conversation.rename.request', conversations.ConversationRenameRequest, 'input');
  add('rest/conversation.response', conversations.Conversation);
  add('rest/conversation.list.response', conversations.ConversationListResponse);
  add('rest/conversation.deleted.response', conversations.ConversationDeletedResponse);
  add('rest/history.page.response', conversations.HistoryPageResponse);
}
