/**
 * Shared by the gateway's integration specs: one real gateway on an isolated NATS namespace and
 * database, the real services it asks where a spec needs them, and a test-side bus.
 */
import { randomUUID } from 'node:crypto';
import WebSocket from 'ws';
import { Bus, type Delivery } from '@chatbot/bus';
import type { ChatInboundV1, ChatReplyV1, CommittedFrame, EventKey, EventPayload } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { isolate, startService, TestSocket, whilePaused, type RunningService, type ServiceName, type TestEnv } from '@chatbot/testkit';
import { startLossyLink, type LossyLink } from './lossy-link';

export { TestSocket };

/** The services the gateway asks: chat-log, qna-cache, persona. */
export type Peer = Exclude<ServiceName, 'gateway' | 'llm-dispatch'>;

export interface WorldOptions {
  /** Real services to start beside the gateway (none by default: most specs never ask them). */
  peers?: Peer[];
  /** Environment a peer gets on top of the isolated one. */
  peerEnv?: Partial<Record<Peer, Record<string, string>>>;
  /** Connect the gateway to NATS through a link that can lose a message on the way. */
  lossyLink?: boolean;
}

export interface GatewayWorld {
  env: TestEnv;
  bus: Bus;
  gateway: RunningService;
  /** The real peers, by name. */
  services: Map<Peer, RunningService>;
  /** The gateway's link to NATS, when the world was started with `lossyLink`. */
  link?: LossyLink;
  http: string;
  ws: string;
  /** Runs `body` while the peer is stopped (nobody answers its requests), starting it again after. */
  whileDown<T>(name: Peer, body: () => Promise<T>): Promise<T>;
  /** Runs `body` while the peer's process is paused (its requests time out), resuming it after. */
  whilePaused<T>(name: Peer, body: () => Promise<T>): Promise<T>;
  stop(): Promise<void>;
}

/** An isolated NATS namespace and database, a test bus, one real gateway and the real peers asked for. */
export async function startWorld(extraEnv: Record<string, string> = {}, options: WorldOptions = {}): Promise<GatewayWorld> {
  const env = await isolate();
  const bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'gateway-itest', logger: createLogger('gateway-itest', 'silent') });
  const services = new Map<Peer, RunningService>();
  const startPeer = async (name: Peer) => void services.set(name, await startService(name, { ...env.env, ...options.peerEnv?.[name] }));
  // The peers first, so that the gateway's first request finds them.
  await Promise.all((options.peers ?? []).map(startPeer));
  const link = options.lossyLink ? await startLossyLink(env.natsUrl) : undefined;
  const gateway = await startService('gateway', { ...env.env, ...(link ? { NATS_URL: link.url } : {}), ...extraEnv });
  const world: GatewayWorld = {
    env,
    bus,
    gateway,
    services,
    link,
    http: `http://127.0.0.1:${gateway.ports.http}`,
    ws: `ws://127.0.0.1:${gateway.ports.http}/api/chat/ws`,
    async whileDown(name, body) {
      await peer(services, name).process.stop('SIGTERM', 15_000);
      try {
        return await body();
      } finally {
        await startPeer(name);
      }
    },
    whilePaused: (name, body) => whilePaused(peer(services, name), body),
    async stop() {
      await gateway.process.stop('SIGTERM', 15_000);
      await Promise.all([...services.values()].map((service) => service.process.stop('SIGTERM', 15_000)));
      await link?.close();
      await bus.close();
      await env.cleanup();
    },
  };
  return world;
}

function peer(services: Map<Peer, RunningService>, name: Peer): RunningService {
  const service = services.get(name);
  if (!service) throw new Error(`${name} was not started: pass it in startWorld's peers`);
  return service;
}

/** The specs' retry-until-it-holds, kept under this name for them. */
export { eventually } from '@chatbot/testkit';

/** Everything a durable consumer of the test reads from a stream, like chat-log would. */
export class StreamLog<K extends EventKey> {
  readonly deliveries: Delivery<EventPayload<K>>[] = [];

  static async start<K extends 'chatInbound' | 'chatReply'>(bus: Bus, key: K): Promise<StreamLog<K>> {
    const log = new StreamLog<K>();
    const stream = key === 'chatInbound' ? 'CHAT_INBOUND' : 'CHAT_REPLIES';
    const spec = { stream, durable: `gateway-itest-${key}`, ackWaitMs: 30_000, maxDeliver: -1, maxAckPending: 1000 } as const;
    await bus.consumeBatches(key, spec, { maxBatch: 50 }, async (batch) => {
      log.deliveries.push(...batch);
    });
    return log;
  }

