import { Writable } from 'node:stream';
import pino from 'pino';
import { every, REPEAT_WARNING_MS } from './periodic';

/** A logger whose lines the test reads. */
function capturedLogger() {
  const lines: Array<Record<string, unknown>> = [];
  const sink = new Writable({
    write(chunk: Buffer, _encoding, done) {
      lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
      done();
    },
  });
  return { logger: pino({ level: 'info' }, sink), lines };
}

const until = async (condition: () => boolean) => {
  while (!condition()) await new Promise((resolve) => setTimeout(resolve, 1));
};

test('a task that keeps failing warns once, then once a minute, and says when it works again', async () => {
  const { logger, lines } = capturedLogger();
  let now = 0;
  let runs = 0;
  // Fails for runs 1–6 (the clock moves 20 s per run), works from run 7 on.
  const task = async () => {
    runs += 1;
    now += 20_000;
    if (runs <= 6) throw new Error(`outage ${runs}`);
  };
  const periodic = every('sweep', 1, logger, task, () => now);
  await until(() => runs >= 8);
  await periodic.stop();
  const messages = lines.map((line) => line['msg']);
  expect(messages).toEqual(['periodic task failed', 'periodic task still failing', 'periodic task works again']);
  expect(lines[1]).toMatchObject({ task: 'sweep', failures: 4, failingForMs: REPEAT_WARNING_MS });
  expect(lines[2]).toMatchObject({ task: 'sweep', failures: 6 });
});
