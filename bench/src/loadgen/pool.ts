import { fork, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { distScript } from '../paths';
import { Histogram } from '../stats/histogram';
import type { Watched } from '../stats/proc';
import type { FromChild, LoadConfig, LoadResult, RunCommand } from './protocol';

/** What several generators measured together. */
export interface PoolResult {
  sessions: string[];
  connectFailures: number;
  throughput: number;
  /** Characters of streamed text per second (LLM modes). */
  charsPerSecond: number;
  latency: Histogram;
  ttft: Histogram;
  marks: Map<string, Histogram>;
  sent: number;
  replied: number;
  errors: number;
  errorSamples: string[];
  slowReplies: number;
  slowSamples: string[];
  windowMs: number;
}

interface Generator {
  child: ChildProcess;
  next(): Promise<FromChild>;
}

/**
 * Load-generator child processes sharing one load: `clients` are split evenly, each process gets
 * its own id prefix and (for many sockets) its own loopback source address.
 */
export class LoadPool {
  private constructor(
    readonly name: string,
    private readonly generators: Generator[],
    readonly connected: number,
    readonly connectFailures: number,
    readonly failureSamples: string[],
  ) {}

  static async start(name: string, config: LoadConfig, processes: number, spreadAddresses = false): Promise<LoadPool> {
    const script = distScript('loadgen', 'main.js');
    if (!existsSync(script)) throw new Error(`${script} is missing: build the bench first (npx tsc -b bench)`);
    const count = Math.max(1, Math.min(processes, config.clients));
    const generators = Array.from({ length: count }, () => spawnGenerator(script));
    const replies = await Promise.all(
      generators.map(async (generator, i) => {
        const clients = Math.floor(config.clients / count) + (i < config.clients % count ? 1 : 0);
        const localAddress = spreadAddresses ? `127.0.0.${10 + i}` : config.localAddress;
        generator.child.send({ type: 'config', config: { ...config, clients, localAddress, idPrefix: `${config.idPrefix}g${i}` } });
        return expect(await generator.next(), 'connected');
      }),
    );
    const connected = replies.reduce((sum, r) => sum + r.sessions, 0);
    const failures = replies.reduce((sum, r) => sum + r.failures, 0);
    return new LoadPool(name, generators, connected, failures, replies.flatMap((r) => r.failureSamples).slice(0, 5));
  }

  /** The generator processes, for CPU readings. */
  watched(): Watched[] {
    return this.generators.map((g, i) => ({ name: `${this.name}#${i}`, pid: g.child.pid! }));
  }

  async run(command: Omit<RunCommand, 'type'>): Promise<PoolResult> {
    const results = await Promise.all(
      this.generators.map(async (generator) => {
        generator.child.send({ type: 'run', ...command });
        return expect(await generator.next(), 'result').result;
      }),
    );
    return merge(results, this.failureSamples);
  }

  async close(): Promise<void> {
    await Promise.all(
      this.generators.map(
        (g) =>
          new Promise<void>((resolve) => {
            if (g.child.exitCode !== null || g.child.signalCode !== null) return resolve();
            const timer = setTimeout(() => g.child.kill('SIGKILL'), 5_000);
            g.child.once('exit', () => {
              clearTimeout(timer);
              resolve();
            });
            if (g.child.connected) g.child.send({ type: 'close' });
            else g.child.kill('SIGTERM');
          }),
      ),
    );
  }
}

function spawnGenerator(script: string): Generator {
  const child = fork(script, [], { execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const inbox: FromChild[] = [];
  const waiting: Array<(message: FromChild) => void> = [];
  const deliver = (message: FromChild) => {
    const waiter = waiting.shift();
    if (waiter) waiter(message);
    else inbox.push(message);
  };
  child.on('message', (message: FromChild) => deliver(message));
  child.on('exit', (code, signal) => deliver({ type: 'fatal', message: `load generator exited (${code ?? signal})` }));
  return {
    child,
    next: () => {
      const queued = inbox.shift();
      return queued ? Promise.resolve(queued) : new Promise((resolve) => waiting.push(resolve));
    },
  };
}

function expect<T extends FromChild['type']>(message: FromChild, type: T): Extract<FromChild, { type: T }> {
  if (message.type === type) return message as Extract<FromChild, { type: T }>;
  if (message.type === 'fatal') throw new Error(message.message);
  throw new Error(`load generator sent ${message.type}, expected ${type}`);
}

function merge(results: LoadResult[], connectFailureSamples: string[]): PoolResult {
  const latency = new Histogram();
  const ttft = new Histogram();
  const marks = new Map<string, Histogram>();
  for (const r of results) {
    latency.merge(r.latency);
    ttft.merge(r.ttft);
    for (const [name, h] of Object.entries(r.marks)) marks.set(name, (marks.get(name) ?? new Histogram()).merge(h));
  }
  const windowMs = Math.max(...results.map((r) => r.windowMs));
  const sum = (pick: (r: LoadResult) => number) => results.reduce((total, r) => total + pick(r), 0);
  return {
    sessions: results.flatMap((r) => r.sessions),
    connectFailures: sum((r) => r.connectFailures),
    throughput: sum((r) => r.windowReplies) / (windowMs / 1000),
    charsPerSecond: sum((r) => r.windowChars) / (windowMs / 1000),
    latency,
    ttft,
    marks,
    sent: sum((r) => r.sent),
    replied: sum((r) => r.replied),
    errors: sum((r) => r.errors),
    errorSamples: [...connectFailureSamples, ...results.flatMap((r) => r.errorSamples)].slice(0, 5),
    slowReplies: sum((r) => r.slowReplies),
    slowSamples: results.flatMap((r) => r.slowSamples).slice(0, 10),
    windowMs,
  };
}
