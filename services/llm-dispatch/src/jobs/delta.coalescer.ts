import type { DeltaSink } from '../answering/answer.types';

/** A sink the job closes when the answer is done (or failed), before the candidate goes out. */
export interface DeltaStream extends DeltaSink {
  /** Sends what is still held back; later text goes out as it comes. */
  close(): void;
}

/** Runs `task` after `ms` (0: once this event-loop turn is over); returns what cancels it. */
export type Schedule = (task: () => void, ms: number) => () => void;

export const timerSchedule: Schedule = (task, ms) => {
  if (ms <= 0) {
    const immediate = setImmediate(task);
    return () => clearImmediate(immediate);
  }
  const timer = setTimeout(task, ms);
  return () => clearTimeout(timer);
};

/**
 * Joins streamed text into fewer frames. Every token as its own NATS message and WebSocket frame
 * costs the gateway, NATS and this worker far more than the text itself. The first piece goes out
 * at once (time to first token is what the user feels); then a window of `windowMs` opens, pieces
 * arriving in it are held and go out together when it closes, and a new window opens only if
 * something went out. So a slow model still gets every token sent at once, a fast one at most one
 * frame per window, and the frames always add up to the text in order.
 */
export class DeltaCoalescer implements DeltaStream {
  private held = '';
  private cancelWindow: (() => void) | undefined;
  private closed = false;

  constructor(
    private readonly send: (text: string) => void,
    private readonly windowMs: number,
    private readonly schedule: Schedule = timerSchedule,
  ) {}

  delta(text: string): void {
    if (text === '') return;
    if (this.cancelWindow) {
      this.held += text;
      return;
    }
    this.send(text);
    if (!this.closed) this.openWindow();
  }

  close(): void {
    this.closed = true;
    this.cancelWindow?.();
    this.cancelWindow = undefined;
    this.sendHeld();
  }

  private openWindow(): void {
    this.cancelWindow = this.schedule(() => this.windowClosed(), this.windowMs);
  }

  private windowClosed(): void {
    this.cancelWindow = undefined;
    if (this.held === '') return;
    this.sendHeld();
    this.openWindow();
  }

  private sendHeld(): void {
    if (this.held === '') return;
    const text = this.held;
    this.held = '';
    this.send(text);
  }
}
