import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { join } from 'node:path';
import { eventually, startOtlpCollector, type OtlpCollector } from '@chatbot/testkit';

/**
 * runMain as a real process: it starts tracing from the environment before the service, and on
 * SIGTERM sends the spans still buffered before it exits (the batch delay here is ten minutes,
 * so only the shutdown can have sent them).
 */
let collector: OtlpCollector;
beforeAll(async () => {
  collector = await startOtlpCollector();
});
afterAll(() => collector.close());

const service = `
const rt = require(${JSON.stringify(join(__dirname, '..', 'dist'))});
rt.runMain('lifecycle-test', async () => {
  const logger = rt.createLogger('lifecycle-test', 'silent');
  await rt.inSpan('started', {}, async () => {});
  const serving = setInterval(() => {}, 1000); // what a listening server does: keeps the process up
  rt.announceReady(logger, { ports: {} });
  const stop = () => rt.inSpan('stopping', {}, async () => clearInterval(serving));
  return { running: { stop }, logger, graceMs: 5000 };
});
`;

test('a service started by runMain exports its spans, the buffered ones on SIGTERM', async () => {
  const env = { ...process.env, OTEL_EXPORTER_OTLP_ENDPOINT: collector.endpoint, OTEL_BSP_SCHEDULE_DELAY: '600000' };
  const child = spawn(process.execPath, ['-e', service], { env, stdio: ['ignore', 'pipe', 'inherit'] });
  let out = '';
  child.stdout.on('data', (chunk: Buffer) => (out += chunk.toString()));
  await eventually(async () => expect(out).toContain('"msg":"ready"'), 10_000);
  expect(collector.spans).toEqual([]);
  child.kill('SIGTERM');
  const [code] = await once(child, 'exit');
  expect(code).toBe(0);
  expect(collector.spans.map((s) => `${s.service} ${s.name}`).sort()).toEqual(['lifecycle-test started', 'lifecycle-test stopping']);
});
