/**
 * Runs sends together once the I/O callbacks of the current event-loop turn are done
 * (`setImmediate`), in the order they were queued.
 *
 * nats.js writes its buffer to the socket in a microtask after the first send of a callback, and
 * Node runs microtasks after every socket callback. So sends made from different callbacks (the
 * gateway publishes one message per WebSocket frame, each frame its own callback) cost one write
 * syscall each and wake nats-server each time. Run together, they leave in one write.
 */
export class SendQueue {
  private queued: Array<() => void> = [];
  private scheduled: NodeJS.Immediate | undefined;

  /** Queues `send`; the promise settles as its result does (a throw rejects it). */
  defer<T>(send: () => T | Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.queued.push(() => {
        try {
          Promise.resolve(send()).then(resolve, reject);
        } catch (error) {
          reject(error);
        }
      });
      this.scheduled ??= setImmediate(() => this.runQueued());
    });
  }

  /** Runs what is queued now, e.g. before the connection drains. */
  runQueued(): void {
    if (this.scheduled) clearImmediate(this.scheduled);
    this.scheduled = undefined;
    const sends = this.queued;
    this.queued = [];
    for (const send of sends) send();
  }
}
