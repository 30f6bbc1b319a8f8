import { AckPolicy } from '@nats-io/jetstream';
import { Client } from 'pg';
import { Bus } from '@chatbot/bus';
import { ChatReplyV1, events } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, type RunningService, type TestEnv } from '@chatbot/testkit';

/**
 * What the persona integration specs share: the real service on a fresh database, a Bus that
 * plays the gateway (presence) and the reply reader, and a Postgres client for checks.
 */
export interface PersonaHarness {
  env: TestEnv;
  service: RunningService;
  bus: Bus;
  pg: Client;
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
  const harness: PersonaHarness = {
    env,
    bus,
    pg,
    service: await startService('persona', serviceEnv(env)),
    async restart() {
      await harness.service.process.stop('SIGTERM', 15_000);
      harness.service = await startService('persona', serviceEnv(env));
      return harness.service;
    },
    async close() {
      await harness.service?.process.stop('SIGTERM', 15_000);
      await bus.close();
      await pg.end();
      await env.cleanup();
    },
  };
  return harness;
}

/** Plays the gateway that holds this session's socket. */
export async function holdSession(bus: Bus, sessionId: string): Promise<void> {
  bus.serve('presence', async () => ({ gateway_id: 'test' }), sessionId);
  await bus.nc.flush(); // the subscription reaches the server before anyone asks
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
