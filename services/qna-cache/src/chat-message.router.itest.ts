import { randomUUID } from 'node:crypto';
import { Client } from 'pg';
import { Bus } from '@chatbot/bus';
import type { ChatReplyV1, ChatStoredV1, LlmJobV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, type RunningService, type TestEnv } from '@chatbot/testkit';
import faqs from '../data/faqs.json';
import terms from '../data/terms.json';

const logger = createLogger('qna-router-test', 'silent');
let env: TestEnv;
let service: RunningService;
let bus: Bus;
let db: Client;
const replies: ChatReplyV1[] = [];
const jobs: LlmJobV1[] = [];

async function eventually<T>(probe: () => Promise<T> | T, ok: (value: T) => boolean, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (ok(value) || Date.now() > deadline) return value;
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

const consumer = (stream: 'CHAT_REPLIES' | 'LLM_JOBS', durable: string) =>
  ({ stream, durable, ackWaitMs: 5_000, maxDeliver: 5, maxAckPending: 1_000 });

beforeAll(async () => {
  env = await isolate();
  service = await startService('qna-cache', env.env);
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'qna-router-test', logger });
  await bus.ensureStreams(['CHAT_STORED', 'CHAT_REPLIES', 'LLM_JOBS']);
  await bus.consumeBatches('chatReply', consumer('CHAT_REPLIES', 'test-replies'), { maxBatch: 100 }, async (batch) => {
    replies.push(...batch.map((d) => d.payload));
  });
  await bus.consumeBatches('llmJob', consumer('LLM_JOBS', 'test-jobs'), { maxBatch: 100 }, async (batch) => {
    jobs.push(...batch.map((d) => d.payload));
  });
  db = new Client({ connectionString: env.databaseUrl });
  await db.connect();
});
afterAll(async () => {
  await service?.process.stop();
  await bus?.close();
  await db?.end();
  await env.cleanup();
});

let sent = 0;
const turns = new Map<string, number>();
/** What chat-log publishes once it stored a message (a unique dedupe id: copies get through). */
async function send(sessionId: string, text: string, messageId = `m-${++sent}`, history: ChatStoredV1['history'] = []): Promise<ChatStoredV1> {
  const turn = (turns.get(sessionId) ?? 0) + 1;
  turns.set(sessionId, turn);
  const message: ChatStoredV1 = { session_id: sessionId, message_id: messageId, turn, text, received_at: new Date().toISOString(), history };
  await bus.publish('chatStored', sessionId, message, { msgId: `${sessionId}:${messageId}:${randomUUID()}`, correlationId: `corr-${messageId}` });
  return message;
}
const replyTo = (message: ChatStoredV1) => () => replies.filter((r) => r.prompt_message_id === message.message_id && r.session_id === message.session_id);
const jobsOf = (sessionId: string) => () => jobs.filter((j) => j.session_id === sessionId);
const views = async (table: 'faqs' | 'terms', id: string) =>
  (await db.query(`SELECT views FROM qna_cache.${table} WHERE ${table === 'faqs' ? 'faq_id' : 'term_id'} = $1`, [id])).rows[0].views as number;
/** One query at a time: a pg Client given concurrent queries warns that pg 9 will refuse them. */
async function sampleViews(): Promise<number[]> {
  const counts: number[] = [];
  for (const n of [0, 5, 10, 15, 20, 25]) counts.push(await views('faqs', faqs[n].faq_id));
  return counts;
}

test('answers an FAQ question written with other spacing, width and Unicode form from the cache, counting the view', async () => {
  const faq = faqs.find((f) => f.faq_id === 'FAQ-053')!;
  expect(faq.question).toBe('해외원화결제(DCC)를 차단할 수 있나요?');
  const before = await views('faqs', faq.faq_id);
  const session = randomUUID();
  const message = await send(session, '  해외원화결제（ｄｃｃ）를 \n 차단할   수 있나요？ '.normalize('NFD'));

  const [reply] = await eventually(replyTo(message), (r) => r.length > 0);
  expect(reply).toEqual({
    reply_id: `cache:${session}:${message.message_id}`,
    session_id: session,
    kind: 'answer',
    prompt_message_id: message.message_id,
    answer: { message: `[${faq.category}]\n\n질문: ${faq.question}\n\n답변: ${faq.answer}`, login_required: false },
    source: 'qna-cache',
    produced_at: expect.any(String),
  });
  expect(await eventually(() => views('faqs', faq.faq_id), (v) => v === before + 1)).toBe(before + 1);
  expect(jobsOf(session)()).toEqual([]);
});

