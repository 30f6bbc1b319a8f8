import type { Subscription } from '@nats-io/transport-node';
import { Client } from 'pg';
import { Bus } from '@chatbot/bus';
import { events, patternOf, type ChatReplyV1, type HistoryTurn, type ReplyFrameV2 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, TestSocket, type RunningService, type ServiceName, type TestEnv } from '@chatbot/testkit';

/**
 * What the persona integration specs share: the real persona service on a fresh database, beside
 * a real gateway (which holds the sessions' sockets and answers presence for them) and a real
 * chat-log (which commits the login push and releases it to the socket). The test side sends
 * persona its requests, opens sockets, and watches the reply subject as a plain subscriber that
 * never consumes: chat-log owns the CHAT_REPLIES work queue.
 */
export interface PersonaHarness {
  env: TestEnv;
  /** The persona service. */
  service: RunningService;
  gateway: RunningService;
  chatLog: RunningService;
  bus: Bus;
  pg: Client;
  /**
   * Every reply candidate published on the reply subject, a copy under the same Nats-Msg-Id once
   * (as the stream keeps it). A push the stream refused is here too: the broker hands it to
   * subscribers all the same.
   */
  candidates: Candidate[];
  /** Opens a socket for the session on the gateway and waits until the session is live. */
  connect(sessionId: string): Promise<TestSocket>;
  /** Restarts the persona service on the same database and NATS prefix. */
  restart(): Promise<RunningService>;
  close(): Promise<void>;
}

export interface Candidate {
  reply: ChatReplyV1;
  /** The JetStream de-duplication header the message was published with. */
  msgId: string | undefined;
}

// `info` so that the `ready` line (and the seeding line) reach the harness.
const serviceEnv = (env: TestEnv) => ({ ...env.env, LOG_LEVEL: 'info' });

export async function startPersona(): Promise<PersonaHarness> {
  const env = await isolate();
  const logger = createLogger('persona-test', 'silent');
  const bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'persona-test', logger });
  const candidates: Candidate[] = [];
  const watch = watchCandidates(bus, candidates);
  await bus.nc.flush(); // the subscription reaches the server before anything is published
  const pg = new Client({ connectionString: env.databaseUrl });
  await pg.connect();
  const start = (name: ServiceName) => startService(name, serviceEnv(env));
  const [service, gateway, chatLog] = await Promise.all([start('persona'), start('gateway'), start('chat-log')]);
  const sockets = new Map<string, TestSocket>();
  const harness: PersonaHarness = {
    env,
    bus,
    pg,
    service,
    gateway,
    chatLog,
    candidates,
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
      harness.service = await start('persona');
      return harness.service;
    },
    async close() {
      await Promise.all([...sockets.values()].map((socket) => socket.close()));
      await harness.service?.process.stop('SIGTERM', 15_000);
      await Promise.all([gateway.process.stop('SIGTERM', 15_000), chatLog.process.stop('SIGTERM', 15_000)]);
      watch.unsubscribe();
      await bus.close();
      await pg.end();
      await env.cleanup();
    },
  };
  return harness;
}

/** The candidates published for one session, in the order the bus carried them. */
export const candidatesOf = (h: PersonaHarness, sessionId: string): Candidate[] =>
  h.candidates.filter((candidate) => candidate.reply.session_id === sessionId);

/** The reply frames the gateway sent on a socket so far (protocol 2). */
export const replyFrames = (socket: TestSocket): ReplyFrameV2[] =>
  socket.frames.filter((frame): frame is ReplyFrameV2 => (frame as { type?: unknown }).type === 'reply');

/** Waits until the socket received `count` reply frames; returns them in arrival order. */
export const waitForReplies = (socket: TestSocket, count: number): Promise<ReplyFrameV2[]> =>
  socket.waitFor<ReplyFrameV2>((frame) => frame.type === 'reply', count);

/** The turns chat-log lists for a session. */
export const history = async (h: PersonaHarness, sessionId: string): Promise<HistoryTurn[]> =>
  (await h.bus.request('history', { session_id: sessionId, limit: 50 })).turns;

/**
 * Every candidate published on the reply subject, seen as a plain core-NATS subscriber. Persona
 * answers a login only after the broker acknowledged its push, and the broker hands the push to
 * this subscriber before that, on the same connection the answer comes back on: once the login
 * resolved, its push is here. While the stream exists this changes nothing for the publisher; with
 * no stream, this subscriber (which never replies) would turn the broker's instant "no responders"
 * into a publish timeout, so a spec must not delete the stream.
 */
function watchCandidates(bus: Bus, into: Candidate[]): Subscription {
  return bus.nc.subscribe(bus.ns.subject(patternOf(events.chatReply)), {
    callback: (error, msg) => {
      if (error) return;
      const msgId = msg.headers?.get('Nats-Msg-Id') || undefined;
      if (msgId && into.some((candidate) => candidate.msgId === msgId)) return;
      into.push({ reply: msg.json<ChatReplyV1>(), msgId });
    },
  });
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
