import { performance } from 'node:perf_hooks';
import WebSocket from 'ws';
import type { GatewayMetrics } from '../gateway.metrics';

export interface OutboxLimits {
  maxBufferedBytes: number;
  slowReaderMs: number;
}

export interface OutboxOptions {
  metrics: GatewayMetrics;
  /** The wire format, as metrics label it (`1`, `2`, `seed001`, `seed002`). */
  protocolLabel: string;
  limits: OutboxLimits;
  onSlowReader(): void;
}

/** Frames a client can do without: the final reply carries the whole text. */
const DROPPABLE = new Set(['typing', 'delta']);

/**
 * Everything one socket is sent, in the order given. While more than `maxBufferedBytes` wait to
 * be written, deltas are dropped so the queue stops growing; a socket that stays over the bound
 * for `slowReaderMs` is reported as a slow reader.
 */
export class SocketOutbox {
  private overSince?: number;
  private timer?: NodeJS.Timeout;

  constructor(
    private readonly ws: WebSocket,
    private readonly options: OutboxOptions,
  ) {}

  send(type: string, text: string, droppable = DROPPABLE.has(type)): void {
    const { metrics } = this.options;
    if (this.ws.readyState !== WebSocket.OPEN) return;
    if (droppable && this.overBound()) return metrics.drop('slow_reader');
    this.ws.send(text);
    metrics.frameOut(type, this.options.protocolLabel);
    this.watch();
  }

  dispose(): void {
    clearTimeout(this.timer);
    this.timer = undefined;
  }

  private overBound(): boolean {
    return this.ws.bufferedAmount > this.options.limits.maxBufferedBytes;
  }

  /** Starts the slow-reader clock when the queue crosses the bound, stops it when it drained. */
  private watch(): void {
    if (!this.overBound()) {
      this.overSince = undefined;
      return;
    }
    this.overSince ??= performance.now();
    this.timer ??= setTimeout(() => this.check(), this.options.limits.slowReaderMs);
  }

  private check(): void {
    this.timer = undefined;
    if (this.overSince === undefined || !this.overBound()) {
      this.overSince = undefined;
      return;
    }
    const left = this.overSince + this.options.limits.slowReaderMs - performance.now();
    if (left <= 0) return this.options.onSlowReader();
    this.timer = setTimeout(() => this.check(), left);
  }
}
