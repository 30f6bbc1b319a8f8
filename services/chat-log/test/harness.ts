import { randomUUID } from 'node:crypto';
import { Bus } from '@chatbot/bus';
import { consumers, type ChatInboundV1, type ChatReplyV1, type ChatStoredV1, type SessionDeliveryV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { BrokerAdmin, isolate, startService, type RunningService, type TestEnv } from '@chatbot/testkit';
import { createDb, type Db } from '../src/store/database';

type Frame = Extract<SessionDeliveryV1, { type: 'frame' }>['frame'];

/**
 * One test file's world: its own database and NATS prefix, a real chat-log process, a bus to
 * play the gateway / qna-cache / persona, and a Prisma client to read what chat-log stored.
 */
export class Harness {
  readonly deliveries = new Map<string, SessionDeliveryV1[]>();
  /** Every chat.stored event published, as a subscriber sees it (the broker's dedupe aside). */
  readonly storedEvents: ChatStoredV1[] = [];
  /** Sessions whose stored messages the test side answers at once, as qna-cache would. */
  private readonly answering = new Set<string>();
  service!: RunningService;

  private constructor(
    readonly env: TestEnv,
    readonly serviceEnv: Record<string, string>,
    readonly bus: Bus,
    readonly db: Db,
  ) {}

  /** `extraEnv` overrides the service's environment (DATABASE_URL too: the test reads there). */
  static async start(extraEnv: Record<string, string> = {}): Promise<Harness> {
    const env = await isolate();
    const serviceEnv: Record<string, string> = { CONSUMER_ACK_WAIT_MS: '4000', ...env.env, ...extraEnv };
    const logger = createLogger('chat-log-test', 'silent');
    const bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'chat-log-test', logger });
    await bus.ensureStreams(['CHAT_INBOUND', 'CHAT_STORED', 'CHAT_REPLIES']);
    const harness = new Harness(env, serviceEnv, bus, createDb(serviceEnv.DATABASE_URL, 2));
    bus.subscribe('sessionDelivery', '*', (payload, { token }) => harness.of(token).push(payload));
    bus.subscribe('chatStored', '*', (payload) => {
      harness.storedEvents.push(payload);
      if (harness.answering.has(payload.session_id)) void harness.reply(payload.session_id, payload.message_id);
    });
    await bus.flush();
    await harness.startService();
    return harness;
  }

  async startService(): Promise<void> {
    this.service = await startService('chat-log', this.serviceEnv);
  }

  async stop(): Promise<void> {
    await this.service?.process.stop();
    await this.bus.close();
    await this.db.$disconnect();
    await this.env.cleanup();
  }

  of(sessionId: string): SessionDeliveryV1[] {
    const list = this.deliveries.get(sessionId) ?? [];
    this.deliveries.set(sessionId, list);
    return list;
  }

  frames(sessionId: string): Frame[] {
    return this.of(sessionId).flatMap((d) => (d.type === 'frame' ? [d.frame] : []));
  }

  /** From now on, every chat.stored event of these sessions gets a reply candidate (each copy one). */
  answerWhenStored(sessionIds: string[]): void {
    for (const id of sessionIds) this.answering.add(id);
  }

  storedOf(sessionId: string): ChatStoredV1[] {
    return this.storedEvents.filter((e) => e.session_id === sessionId);
  }

  /** Every CHAT_STORED event of a session the broker kept, with its dedupe id, in stream order. */
  async storedInBroker(sessionId: string): Promise<Array<{ messageId: string; turn: number; msgId: string }>> {
    const subject = `chat.stored.v1.${sessionId}`;
    const found: Array<{ messageId: string; turn: number; msgId: string }> = [];
    const admin = await BrokerAdmin.open(this.env);
    try {
      const { firstSeq, lastSeq } = await admin.streamState('CHAT_STORED');
      for (let seq = firstSeq; seq <= lastSeq; seq++) {
        const message = await admin.stored('CHAT_STORED', seq);
        if (message?.subject !== subject) continue;
        const { message_id: messageId, turn } = message.json<{ message_id: string; turn: number }>();
        found.push({ messageId, turn, msgId: message.header('Nats-Msg-Id') ?? '' });
      }
    } finally {
      await admin.close();
    }
    return found;
  }

  /** Every message of a session the broker kept in a stream whose subjects end in the session id, with its dedupe id, in stream order. */
  async keptInBroker<T>(stream: 'CHAT_STATUS' | 'LLM_SUMMARIES' | 'AGENT_EVENTS', sessionId: string): Promise<Array<{ payload: T; msgId: string }>> {
    const found: Array<{ payload: T; msgId: string }> = [];
    const admin = await BrokerAdmin.open(this.env);
    try {
      const { firstSeq, lastSeq } = await admin.streamState(stream);
      for (let seq = firstSeq; seq <= lastSeq && lastSeq > 0; seq++) {
        const message = await admin.stored(stream, seq);
        if (!message?.subject.endsWith(`.${sessionId}`)) continue;
        found.push({ payload: message.json<T>(), msgId: message.header('Nats-Msg-Id') ?? '' });
      }
    } finally {
      await admin.close();
    }
    return found;
  }

  /** How many messages of a session the broker still keeps in CHAT_INBOUND (read or not). */
  async inboundInBroker(sessionId: string): Promise<number> {
    const admin = await BrokerAdmin.open(this.env);
    try {
      const { firstSeq, lastSeq } = await admin.streamState('CHAT_INBOUND');
      let found = 0;
      for (let seq = firstSeq; seq <= lastSeq; seq++) {
        if ((await admin.stored('CHAT_INBOUND', seq))?.subject === `chat.inbound.v1.${sessionId}`) found += 1;
      }
      return found;
    } finally {
      await admin.close();
    }
  }

  count(sessionId: string, type: SessionDeliveryV1['type'], messageId?: string): number {
    return this.of(sessionId).filter((d) => d.type === type && (messageId === undefined || ('message_id' in d && d.message_id === messageId))).length;
  }

  /** What the gateway publishes for a user message (without Nats-Msg-Id: a redelivery or late re-send). */
  async send(sessionId: string, messageId: string, text = `text of ${messageId}`, protocol: 1 | 2 = 2, extra: Partial<ChatInboundV1> = {}): Promise<void> {
    await this.bus.publish('chatInbound', sessionId, {
      session_id: sessionId,
      message_id: messageId,
      text,
      received_at: new Date().toISOString(),
      gateway_id: 'gw-test',
      protocol,
      ...extra,
    });
  }

  /** A user message from a signed-in account's socket (the gateway puts its user_id on it). */
  async sendAs(userId: string, sessionId: string, messageId: string, text = `text of ${messageId}`): Promise<void> {
    await this.bus.publish('chatInbound', sessionId, {
      session_id: sessionId,
      message_id: messageId,
      text,
      received_at: new Date().toISOString(),
      gateway_id: 'gw-test',
      protocol: 2,
      user_id: userId,
    });
  }

  /** A reply candidate, as qna-cache / llm-dispatch / persona publish it. */
  async reply(sessionId: string, promptMessageId: string | null, over: Partial<ChatReplyV1> = {}): Promise<ChatReplyV1> {
    const candidate: ChatReplyV1 = {
      reply_id: randomUUID(),
      session_id: sessionId,
      kind: promptMessageId === null ? 'push' : 'answer',
      prompt_message_id: promptMessageId,
      answer: { message: `answer to ${promptMessageId}`, login_required: false },
      source: promptMessageId === null ? 'persona' : 'qna-cache',
      produced_at: new Date().toISOString(),
      ...over,
    };
    await this.bus.publish('chatReply', sessionId, candidate);
    return candidate;
  }

  /** Both chat-log consumers have nothing pending or unacknowledged: every message was handled. */
  async settled(): Promise<void> {
    await waitFor('chat-log consumers to settle', async () => {
      for (const spec of [consumers.chatLogInbound, consumers.chatLogReplies]) {
        const backlog = await this.bus.consumerBacklog(spec);
        if (backlog.pending > 0 || backlog.ackPending > 0) return false;
      }
      return true;
    });
  }
}

export const newSession = () => randomUUID();
export const newMessageId = (tag = 'm') => `${tag}-${randomUUID().slice(0, 8)}`;

/** Polls until `check` returns a truthy value, which it returns; fails with `what` after the timeout. */
export async function waitFor<T>(what: string, check: () => T | Promise<T>, timeoutMs = 15_000): Promise<NonNullable<T>> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value as NonNullable<T>;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
}
