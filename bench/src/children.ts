import { existsSync } from 'node:fs';
import { ManagedProcess } from '@chatbot/devstack';
import { onInterrupt } from './cleanup';
import { distScript } from './paths';

/** A bench helper process (reference server, responder, stub) and the ports it announced. */
export interface Child {
  name: string;
  process: ManagedProcess;
  pid: number;
  ports: Record<string, number>;
  logs: string[];
  /** Drops it from the interrupt clean-up (after it was stopped). */
  forget(): void;
}

export async function startChild(name: string, script: string, env: Record<string, string> = {}): Promise<Child> {
  const path = distScript(...script.split('/'));
  if (!existsSync(path)) throw new Error(`${path} is missing: build the bench first (npx tsc -b bench)`);
  const logs: string[] = [];
  const ports: Record<string, number> = {};
  const proc = new ManagedProcess({
    name,
    command: process.execPath,
    args: [path],
    env: { ...process.env, ...env },
    restart: false,
    startTimeoutMs: 20_000,
    isReady: (line) => {
      if (!line.includes('"ready"')) return false;
      Object.assign(ports, (JSON.parse(line) as { ports?: Record<string, number> }).ports ?? {});
      return true;
    },
    onLine: (_, line) => {
      logs.push(line);
      if (logs.length > 200) logs.shift();
    },
  });
  const forget = onInterrupt(() => proc.stop('SIGTERM', 5_000));
  try {
    await proc.start();
  } catch (error) {
    await proc.stop('SIGKILL', 2_000);
    forget();
    throw new Error(`${name} did not start: ${(error as Error).message}\n${logs.slice(-10).join('\n')}`);
  }
  return { name, process: proc, pid: proc.pid!, ports, logs, forget };
}

export async function stopChildren(children: Array<Child | undefined>): Promise<void> {
  const running = children.filter((c): c is Child => Boolean(c));
  await Promise.all(running.map((c) => c.process.stop('SIGTERM', 5_000)));
  for (const child of running) child.forget();
}
