import { randomUUID } from 'node:crypto';
import { AckPolicy, type ConsumerMessages } from '@nats-io/jetstream';
import { Bus } from '@chatbot/bus';
import { ChatReplyV1, type RequestKey, type SessionDeliveryV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, type RunningService, type TestEnv } from '@chatbot/testkit';
import { serveReferenceServices, type ReferenceWorld } from './reference-services';

/**
 * What the llm-dispatch integration specs share: real worker processes on a private NATS
 * prefix, a test-side Bus that publishes jobs, answers the tool requests (reference-services.ts),
 * reads every reply candidate from CHAT_REPLIES and every live frame from `gw.deliver.v1.*`.
 */
export interface Candidate {
  reply: ChatReplyV1;
  /** Nats-Msg-Id it was published with. */
  msgId: string | undefined;
}

export type LiveFrame = SessionDeliveryV1 & { session: string };

export interface DispatchHarness {
  env: TestEnv;
  bus: Bus;
  world: ReferenceWorld;
  candidates: Candidate[];
  live: LiveFrame[];
  workers: RunningService[];
  startWorker(extraEnv?: Record<string, string>, instance?: string): Promise<RunningService>;
  publishJob(sessionId: string, messageId: string, text: string): Promise<void>;
  /** Waits for the candidate of one prompt. */
  candidateFor(messageId: string, timeoutMs?: number): Promise<ChatReplyV1>;
  close(): Promise<void>;
}

export interface HarnessOptions {
  /** Environment every worker gets on top of the isolated one. */
  workerEnv?: Record<string, string>;
  /** Serve only these requests (default: all the doubles). */
  serve?: RequestKey[];
}

export async function startHarness(options: HarnessOptions = {}): Promise<DispatchHarness> {
  const env = await isolate();
  const bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'llm-dispatch-test', logger: createLogger('llm-dispatch-test', 'silent') });
  await bus.ensureStreams(['LLM_JOBS', 'CHAT_REPLIES']);
  const world = serveReferenceServices(bus, options.serve);
  const candidates: Candidate[] = [];
  const live: LiveFrame[] = [];
  bus.subscribe('sessionDelivery', '*', (frame, context) => live.push({ ...frame, session: context.token }));
  const reader = await readCandidates(bus, candidates);
  await bus.nc.flush();
  const workers: RunningService[] = [];
  const harness: DispatchHarness = {
    env,
    bus,
    world,
    candidates,
    live,
    workers,
    async startWorker(extraEnv = {}, instance) {
      const worker = await startService('llm-dispatch', { ...env.env, ...options.workerEnv, ...extraEnv }, { instance });
      workers.push(worker);
      return worker;
    },
    async publishJob(sessionId, messageId, text) {
      const job = { session_id: sessionId, message_id: messageId, text, received_at: new Date().toISOString() };
      await bus.publish('llmJob', sessionId, job, { msgId: `${sessionId}:${messageId}`, correlationId: randomUUID() });
    },
    async candidateFor(messageId, timeoutMs = 15_000) {
      await waitUntil(() => candidates.some((c) => c.reply.prompt_message_id === messageId), timeoutMs, `a candidate for ${messageId}`);
      return candidates.find((c) => c.reply.prompt_message_id === messageId)!.reply;
    },
    async close() {
      await Promise.all(workers.map((worker) => worker.process.stop('SIGTERM', 15_000)));
      await reader.close();
      await bus.jsm.streams.delete(`KV_${bus.ns.stream('llm_attempts')}`).catch(() => false);
      await bus.close();
      await env.cleanup();
    },
  };
  return harness;
}

/** chat-log's place: a consumer of our own on CHAT_REPLIES that keeps every candidate. */
async function readCandidates(bus: Bus, into: Candidate[]): Promise<ConsumerMessages> {
  const stream = bus.ns.stream('CHAT_REPLIES');
  await bus.jsm.consumers.add(stream, { durable_name: 'test-replies', ack_policy: AckPolicy.Explicit });
  const consumer = await bus.js.consumers.get(stream, 'test-replies');
  return consumer.consume({
    callback: (msg) => {
      into.push({ reply: ChatReplyV1.parse(msg.json()), msgId: msg.headers?.get('Nats-Msg-Id') });
      msg.ack();
    },
  });
}

export async function waitUntil(check: () => boolean, timeoutMs: number, what: string): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

/** Polls an async probe until it returns a value that passes `accept`. */
export async function eventually<T>(probe: () => Promise<T>, accept: (value: T) => boolean, timeoutMs: number, what: string): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}

export const newSessionId = (): string => randomUUID();

/** Log lines of a worker as objects (pino JSON), for asserting what it did. */
export function logEntries(worker: RunningService): Array<Record<string, unknown>> {
  return worker.logs.flatMap((line) => {
    try {
      return [JSON.parse(line) as Record<string, unknown>];
    } catch {
      return [];
    }
  });
}

export function answeredBy(worker: RunningService, messageId: string): boolean {
  return logEntries(worker).some((entry) => entry['msg'] === 'answered' && entry['messageId'] === messageId);
}
