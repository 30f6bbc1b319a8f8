import { randomUUID } from 'node:crypto';
import type { ChatStatusChangedV1, SummaryJobV1 } from '@chatbot/proto';
import { Harness, newMessageId, newSession, waitFor } from '../../test/harness';
import { applyTransition } from '../handoff/handoff.repository';

/**
 * chat.status.changed.v1 as chat-log tells it: one event per committed transition, whichever path
 * made it (an agent's command, a keyword at ingest, a reopen at ingest), with Msg-Id
 * `<sid>:status:<version>`; and one a crash kept from being published is published at the next start.
 */
let h: Harness;
const AGENT = randomUUID();

beforeAll(async () => {
  h = await Harness.start({ HANDOFF_KEYWORDS: '상담원', OUTBOX_INTERVAL_MS: '500' });
});
afterAll(async () => {
  await h?.stop();
});

const command = (sessionId: string, action: 'takeover' | 'complete', actor: string | null, message?: string) =>
  h.bus.request('handoff', { session_id: sessionId, action, actor_id: actor, ...(message === undefined ? {} : { message }) }, { timeoutMs: 5_000 });
const statusEvents = (sessionId: string) => h.keptInBroker<ChatStatusChangedV1>('CHAT_STATUS', sessionId);
const steps = (events: Array<{ payload: ChatStatusChangedV1; msgId: string }>) =>
  events.map(({ payload, msgId }) => [payload.from, payload.to, payload.version, payload.actor_id ?? null, msgId]);

test('every transition is published once, in version order, whoever made it; the summary trigger queues waiting and completed', async () => {
  const sessionId = newSession();
  h.answerWhenStored([sessionId]);
  const first = newMessageId('first');
  await h.send(sessionId, first);
  await waitFor('the first answer', () => h.frames(sessionId).some((f) => f.prompt_message_id === first));
  await h.send(sessionId, newMessageId('ask'), '상담원 연결해 주세요');
  await waitFor('waiting', async () => (await statusEvents(sessionId)).length === 1);
  expect((await command(sessionId, 'takeover', AGENT)).outcome).toBe('changed');
  expect((await command(sessionId, 'takeover', AGENT)).outcome).toBe('unchanged');
  expect((await command(sessionId, 'complete', AGENT, 'Your card is on its way.')).outcome).toBe('changed');
  await h.send(sessionId, newMessageId('again'), 'one more question');
  const events = await waitFor('four transitions', async () => {
    const kept = await statusEvents(sessionId);
    return kept.length === 4 ? kept : undefined;
  });
  expect(steps(events)).toEqual([
    ['bot', 'waiting', 1, null, `${sessionId}:status:1`],
    ['waiting', 'agent', 2, AGENT, `${sessionId}:status:2`],
    ['agent', 'completed', 3, AGENT, `${sessionId}:status:3`],
    ['completed', 'bot', 4, null, `${sessionId}:status:4`],
  ]);
  const jobs = await waitFor('two summary jobs', async () => {
    const kept = await h.keptInBroker<SummaryJobV1>('LLM_SUMMARIES', sessionId);
    return kept.length === 2 ? kept : undefined;
  });
  expect(jobs.map(({ payload }) => [payload.trigger, payload.version])).toEqual([['waiting', 1], ['completed', 3]]);
  await waitFor('the status outbox emptied', async () => (await h.db.statusOutbox.count({ where: { sessionId } })) === 0);
});

test('a transition committed by a process that died before publishing is published when chat-log starts again', async () => {
  const sessionId = newSession();
  h.answerWhenStored([sessionId]);
  const first = newMessageId('first');
  await h.send(sessionId, first);
  await waitFor('the first answer', () => h.frames(sessionId).some((f) => f.prompt_message_id === first));
  h.service.process.kill('SIGKILL');
  // What the killed process's handoff endpoint commits: the transition, with no process left to publish it.
  expect((await applyTransition(h.db, { session_id: sessionId, action: 'takeover', actor_id: AGENT })).outcome).toBe('changed');
  expect((await applyTransition(h.db, { session_id: sessionId, action: 'complete', actor_id: AGENT })).outcome).toBe('changed');
  expect(await statusEvents(sessionId)).toEqual([]);
  await h.startService();
  const events = await waitFor('both transitions published', async () => {
    const kept = await statusEvents(sessionId);
    return kept.length === 2 ? kept : undefined;
  });
  expect(steps(events)).toEqual([
    ['bot', 'agent', 1, AGENT, `${sessionId}:status:1`],
    ['agent', 'completed', 2, AGENT, `${sessionId}:status:2`],
  ]);
  await waitFor('the completed summary job', async () => (await h.keptInBroker<SummaryJobV1>('LLM_SUMMARIES', sessionId)).length === 1);
  expect(await h.db.statusOutbox.count({ where: { sessionId } })).toBe(0);
});
