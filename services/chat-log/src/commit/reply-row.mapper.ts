import { randomUUID } from 'node:crypto';
import type { ChatReplyV1 } from '@chatbot/proto';
import type { PromptRow } from './reply.planner';
import { storable, storableList } from '../store/text';

/** A `chat_log.replies` row to insert, keyed like the columns (it travels as jsonb). */
export interface ReplyRow {
  id: string;
  session_id: string;
  kind: ChatReplyV1['kind'] | 'handed';
  prompt_message_id?: string;
  turn?: number;
  reply_id: string;
  frame_message_id: string;
  message: string;
  login_required: boolean;
  card_list?: string[];
  related_questions?: string[];
  tool_name?: string;
  usage?: ChatReplyV1['usage'];
  source: string;
  error_code?: string;
  /** Set when the row is released as it is inserted. */
  seq?: number;
  /** A handed row released as it is inserted (it never gets a seq). */
  settled?: boolean;
  /** Who wrote it when not the assistant (handoff pushes). */
  sender?: 'agent' | 'system';
  /** A `system` push: the status it announces. */
  announces_status?: string;
  /** A handoff push: the last turn stored when it was committed. */
  after_turn?: number;
}

/** An answer or failure is shown under its prompt's id and takes the prompt's turn. */
export function answerRow(candidate: ChatReplyV1, prompt: PromptRow): ReplyRow {
  const promptMessageId = candidate.prompt_message_id!;
  return { ...baseRow(candidate, promptMessageId), prompt_message_id: promptMessageId, turn: prompt.turn };
}

/** A login prompt: the prompt (and turn) of a reply that asked the session to log in. */
export interface LoginPrompt {
  promptMessageId: string;
  turn: number;
}

/**
 * A push is shown under the prompt of the session's latest reply that asked for login (the
 * client offered the persona buttons there), else under its own reply id.
 */
export function pushRow(candidate: ChatReplyV1, login: LoginPrompt | undefined): ReplyRow {
  return baseRow(candidate, login?.promptMessageId ?? candidate.reply_id);
}

/** The latest login prompt per session: from the database, or from answers of this very batch. */
export function latestLoginPrompts(stored: Map<string, LoginPrompt>, batch: ReplyRow[]): Map<string, LoginPrompt> {
  const latest = new Map(stored);
  for (const row of batch) {
    if (!row.login_required || row.turn === undefined || row.prompt_message_id === undefined) continue;
    if ((latest.get(row.session_id)?.turn ?? 0) < row.turn) {
      latest.set(row.session_id, { promptMessageId: row.prompt_message_id, turn: row.turn });
    }
  }
  return latest;
}

function baseRow(c: ChatReplyV1, frameMessageId: string): ReplyRow {
  return {
    id: randomUUID(),
    session_id: c.session_id,
    kind: c.kind,
    reply_id: c.reply_id,
    frame_message_id: frameMessageId,
    message: storable(c.answer.message),
    login_required: c.answer.login_required,
    card_list: storableList(c.answer.card_list),
    related_questions: storableList(c.answer.related_questions),
    tool_name: c.answer.tool_name,
    usage: c.usage,
    source: c.source,
    error_code: c.error_code,
  };
}
