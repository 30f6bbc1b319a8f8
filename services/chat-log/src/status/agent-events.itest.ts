import { randomUUID } from 'node:crypto';
import type { AgentEventV1 } from '@chatbot/proto';
import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';
import { applyTransition, sendAgentMessage } from '../handoff/handoff.repository';
import { storeMessages } from '../ingest/message.repository';
import { commitReplies } from '../commit/reply.repository';
import type { InboundMessage } from '../ingest/message.planner';
import type { Db } from '../store/database';

/**
 * agent.event.v1 as chat-log tells it: the messages handed to agents, agents' words, status
 * notices and the unread counts handed messages and agents' words move (a `bot` conversation's
 * messages and replies stay off the stream), each queued in the agent outbox by the transaction that
 * commits it, published with a Msg-Id; what a crash kept from the broker is published at the next start.
 */
let h: Harness;
const AGENT = randomUUID();
const RULES = { keywords: [], onCompleted: 'reopen' as const };

beforeAll(async () => {
  h = await Harness.start({ OUTBOX_INTERVAL_MS: '500' });
});
afterAll(async () => {
  await h?.stop();
});

const agentEvents = (sessionId: string) => h.keptInBroker<AgentEventV1>('AGENT_EVENTS', sessionId);
const told = (events: Array<{ payload: AgentEventV1; msgId: string }>) =>
  events.map(({ payload: e, msgId }) => [e.type, e.type === 'new_message' ? `${e.sender}: ${e.message}` : e.type === 'unread_count_updated' ? e.unread_count : null, msgId]);
const queued = (sessionId: string) => h.db.agentOutbox.findMany({ where: { sessionId }, orderBy: { queuedAt: 'asc' } });
const inbound = (sessionId: string, messageId: string, text: string): InboundMessage => ({
  sessionId, messageId, userId: null, text, clientTimestamp: null, receivedAt: new Date(), inboundSeq: 1, systemPrompt: null,
});

/** The statements each transaction on `db.pool` sends, in order (the store and commit transactions use nothing else of it). */
function recording(db: Db): { db: Db; statements: string[] } {
  const statements: string[] = [];
  const pool = {
    connect: async () => {
      const client = await db.pool.connect();
      const query = client.query.bind(client) as (config: string | { text: string }) => Promise<unknown>;
      return Object.assign(Object.create(client) as object, {
        query: (config: string | { text: string }) => {
          statements.push(typeof config === 'string' ? config : config.text);
          return query(config);
        },
        release: (error?: Error) => client.release(error),
        on: client.on.bind(client),
        off: client.off.bind(client),
      });
    },
  };
  return { db: { pool } as unknown as Db, statements };
}

test('a `bot` conversation costs the agents\' stream nothing: its message and reply queue no event and write no outbox row', async () => {
  const sessionId = newSession();
  const store = recording(h.db);
  const { plan } = await storeMessages(store.db, [inbound(sessionId, newMessageId('rec'), 'hello')], 0, RULES);
  const commit = recording(h.db);
  const committed = await commitReplies(commit.db, [{
    reply_id: randomUUID(), session_id: sessionId, kind: 'answer', prompt_message_id: plan.inserts[0].messageId,
    answer: { message: 'hi', login_required: false }, source: 'qna-cache', produced_at: new Date().toISOString(),
  }]);
  expect(committed.released.map((f) => f.message)).toEqual(['hi']);
  const writesOutbox = (s: string) => s.includes('chat_log.agent_outbox');
  expect(store.statements.some((s) => s.includes('INSERT INTO chat_log.messages'))).toBe(true);
  expect(store.statements.filter(writesOutbox)).toEqual([]);
  // the frame-outbox statement names the agent outbox, but its filter keeps a bot reply out of it
  expect(commit.statements.some((s) => s.includes('INSERT INTO chat_log.outbox'))).toBe(true);
  expect(await queued(sessionId)).toEqual([]);
});

test('handed messages and an agent\'s words are queued by the transactions that commit them, and a restarted chat-log publishes what a crash left', async () => {
  const sessionId = newSession();
  h.answerWhenStored([sessionId]);
  const first = newMessageId('first');
  await h.send(sessionId, first, 'hello');
  await waitFor('the first answer', () => h.frames(sessionId).some((f) => f.prompt_message_id === first));
  h.service.process.kill('SIGKILL');
  // What the killed process's consumers and endpoints commit, with no process left to publish it.
  expect((await applyTransition(h.db, { session_id: sessionId, action: 'takeover', actor_id: AGENT })).outcome).toBe('changed');
  const held = newMessageId('held');
  const stored = await storeMessages(h.db, [inbound(sessionId, held, 'my card is lost')], 0, RULES);
  expect(stored.answerers.handed.map((m) => m.messageId)).toEqual([held]);
  const sent = await sendAgentMessage(h.db, sessionId, AGENT, 'I blocked it for you.');
  expect(sent.outcome).toBe('sent');
  const agentFrame = sent.released.find((f) => f.sender === 'agent')!;
  const expected = [
    ['new_message', `system: ${'상담원이 연결되었습니다.'}`, `${sessionId}:agent:frame:2`],
    ['new_message', 'user: my card is lost', `${sessionId}:agent:user:${held}`],
    ['unread_count_updated', 1, `${sessionId}:agent:unread:${held}`],
    ['new_message', 'agent: I blocked it for you.', `${sessionId}:agent:frame:${agentFrame.seq}`],
    ['unread_count_updated', 0, `${sessionId}:agent:unread:${agentFrame.frameMessageId}`],
  ];
  expect((await queued(sessionId)).map((r) => r.msgId)).toEqual(expected.map((e) => e[2]));
  expect(await agentEvents(sessionId)).toEqual([]);

  await h.startService();
  const events = await waitFor('the queued events published', async () => {
    const kept = await agentEvents(sessionId);
    return kept.length === expected.length + 1 ? kept : undefined; // and the takeover's status change
  });
  expect(told(events.filter((e) => e.payload.type !== 'session_status_changed'))).toEqual(expected);
  await waitFor('the agent outbox emptied', async () => (await queued(sessionId)).length === 0);
});
