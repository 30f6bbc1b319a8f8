import type { HistogramJson } from '../stats/histogram';

/**
 * What the harness and a load-generator child process say to each other over the IPC channel:
 * config → connected → run → result → close. Every generator gets `run` at the same moment, so
 * their measurement windows line up.
 */
export type LoadMode =
  /** Seed protocol (or v2 with `protocols`): send, wait for the one bot frame, send again. */
  | 'chat'
  /** Protocol v2 with streaming: time to the first delta frame, text streamed, time to the reply. */
  | 'stream'
  /** Straight to the stub LLM over HTTP: the reference for the LLM path. */
  | 'direct-llm';

export interface LoadConfig {
  mode: LoadMode;
  /** ws://…/api/chat/ws, or the stub's base URL ending in /v1 for direct-llm. */
  url: string;
  clients: number;
  protocols?: string[];
  /** Texts sent in turn (each client starts at a different one). */
  messages: string[];
  /** Unique per generator and run: message ids are `<idPrefix>-<client>-<n>`. */
  idPrefix: string;
  /** Loopback source address, so many sockets do not exhaust one address's ephemeral ports. */
  localAddress?: string;
  /** Handshakes in flight at once while connecting. */
  connectConcurrency?: number;
  /** A reply whose message lacks this text counts as an error (e.g. a failure reply). */
  expectText?: string;
  /** A reply that came without delta frames counts as an error (an LLM failure is not streamed). */
  expectStreamed?: boolean;
  /** Open loop per session: one message every intervalMs at a random phase; else closed loop. */
  intervalMs?: number;
  replyTimeoutMs: number;
}

export interface RunCommand {
  type: 'run';
  warmupMs: number;
  measureMs: number;
  /** How long to wait for replies still due after the window. */
  drainMs: number;
}

export type ToChild = { type: 'config'; config: LoadConfig } | RunCommand | { type: 'close' };

export interface LoadResult {
  sessions: string[];
  connectFailures: number;
  /** Replies completed inside the measurement window, and the window's length. */
  windowReplies: number;
  windowMs: number;
  latency: HistogramJson;
  /** Time to the first token (stream and direct-llm modes). */
  ttft: HistogramJson;
  /** Time to each progress frame of protocol v2 (accepted, stored, typing), by frame type. */
  marks: Record<string, HistogramJson>;
  /**
   * Characters of streamed text received inside the window: delta frames' text, or the stub's
   * content pieces. Characters, not frames or chunks, since llm-dispatch joins pieces into fewer
   * deltas: the same text counts the same on both paths.
   */
  windowChars: number;
  /** Over the whole run, warm-up and drain included. */
  sent: number;
  replied: number;
  errors: number;
  errorSamples: string[];
  /** Replies that took over a second, over the whole run, and up to ten of them described. */
  slowReplies: number;
  slowSamples: string[];
}

export type FromChild =
  | { type: 'connected'; sessions: number; failures: number; failureSamples: string[] }
  | { type: 'result'; result: LoadResult }
  | { type: 'fatal'; message: string };