test('answers a term from the cache and counts every view of a burst', async () => {
  const term = terms.find((t) => t.term === '리볼빙')!;
  const before = await views('terms', term.term_id);
  const session = randomUUID();
  const burst = [await send(session, '리볼빙'), await send(session, 'ＲＥＶＯＬＶＩＮＧ'), await send(session, ' 리볼빙 '), await send(session, '리볼빙')];
  await eventually(() => replies.filter((r) => r.session_id === session), (r) => r.length === 3);
  expect(replyTo(burst[0])()[0].answer.message).toBe(`**리볼빙** (${term.english})\n\n${term.definition}`);
  expect(await eventually(() => views('terms', term.term_id), (v) => v === before + 3)).toBe(before + 3);
  // the English name is not a cache key: it goes to the LLM like any other text
  expect(await eventually(jobsOf(session), (j) => j.length === 1)).toEqual([
    { session_id: session, message_id: burst[1].message_id, text: 'ＲＥＶＯＬＶＩＮＧ', received_at: burst[1].received_at, history: [] },
  ]);
});

test('forwards a miss as exactly one LLM job carrying its history, even when the message arrives twice', async () => {
  const session = randomUUID();
  const history = [
    { role: 'user' as const, content: '안녕', message_id: 'm-0', at: new Date(0).toISOString() },
    { role: 'assistant' as const, content: '무엇을 도와드릴까요?', message_id: 'm-0', at: new Date(0).toISOString() },
  ];
  const miss = await send(session, '리볼빙이 뭐야', undefined, history);
  await eventually(jobsOf(session), (j) => j.length === 1);
  await send(session, miss.text, miss.message_id); // a copy past the broker's de-duplication
  const marker = await send(session, terms[0].term);
  await eventually(replyTo(marker), (r) => r.length === 1);
  expect(jobsOf(session)()).toEqual([{ session_id: session, message_id: miss.message_id, text: '리볼빙이 뭐야', received_at: miss.received_at, history }]);
  expect(replyTo(miss)()).toEqual([]);
});

test('reports ready with NATS and Postgres, and counts hits, misses and forwarded jobs', async () => {
  const base = `http://127.0.0.1:${service.ports.ops}`;
  const ready = await fetch(`${base}/readyz`);
  expect(ready.status).toBe(200);
  const report = (await ready.json()) as { dependencies: Record<string, { status: string }> };
  expect(Object.keys(report.dependencies).sort()).toEqual(['nats', 'postgres']);
  const metrics = await (await fetch(`${base}/metrics`)).text();
  const value = (pattern: RegExp) => Number(metrics.match(pattern)?.[1] ?? NaN);
  // totals of the tests above: the copy of a missed message is a miss but not a new job
  expect(value(/^chatbot_qna_cache_hits_total\{[^}]*kind="faq"[^}]*\} (\d+)/m)).toBe(1);
  expect(value(/^chatbot_qna_cache_hits_total\{[^}]*kind="term"[^}]*\} (\d+)/m)).toBe(4);
  expect(value(/^chatbot_qna_cache_misses_total\{[^}]*\} (\d+)/m)).toBe(3);
  expect(value(/^chatbot_qna_llm_jobs_forwarded_total\{[^}]*\} (\d+)/m)).toBe(2);
});

test('keeps each session\'s messages in order into the job queue while answering hits', async () => {
  // Messages queued while the service is down arrive together, in micro-batches mixing sessions.
  await service.process.stop();
  const [a, b] = [randomUUID(), randomUUID()];
  const expected = new Map<string, string[]>([[a, []], [b, []]]);
  const hits: ChatStoredV1[] = [];
  const viewsBefore = await sampleViews();
  for (let n = 0; n < 30; n++) {
    const session = n % 2 === 0 ? a : b;
    const isHit = n % 5 === 0;
    const message = await send(session, isHit ? faqs[n].question : `질문 ${n}: 제 카드 혜택이 궁금해요`);
    if (isHit) hits.push(message);
    else expected.get(session)!.push(message.message_id);
  }
  service = await startService('qna-cache', env.env);
  await eventually(() => jobsOf(a)().length + jobsOf(b)().length, (n) => n === 24);
  expect(jobsOf(a)().map((j) => j.message_id)).toEqual(expected.get(a));
  expect(jobsOf(b)().map((j) => j.message_id)).toEqual(expected.get(b));
  await eventually(() => hits.every((m) => replyTo(m)().length === 1), Boolean);
  expect(hits.map((m) => replyTo(m)()[0].reply_id)).toEqual(hits.map((m) => `cache:${m.session_id}:${m.message_id}`));
  expect(await eventually(sampleViews, (v) => v.every((x, i) => x === viewsBefore[i] + 1))).toEqual(viewsBefore.map((v) => v + 1));
});

test('a message with its own system prompt is never answered from the cache: its job carries the prompt', async () => {
  const session = randomUUID();
  const turn = (turns.get(session) ?? 0) + 1;
  turns.set(session, turn);
  const message: ChatStoredV1 = { session_id: session, message_id: `m-${++sent}`, turn, text: '리볼빙', received_at: new Date().toISOString(), history: [], system_prompt: 'Answer as a poet.' };
  await bus.publish('chatStored', session, message, { msgId: `${session}:${message.message_id}` });
  const marker = await send(session, terms[0].term); // answered from the cache once the first is routed
  await eventually(replyTo(marker), (r) => r.length === 1);
  const { turn: _turn, ...job } = message;
  expect(jobsOf(session)()).toEqual([job]);
  expect(replyTo(message)()).toEqual([]);
});
