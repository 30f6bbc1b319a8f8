import type { FromChild, LoadConfig, ToChild } from './protocol';
import { LlmDriver } from './llm-driver';
import { Window } from './window';
import { WsDriver } from './ws-driver';

/**
 * A load-generator child process (forked by the harness with an IPC channel). It builds its
 * clients on `config`, reports `connected`, runs on `run` and answers with its `result`.
 */
function tell(message: FromChild): void {
  process.send?.(message);
}

let driver: WsDriver | LlmDriver | null = null;
const window = new Window();

async function configure(config: LoadConfig): Promise<void> {
  if (config.mode === 'direct-llm') {
    driver = new LlmDriver(config, window);
    return tell({ type: 'connected', sessions: 0, failures: 0, failureSamples: [] });
  }
  const ws = new WsDriver(config, window);
  driver = ws;
  await ws.connect();
  tell({ type: 'connected', sessions: ws.sessions.length, failures: ws.failures, failureSamples: ws.failureSamples });
}

async function handle(message: ToChild): Promise<void> {
  if (message.type === 'config') return configure(message.config);
  if (message.type === 'run') {
    await driver!.run(message);
    const failures = driver instanceof WsDriver ? driver.failures : 0;
    return tell({ type: 'result', result: window.result(driver!.sessions, failures) });
  }
  driver?.close();
  process.disconnect();
}

process.on('message', (message: ToChild) => {
  handle(message).catch((error: unknown) => {
    tell({ type: 'fatal', message: (error as Error).stack ?? String(error) });
    process.exitCode = 1;
  });
});
process.on('disconnect', () => {
  driver?.close();
  setTimeout(() => process.exit(), 200).unref();
});
