import { copyFileSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { randomUUID } from 'node:crypto';
import { createLogger } from '@chatbot/runtime';
import { migrate } from '@chatbot/store';
import { isolate, type TestEnv } from '@chatbot/testkit';
import { createDb, DB_SCHEMA, type Db } from './database';

const dir = path.join(__dirname, '..', '..', 'prisma', 'migrations');
const logger = createLogger('chat-log-schema-test', 'silent');
let env: TestEnv;
let db: Db;

beforeAll(async () => {
  env = await isolate();
  db = createDb(env.databaseUrl, 2);
});
afterAll(async () => {
  await db?.$disconnect();
  await env?.cleanup();
});

test('migrates an empty database once, and a second start applies nothing', async () => {
  expect(await migrate({ databaseUrl: env.databaseUrl, schema: DB_SCHEMA, dir, logger })).toEqual([
    '001_init.sql', '002_outbox_table.sql', '003_waiting_sessions.sql', '004_conversations.sql', '005_message_system_prompt.sql', '006_handoff.sql',
    '007_summaries.sql', '008_attachments.sql', '009_status_outbox.sql', '010_attachment_retention.sql', '011_agent_outbox.sql',
  ]);
  expect(await migrate({ databaseUrl: env.databaseUrl, schema: DB_SCHEMA, dir, logger })).toEqual([]);
});

test('002 and 003 move what a 001 database left unpublished and waiting into their tables', async () => {
  const old = await isolate();
  const firstOnly = mkdtempSync(path.join(tmpdir(), 'chat-log-001-'));
  copyFileSync(path.join(dir, '001_init.sql'), path.join(firstOnly, '001_init.sql'));
  const pg = createDb(old.databaseUrl, 1);
  try {
    await migrate({ databaseUrl: old.databaseUrl, schema: DB_SCHEMA, dir: firstOnly, logger });
    const [sessionId, waitingId] = [randomUUID(), randomUUID()];
    await pg.$executeRawUnsafe(`INSERT INTO chat_log.sessions (id, next_turn, released_turn, last_seq) VALUES ($1::uuid, 3, 2, 2)`, sessionId);
    await pg.$executeRawUnsafe(`INSERT INTO chat_log.sessions (id, next_turn, released_turn, last_seq) VALUES ($1::uuid, 2, 0, 0)`, waitingId);
    for (const turn of [1, 2]) {
      await pg.$executeRawUnsafe(
        `INSERT INTO chat_log.messages (message_id, session_id, turn, text, received_at, inbound_seq) VALUES ($1, $2::uuid, $3::int, 'x', now(), $3::int)`,
        `old-${turn}`, sessionId, turn,
      );
      await pg.$executeRawUnsafe(
        `INSERT INTO chat_log.replies (id, session_id, kind, prompt_message_id, turn, reply_id, frame_message_id, message, source, seq, released_at, published_at)
         VALUES ($1::uuid, $2::uuid, 'answer', $3::text, $4::int, $3::text, $3::text, 'a', 'qna-cache', $4::int, now(), ${turn === 1 ? 'now()' : 'NULL'})`,
        randomUUID(), sessionId, `old-${turn}`, turn,
      );
    }
    expect(await migrate({ databaseUrl: old.databaseUrl, schema: DB_SCHEMA, dir, logger })).toEqual([
      '002_outbox_table.sql', '003_waiting_sessions.sql', '004_conversations.sql', '005_message_system_prompt.sql', '006_handoff.sql',
      '007_summaries.sql', '008_attachments.sql', '009_status_outbox.sql', '010_attachment_retention.sql', '011_agent_outbox.sql',
    ]);
    expect(await pg.$queryRawUnsafe(`SELECT session_id::text, seq FROM chat_log.outbox`)).toEqual([{ session_id: sessionId, seq: 2 }]);
    expect(await pg.$queryRawUnsafe(`SELECT session_id::text FROM chat_log.waiting_sessions`)).toEqual([{ session_id: waitingId }]);
  } finally {
    await pg.$disconnect();
    rmSync(firstOnly, { recursive: true, force: true });
    await old.cleanup();
  }
});

test('every model reads and writes through the generated client', async () => {
  const sessionId = randomUUID();
  await db.session.create({ data: { id: sessionId } });
  await db.message.create({
    data: { messageId: 'p1', sessionId, turn: 1, text: '연회비', clientTimestamp: 'now', receivedAt: new Date(), inboundSeq: 7n },
  });
  await db.reply.create({
    data: {
      id: randomUUID(),
      sessionId,
      kind: 'answer',
      promptMessageId: 'p1',
      turn: 1,
      replyId: 'r1',
      frameMessageId: 'p1',
      message: '답변',
      loginRequired: true,
      cardList: ['카드의정석2'],
      relatedQuestions: ['q?'],
      toolName: 'get_card_description',
      usage: { prompt_tokens: 1, completion_tokens: 1, total_tokens: 2 },
      source: 'llm-dispatch',
      seq: 1,
      releasedAt: new Date(),
    },
  });
  await db.reply.create({
    data: { id: randomUUID(), sessionId, kind: 'push', replyId: 'r2', frameMessageId: 'p1', message: 'push', source: 'persona', errorCode: null },
  });
  await db.session.update({ where: { id: sessionId }, data: { nextTurn: 2, releasedTurn: 1, lastSeq: 1, ownerId: randomUUID(), title: '카드 추천', deletedAt: null } });
  await db.outboxFrame.create({ data: { sessionId, seq: 1 } });
  await db.waitingSession.create({ data: { sessionId } });
  expect(await db.waitingSession.count({ where: { sessionId } })).toBe(1);
  const summary = { sessionId, trigger: 'waiting', version: 1, issue: '분실', tried: '안내', open: '', category: 'lost_card', source: 'extractive' };
  await db.summary.create({ data: summary });
  await expect(db.summary.create({ data: summary })).rejects.toThrow(); // one per transition
  await expect(db.summary.create({ data: { ...summary, version: 2, source: 'guess' } })).rejects.toThrow();
  expect(await db.summary.findUnique({ where: { sessionId_trigger_version: { sessionId, trigger: 'waiting', version: 1 } } })).toMatchObject({ category: 'lost_card' });

  const session = await db.session.findUniqueOrThrow({
    where: { id: sessionId },
    include: { messages: { include: { reply: true } }, replies: { orderBy: { replyId: 'asc' } }, summaries: true },
  });
  expect(session).toMatchObject({ nextTurn: 2, releasedTurn: 1, lastSeq: 1, title: '카드 추천', deletedAt: null, summaries: [expect.objectContaining({ trigger: 'waiting', version: 1 })] });
  expect(session.updatedAt).toBeInstanceOf(Date);
  expect(session.messages[0]).toMatchObject({ text: '연회비', inboundSeq: 7n, reply: { replyId: 'r1', cardList: ['카드의정석2'] } });
  expect(session.replies.map((r) => [r.kind, r.turn, r.seq])).toEqual([['answer', 1, 1], ['push', null, null]]);
  const withPrompt = await db.reply.findUniqueOrThrow({ where: { replyId: 'r1' }, include: { prompt: true, session: true } });
  expect(withPrompt.prompt?.messageId).toBe('p1');
  expect(await db.reply.findUnique({ where: { sessionId_seq: { sessionId, seq: 1 } } })).toMatchObject({ replyId: 'r1' });
  expect(await db.message.findUnique({ where: { sessionId_turn: { sessionId, turn: 1 } } })).toMatchObject({ messageId: 'p1' });
  expect(await db.outboxFrame.findUnique({ where: { sessionId_seq: { sessionId, seq: 1 } } })).toEqual({ sessionId, seq: 1 });
  const event = { type: 'session_removed', session_id: sessionId, at: new Date().toISOString() };
  await db.agentOutbox.create({ data: { msgId: `${sessionId}:agent:removed`, sessionId, event } });
  expect(await db.agentOutbox.findUniqueOrThrow({ where: { msgId: `${sessionId}:agent:removed` } })).toMatchObject({ sessionId, event, queuedAt: expect.any(Date) });
});

test('an attachment is written pending, completed, linked to its message and read back through the generated client', async () => {
  const sessionId = randomUUID();
  const id = randomUUID();
  await db.session.create({ data: { id: sessionId, nextTurn: 2 } });
  await db.message.create({ data: { messageId: 'att-m1', sessionId, turn: 1, text: '첨부', receivedAt: new Date(), inboundSeq: 1n } });
  await db.attachment.create({ data: { id, ownerId: randomUUID(), sessionId, name: 'receipt.pdf' } });
  // complete needs its size, hash, type and time (CHECK)
  await expect(db.attachment.update({ where: { id }, data: { state: 'complete' } })).rejects.toThrow();
  await db.attachment.update({
    where: { id },
    data: { state: 'complete', size: 42n, sha256: 'a'.repeat(64), contentType: 'application/pdf', completedAt: new Date(), messageId: 'att-m1' },
  });
  const message = await db.message.findUniqueOrThrow({ where: { messageId: 'att-m1' }, include: { attachments: true } });
  expect(message.attachments).toEqual([expect.objectContaining({ id, state: 'complete', size: 42n, contentType: 'application/pdf', messageId: 'att-m1' })]);
  await expect(db.attachment.create({ data: { id: randomUUID(), ownerId: randomUUID(), sessionId, name: 'x', state: 'stolen' } })).rejects.toThrow();
});

test('the database enforces one reply per prompt and the shape of pushes', async () => {
  const sessionId = randomUUID();
  await db.session.create({ data: { id: sessionId, nextTurn: 2 } });
  await db.message.create({ data: { messageId: 'q1', sessionId, turn: 1, text: 'x', receivedAt: new Date(), inboundSeq: 1n } });
  const answer = { sessionId, kind: 'answer' as const, promptMessageId: 'q1', turn: 1, frameMessageId: 'q1', message: 'a', source: 'qna-cache' };
  await db.reply.create({ data: { id: randomUUID(), replyId: 'a1', ...answer } });
  await expect(db.reply.create({ data: { id: randomUUID(), replyId: 'a2', ...answer } })).rejects.toThrow();
  await expect(
    db.reply.create({ data: { id: randomUUID(), sessionId, kind: 'push', promptMessageId: 'q1', replyId: 'p', frameMessageId: 'q1', message: 'p', source: 'persona' } }),
  ).rejects.toThrow();
});

test('a handed row takes its turn without a seq, and an agent holds only an `agent` conversation', async () => {
  const sessionId = randomUUID();
  const agentId = randomUUID();
  await db.session.create({ data: { id: sessionId, nextTurn: 2, status: 'waiting', statusVersion: 1 } });
  await db.message.create({ data: { messageId: 'h1', sessionId, turn: 1, text: 'x', receivedAt: new Date(), inboundSeq: 1n } });
  const handed = { sessionId, kind: 'handed' as const, promptMessageId: 'h1', turn: 1, frameMessageId: 'handed:h1', message: '', source: 'chat-log' };
  await db.reply.create({ data: { id: randomUUID(), replyId: 'handed:h1', releasedAt: new Date(), ...handed } });
  await expect(db.reply.create({ data: { id: randomUUID(), replyId: 'handed:h1b', ...handed, seq: 1, releasedAt: new Date() } })).rejects.toThrow();
  await db.reply.create({
    data: { id: randomUUID(), sessionId, kind: 'push', replyId: 'ag1', frameMessageId: 'ag1', message: 'hello', source: 'agent', sender: 'agent', afterTurn: 1 },
  });
  await expect(db.session.update({ where: { id: sessionId }, data: { status: 'agent' } })).rejects.toThrow();
  await db.session.update({ where: { id: sessionId }, data: { status: 'agent', holderId: agentId, statusVersion: 2, agentAnsweredTurn: 1 } });
  expect(await db.session.findUniqueOrThrow({ where: { id: sessionId } })).toMatchObject({ status: 'agent', holderId: agentId, statusVersion: 2 });
  expect(await db.reply.findMany({ where: { sessionId }, orderBy: { replyId: 'asc' }, select: { kind: true, sender: true, afterTurn: true } })).toEqual([
    { kind: 'push', sender: 'agent', afterTurn: 1 },
    { kind: 'handed', sender: null, afterTurn: null },
  ]);
});
