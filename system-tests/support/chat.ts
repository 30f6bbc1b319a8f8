/** Small helpers the system tests share: sockets as a client opens them, frames by kind, rows. */
import { Client } from 'pg';
import { UNAVAILABLE_MESSAGE } from '@chatbot/proto';
import { TestSocket, type TestSystem } from '@chatbot/testkit';

export type Frame = Record<string, unknown>;

export interface Session {
  socket: TestSocket;
  sessionId: string;
}

/** A v2 socket (`?protocol=2`, optionally resuming), once its session frame arrived. */
export async function openV2(system: TestSystem, resume?: { sessionId: string; lastSeq: number }, gateway = 0): Promise<Session> {
  const query = resume ? `?protocol=2&session_id=${resume.sessionId}&last_seq=${resume.lastSeq}` : '?protocol=2';
  const socket = await TestSocket.open(system.ws(gateway, query));
  const [session] = await socket.waitFor((f) => f.type === 'session');
  return { socket, sessionId: session.session_id as string };
}

/** A seed-protocol socket, once its `{session_id}` frame arrived. */
export async function openV1(system: TestSystem, gateway = 0): Promise<Session> {
  const socket = await TestSocket.open(system.ws(gateway));
  const [first] = await socket.waitFor(() => true);
  return { socket, sessionId: first.session_id as string };
}

const asFrames = (socket: TestSocket) => socket.frames.filter((f): f is Frame => typeof f === 'object' && f !== null);

/** Final answers: v2 `reply` frames and v1 bot frames, optionally for one message id. */
export function finalFrames(socket: TestSocket, messageId?: string): Frame[] {
  return asFrames(socket).filter((f) => (f.type === 'reply' || f.sender === 'bot') && (messageId === undefined || f.message_id === messageId));
}

export const isUnavailable = (frame: Frame) => frame.message === UNAVAILABLE_MESSAGE;

/** v2 `error` frames and v1 `{error}` frames. */
export function errorFrames(socket: TestSocket): Frame[] {
  return asFrames(socket).filter((f) => f.type === 'error' || (f.type === undefined && typeof f.error === 'string'));
}

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** Reads what chat-log stored, straight from its tables. */
export class ChatLogRows {
  private constructor(private readonly db: Client) {}

  static async open(system: TestSystem): Promise<ChatLogRows> {
    const db = new Client({ connectionString: system.env.databaseUrl });
    await db.connect();
    return new ChatLogRows(db);
  }

  async messages(messageId: string): Promise<number> {
    const result = await this.db.query('SELECT count(*)::int AS n FROM chat_log.messages WHERE message_id = $1', [messageId]);
    return result.rows[0].n as number;
  }

  async ofSessions(sessionIds: string[]): Promise<number> {
    const result = await this.db.query('SELECT count(*)::int AS n FROM chat_log.messages WHERE session_id = ANY($1::uuid[])', [sessionIds]);
    return result.rows[0].n as number;
  }

  close(): Promise<void> {
    return this.db.end();
  }
}

/** One sample of a Prometheus counter or gauge (0 when the series does not exist yet). */
export async function metric(baseUrl: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${baseUrl}/metrics`)).text();
  const line = text.split('\n').find((l) => (l.startsWith(`${name}{`) || l.startsWith(`${name} `)) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

/** The text of the last user message of an OpenAI-style request (what the stub LLM answers to). */
export function lastUserText(request: { messages?: unknown[] }): string {
  const users = (request.messages ?? []).filter((m) => (m as { role?: string }).role === 'user');
  const last = users[users.length - 1] as { content?: unknown } | undefined;
  return typeof last?.content === 'string' ? last.content : '';
}