  of(sessionId: string): EventPayload<K>[] {
    return this.deliveries.filter((d) => d.token === sessionId).map((d) => d.payload);
  }
}

export type InboundLog = StreamLog<'chatInbound'>;
export type ReplyLog = StreamLog<'chatReply'>;
export type { ChatInboundV1, ChatReplyV1 };

export function committed(seq: number, promptMessageId: string | null, message = `answer ${seq}`, extra: Partial<CommittedFrame> = {}): CommittedFrame {
  return {
    seq,
    message_id: promptMessageId ?? `push-${randomUUID()}`,
    prompt_message_id: promptMessageId,
    answer: { message, login_required: false },
    timestamp: '2026-11-21T00:00:00.000Z',
    ...extra,
  };
}

/** Opens a socket and returns it with its session id (from the v1 or v2 session frame). */
export async function connect(url: string, protocols?: string | string[]): Promise<{ socket: TestSocket; sessionId: string }> {
  const socket = await TestSocket.open(url, protocols);
  const [first] = await socket.waitFor((frame) => typeof frame.session_id === 'string');
  return { socket, sessionId: first.session_id as string };
}

/**
 * Opens a socket with request headers (X-Forwarded-For). TestSocket.open takes no client options
 * yet, so this builds one around our own ws client (its constructor is private only to the compiler).
 */
export function openWith(url: string, headers: Record<string, string>, protocols?: string | string[]): Promise<TestSocket> {
  return TestSocket.open(url, protocols, { headers });
}

/** Like `connect`, as a client at `address` (seen as such when the gateway trusts X-Forwarded-For). */
export async function connectFrom(url: string, address: string, protocols?: string | string[]): Promise<{ socket: TestSocket; sessionId: string }> {
  const socket = await openWith(url, { 'x-forwarded-for': address }, protocols);
  const [first] = await socket.waitFor((frame) => typeof frame.session_id === 'string');
  return { socket, sessionId: first.session_id as string };
}

/** The HTTP answer to an upgrade the gateway refuses (rejects if it accepts it). */
export function refusedUpgrade(url: string, headers: Record<string, string> = {}): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url, { headers });
    ws.on('unexpected-response', (_req, res) => {
      let body = '';
      res.on('data', (chunk: Buffer) => (body += chunk.toString()));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    ws.on('open', () => {
      ws.terminate();
      reject(new Error('the upgrade was accepted'));
    });
    ws.on('error', () => undefined);
  });
}

export async function metric(http: string, name: string, labels = ''): Promise<number> {
  const text = await (await fetch(`${http}/metrics`)).text();
  const line = text.split('\n').find((l) => l.startsWith(`${name}{`) && l.includes(labels));
  return line ? Number(line.slice(line.lastIndexOf(' ') + 1)) : 0;
}

export const newMessageId = () => randomUUID();

/**
 * What qna-cache or an LLM worker publishes for a stored prompt: a reply candidate, which the real
 * chat-log commits (in turn order) and releases as the session's next frame.
 */
export async function answer(bus: Bus, sessionId: string, promptMessageId: string, message = `answer to ${promptMessageId}`): Promise<void> {
  const candidate: ChatReplyV1 = {
    reply_id: `itest:${sessionId}:${promptMessageId}`,
    session_id: sessionId,
    kind: 'answer',
    prompt_message_id: promptMessageId,
    answer: { message, login_required: false },
    source: 'qna-cache',
    produced_at: new Date().toISOString(),
  };
  await bus.publish('chatReply', sessionId, candidate, { msgId: candidate.reply_id });
}

/** Sends a message on a v2 socket and waits until chat-log has stored it. */
export async function sendStored(socket: TestSocket, messageId: string, message = `question ${messageId}`): Promise<void> {
  socket.send({ message_id: messageId, message });
  await socket.waitFor((f) => f.type === 'stored' && f.message_id === messageId);
}

/**
 * A conversation the real gateway and chat-log have committed: a v2 socket sends one message per
 * id, each is answered, and the socket closes once every reply came (seq 1..n, in order).
 */
export async function committedConversation(world: GatewayWorld, ids: string[]): Promise<string> {
  const { socket, sessionId } = await connect(world.ws, 'chat.v2');
  for (const id of ids) await sendStored(socket, id);
  for (const id of ids) await answer(world.bus, sessionId, id);
  await socket.waitFor((f) => f.type === 'reply', ids.length);
  await socket.close();
  return sessionId;
}
