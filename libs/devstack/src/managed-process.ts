import { spawn, type ChildProcess } from 'node:child_process';
import { createInterface } from 'node:readline';
import { allThreadsStopped } from './thread-state';

export interface ProcessSpec {
  name: string;
  command: string;
  args: string[];
  env?: NodeJS.ProcessEnv;
  cwd?: string;
  uid?: number;
  gid?: number;
  /** A line of output (stdout or stderr) that says the process is ready. */
  isReady: (line: string) => boolean;
  /** Restart with backoff when the process dies without being asked to stop. */
  restart: boolean;
  startTimeoutMs?: number;
  /** What `stop()` sends first (default SIGTERM; Postgres wants SIGINT, its fast shutdown). */
  stopSignal?: NodeJS.Signals;
  /** Each output line, for the caller to print or keep. */
  onLine?: (name: string, line: string) => void;
  onExit?: (name: string, code: number | null, signal: NodeJS.Signals | null) => void;
}

const MAX_BACKOFF_MS = 5_000;
const HEALTHY_AFTER_MS = 30_000;

/**
 * A child process with readiness detection and, optionally, restarts with exponential backoff,
 * as an orchestrator would. `kill()` simulates a crash (restart applies); `stop()` is final.
 */
export class ManagedProcess {
  private child: ChildProcess | null = null;
  private stopping = false;
  private backoffMs = 250;
  private readyWaiters: Array<() => void> = [];
  restarts = 0;
  ready = false;

  constructor(readonly spec: ProcessSpec) {}

  get pid(): number | undefined {
    return this.child?.pid;
  }

  /**
   * Starts the process; resolves once it printed its ready line. When it does not get there (it
   * exits first, or the wait times out), it is stopped before the promise rejects: a failed
   * start leaves nothing running.
   */
  async start(): Promise<void> {
    this.stopping = false;
    try {
      await this.launch();
    } catch (error) {
      await this.stop(this.spec.stopSignal, 5_000);
      throw error;
    }
  }

  private launch(): Promise<void> {
    const { spec } = this;
    this.ready = false;
    const child = spawn(spec.command, spec.args, {
      cwd: spec.cwd,
      env: spec.env ?? process.env,
      uid: spec.uid,
      gid: spec.gid,
      stdio: ['ignore', 'pipe', 'pipe'],
      // Own process group: a terminal's Ctrl-C reaches only the supervisor, which then stops
      // children in order instead of having them all die (and be restarted) at once.
      detached: true,
    });
    this.child = child;
    const startedAt = Date.now();
    const readyPromise = this.waitReady(child);
    for (const stream of [child.stdout, child.stderr]) {
      createInterface({ input: stream! }).on('line', (line) => {
        spec.onLine?.(spec.name, line);
        if (!this.ready && spec.isReady(line)) this.markReady();
      });
    }
    child.on('exit', (code, signal) => {
      spec.onExit?.(spec.name, code, signal);
      if (this.child === child) this.child = null;
      if (this.stopping || !spec.restart) return;
      if (Date.now() - startedAt > HEALTHY_AFTER_MS) this.backoffMs = 250;
      const delay = this.backoffMs;
      this.backoffMs = Math.min(MAX_BACKOFF_MS, this.backoffMs * 2);
      setTimeout(() => {
        if (this.stopping) return;
        this.restarts += 1;
        this.launch().catch(() => {}); // a failed restart exits and is retried by this handler
      }, delay);
    });
    return readyPromise;
  }

  private waitReady(child: ChildProcess): Promise<void> {
    const timeoutMs = this.spec.startTimeoutMs ?? 60_000;
    return new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`${this.spec.name} not ready after ${timeoutMs} ms`)), timeoutMs);
      const onExit = (code: number | null) => {
        clearTimeout(timer);
        reject(new Error(`${this.spec.name} exited (code ${code}) before it was ready`));
      };
      child.once('exit', onExit);
      this.readyWaiters.push(() => {
        clearTimeout(timer);
        child.off('exit', onExit);
        resolve();
      });
    });
  }

  private markReady() {
    this.ready = true;
    const waiters = this.readyWaiters;
    this.readyWaiters = [];
    for (const waiter of waiters) waiter();
  }

  /** Resolves when the current (or next, after a restart) incarnation is ready. */
  whenReady(): Promise<void> {
    if (this.ready && this.child) return Promise.resolve();
    return new Promise((resolve) => this.readyWaiters.push(resolve));
  }

  /** Sends a signal without stopping supervision: a crash, as far as restarts are concerned. */
  kill(signal: NodeJS.Signals = 'SIGKILL'): void {
    this.child?.kill(signal);
  }

  /**
   * SIGSTOP, resolved once the process has stopped running. `kill()` returns when the signal is
   * sent, but the kernel stops a process thread by thread as each is next scheduled: on a busy
   * machine another thread of a multithreaded server (nats-server) went on answering requests
   * for some milliseconds after it.
   */
  async pause(timeoutMs = 5_000): Promise<void> {
    const child = this.child;
    if (!child?.pid) throw new Error(`${this.spec.name} is not running, so it cannot be paused`);
    child.kill('SIGSTOP');
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const stopped = await allThreadsStopped(child.pid);
      // Where /proc cannot tell, the stop cannot be observed: a short wait stands in for it.
      if (stopped === undefined) return new Promise((resolve) => setTimeout(resolve, 200));
      if (stopped) return;
      if (Date.now() > deadline) throw new Error(`${this.spec.name} (pid ${child.pid}) still running ${timeoutMs} ms after SIGSTOP`);
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** SIGCONT after `pause()`. */
  resume(): void {
    this.child?.kill('SIGCONT');
  }

  /** Final stop: the spec's stop signal (or the given one), then SIGKILL after `timeoutMs`. */
  async stop(signal: NodeJS.Signals = this.spec.stopSignal ?? 'SIGTERM', timeoutMs = 30_000): Promise<void> {
    this.stopping = true;
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    await new Promise<void>((resolve) => {
      const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
      child.once('exit', () => {
        clearTimeout(timer);
        resolve();
      });
      child.kill(signal);
    });
  }
}
