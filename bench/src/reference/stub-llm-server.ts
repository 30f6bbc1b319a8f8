import { createServer } from 'node:http';
import { startStubLlm, type StubBehaviour } from '@chatbot/testkit';
import { announceReady, stopOnSignal } from './ready';

/**
 * The stub LLM in a process of its own (so its CPU is measured apart). Every request gets the
 * behaviour in BENCH_STUB (text, ttftMs, tokenDelayMs); `PUT /behaviour` on the control port
 * replaces it, so one stub serves the LLM scenario's phases without restarting the workers.
 */
async function main(): Promise<void> {
  const stub = await startStubLlm({ script: JSON.parse(process.env.BENCH_STUB ?? '{}') as StubBehaviour });
  // The stub records every request; a long run would only grow memory with them.
  setInterval(() => {
    stub.requests.length = 0;
    stub.headers.length = 0;
  }, 1_000).unref();
  const control = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      stub.setScript(JSON.parse(body) as StubBehaviour);
      res.end('ok');
    });
  });
  control.listen(0, '127.0.0.1', () => {
    const address = control.address();
    announceReady({ http: stub.port, control: typeof address === 'object' && address ? address.port : 0 });
  });
  stopOnSignal(async () => {
    control.close();
    await stub.close();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
