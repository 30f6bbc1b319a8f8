import { Client } from 'pg';

/** A committed reply row of chat_log.replies, as the checks need it. */
export interface ReplyRow {
  promptMessageId: string;
  kind: string;
  message: string;
  seq: number | null;
  source: string;
}

export interface MessageRow {
  messageId: string;
  sessionId: string;
  turn: number;
}

/** Read-only access to chat-log's tables: the source of truth the client's view is checked against. */
export class ChatLogReader {
  private constructor(private readonly client: Client) {}

  static async open(databaseUrl: string): Promise<ChatLogReader> {
    const client = new Client({ connectionString: databaseUrl, connectionTimeoutMillis: 5_000 });
    await client.connect();
    client.on('error', () => undefined); // a Postgres restart ends the connection; queries then fail loudly
    return new ChatLogReader(client);
  }

  /** Rows of chat_log.messages for these ids (one per id unless the store double-wrote). */
  async messages(ids: string[]): Promise<MessageRow[]> {
    const result = await this.client.query<MessageRow>(
      `SELECT message_id AS "messageId", session_id::text AS "sessionId", turn
         FROM chat_log.messages WHERE message_id = ANY($1::text[])`,
      [ids],
    );
    return result.rows;
  }

  /** Rows of chat_log.replies answering these prompts. */
  async replies(promptIds: string[]): Promise<ReplyRow[]> {
    const result = await this.client.query<ReplyRow>(
      `SELECT prompt_message_id AS "promptMessageId", kind::text AS kind, message, seq, source
         FROM chat_log.replies WHERE prompt_message_id = ANY($1::text[])`,
      [promptIds],
    );
    return result.rows;
  }

  /**
   * Messages handed to an agent (the handoff) with no agent message committed after them: an
   * agent message counts for every message stored before it in its conversation.
   */
  async handedWithoutAgentMessage(sessionIds: string[]): Promise<Array<{ messageId: string; turn: number }>> {
    const result = await this.client.query<{ messageId: string; turn: number }>(
      `SELECT h.prompt_message_id AS "messageId", h.turn FROM chat_log.replies h
         WHERE h.session_id = ANY($1::uuid[]) AND h.kind::text = 'handed'
           AND NOT EXISTS (SELECT 1 FROM chat_log.replies a
             WHERE a.session_id = h.session_id AND a.sender = 'agent' AND a.after_turn >= h.turn)`,
      [sessionIds],
    );
    return result.rows;
  }

  /** Sessions whose released turn lags their last stored turn: the release order is stuck. */
  async stalledSessions(sessionIds: string[]): Promise<number> {
    const result = await this.client.query<{ n: string }>(
      'SELECT count(*) AS n FROM chat_log.sessions WHERE id = ANY($1::uuid[]) AND released_turn <> next_turn - 1',
      [sessionIds],
    );
    return Number(result.rows[0].n);
  }

  async countStored(ids: string[]): Promise<number> {
    const result = await this.client.query<{ n: string }>(
      'SELECT count(DISTINCT message_id) AS n FROM chat_log.messages WHERE message_id = ANY($1::text[])',
      [ids],
    );
    return Number(result.rows[0].n);
  }

  async close(): Promise<void> {
    await this.client.end().catch(() => undefined);
  }
}

/** Groups rows by a key. */
export function countBy<T>(rows: T[], key: (row: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const row of rows) {
    const k = key(row);
    const list = groups.get(k);
    if (list) list.push(row);
    else groups.set(k, [row]);
  }
  return groups;
}
