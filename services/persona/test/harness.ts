import { AckPolicy } from '@nats-io/jetstream';
import { Client } from 'pg';
import { Bus } from '@chatbot/bus';
import { ChatReplyV1, events } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, TestSocket, type RunningService, type TestEnv } from '@chatbot/testkit';

/**
 * What the persona integration specs share: the real service on a fresh database, a real gateway
 * holding the sockets the specs open (it answers presence for their sessions), a Bus that reads
 * the replies, and a Postgres client for checks.
 */
export interface PersonaHarness {
  env: TestEnv;
  service: RunningService;
  gateway: RunningService;
  bus: Bus;
  pg: Client;
  /** Opens a socket for the session on the gateway and waits until the session is live. */
  connect(sessionId: string): Promise<TestSocket>;
  /** Restarts the service on the same database and NATS prefix. */
  restart(): Promise<RunningService>;
  close(): Promise<void>;
}

// `info` so that the `ready` line (and the seeding line) reach the harness.
const serviceEnv = (env: TestEnv) => ({ ...env.env, LOG_LEVEL: 'info' });

export async function startPersona(): Promise<PersonaHarness> {
  const env = await isolate();
  const logger = createLogger('persona-test', 'silent');
  const bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'persona-test', logger });
  await bus.ensureStreams(['CHAT_REPLIES']);
  const pg = new Client({ connectionString: env.databaseUrl });
  await pg.connect();
  const [service, gateway] = await Promise.all([startService('persona', serviceEnv(env)), startService('gateway', serviceEnv(env))]);
  const sockets = new Map<string, TestSocket>();
  const harness: PersonaHarness = {
    env,
    bus,
    pg,
    service,
    gateway,
    async connect(sessionId) {
      const open = sockets.get(sessionId);
      if (open && !open.closed) return open;
      const socket = await TestSocket.open(`ws://127.0.0.1:${gateway.ports['http']}/api/chat/ws?protocol=2&session_id=${sessionId}`);
      sockets.set(sessionId, socket);
      await untilLive(bus, sessionId);
      return socket;
    },
    async restart() {
      await harness.service.process.stop('SIGTERM', 15_000);
      harness.service = await startService('persona', serviceEnv(env));
      return harness.service;
    },
    async close() {
      await Promise.all([...sockets.values()].map((socket) => socket.close()));
      await harness.service?.process.stop('SIGTERM', 15_000);
      await gateway.process.stop('SIGTERM', 15_000);
      await bus.close();
      await pg.end();
      await env.cleanup();
    },
  };
  return harness;
}

/** The gateway subscribes presence for a socket just after the upgrade: wait until it answers. */
async function untilLive(bus: Bus, sessionId: string): Promise<void> {
  const deadline = Date.now() + 5_000;
  for (;;) {
    const live = await bus.request('presence', {}, { token: sessionId, timeoutMs: 500 }).then(() => true, () => false);
    if (live) return;
    if (Date.now() > deadline) throw new Error(`session ${sessionId} not live 5 s after its socket opened`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

export interface ReadReply {
  reply: ChatReplyV1;
  /** The JetStream de-duplication header the message was published with. */
  msgId: string | undefined;
}

/**
 * Every reply candidate of one session still in CHAT_REPLIES, read (and acknowledged) through a
 * consumer of our own filtered to that session. Login answers after the broker's ack, so what
 * it published is already there: the consumer's pending count is exact, no waiting involved.
 */
export async function takeReplies(bus: Bus, sessionId: string): Promise<ReadReply[]> {
  const stream = bus.ns.stream('CHAT_REPLIES');
  const info = await bus.jsm.consumers.add(stream, {
    filter_subject: bus.subject(events.chatReply, sessionId),
    ack_policy: AckPolicy.Explicit,
    inactive_threshold: 60_000_000_000,
  });
  try {
    const pending = info.num_pending;
    if (pending === 0) return [];
    const consumer = await bus.js.consumers.get(stream, info.name);
    const replies: ReadReply[] = [];
    for await (const msg of await consumer.fetch({ max_messages: pending, expires: 5_000 })) {
      replies.push({ reply: ChatReplyV1.parse(msg.json()), msgId: msg.headers?.get('Nats-Msg-Id') });
      msg.ack();
      if (replies.length === pending) break;
    }
    return replies;
  } finally {
    await bus.jsm.consumers.delete(stream, info.name);
  }
}
