import { Client } from 'pg';
import { Bus } from '@chatbot/bus';
import type { HistoryTurn, ReplyFrameV2 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import {
  isolate,
  openLiveSession,
  startService,
  watchReplyCandidates,
  type ReplyCandidate,
  type RunningService,
  type ServiceName,
  type TestEnv,
  type TestSocket,
} from '@chatbot/testkit';

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
  candidates: ReplyCandidate[];
  /** Opens a socket for the session on the gateway and waits until the session is live. */
  connect(sessionId: string): Promise<TestSocket>;
  /** Restarts the persona service on the same database and NATS prefix. */
  restart(): Promise<RunningService>;
  close(): Promise<void>;
}

/** The HS256 secret persona signs access tokens with in these specs (accounts are off without one). */
export const TEST_JWT_SECRET = 'persona-itest-secret-0123456789abcdef';

// `info` so that the `ready` line (and the seeding line) reach the harness.
const serviceEnv = (env: TestEnv) => ({ ...env.env, LOG_LEVEL: 'info', JWT_SECRET: TEST_JWT_SECRET });

export async function startPersona(): Promise<PersonaHarness> {
  const env = await isolate();
  const logger = createLogger('persona-test', 'silent');
  const bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'persona-test', logger });
  const candidates: ReplyCandidate[] = [];
  const watch = watchReplyCandidates(bus, candidates);
  await bus.flush(); // the subscription reaches the server before anything is published
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
      const socket = await openLiveSession(bus, gateway.ports['http'], sessionId);
      sockets.set(sessionId, socket);
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
export const candidatesOf = (h: PersonaHarness, sessionId: string): ReplyCandidate[] =>
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

