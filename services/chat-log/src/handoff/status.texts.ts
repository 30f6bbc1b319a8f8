import { randomUUID } from 'node:crypto';
import type { ConversationStatus } from '@chatbot/proto';
import type { ReplyRow } from '../commit/reply-row.mapper';

/** What the user reads when the conversation's status changes (a durable `system` frame). */
export const STATUS_TEXTS: Record<ConversationStatus, string> = {
  waiting: '상담원 연결을 요청했습니다. 곧 상담원이 답변드립니다.',
  agent: '상담원이 연결되었습니다.',
  bot: '상담원 상담이 끝났습니다. 이제 챗봇이 답변합니다.',
  completed: '상담이 종료되었습니다.',
};

/** A push telling of a status change, placed after `afterTurn` among the turns. */
export function statusRow(sessionId: string, status: ConversationStatus, afterTurn: number): ReplyRow {
  const id = randomUUID();
  return {
    id,
    session_id: sessionId,
    kind: 'push',
    reply_id: `status:${id}`,
    frame_message_id: `status:${id}`,
    message: STATUS_TEXTS[status],
    login_required: false,
    source: 'chat-log',
    sender: 'system',
    announces_status: status,
    after_turn: afterTurn,
  };
}

/** An agent's message: a push with sender `agent`. */
export function agentRow(sessionId: string, text: string, afterTurn: number): ReplyRow {
  const id = randomUUID();
  return {
    id,
    session_id: sessionId,
    kind: 'push',
    reply_id: `agent:${id}`,
    frame_message_id: `agent:${id}`,
    message: text,
    login_required: false,
    source: 'agent',
    sender: 'agent',
    after_turn: afterTurn,
  };
}

/** Takes a message's turn in place of the assistant's reply; released silently in turn order. */
export function handedRow(sessionId: string, messageId: string, turn: number, status: ConversationStatus): ReplyRow {
  return {
    id: randomUUID(),
    session_id: sessionId,
    kind: 'handed',
    prompt_message_id: messageId,
    turn,
    reply_id: `handed:${messageId}`,
    frame_message_id: `handed:${messageId}`,
    message: '',
    login_required: false,
    source: 'chat-log',
    announces_status: status,
  };
}
