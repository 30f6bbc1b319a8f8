import { createOutput, logFormat } from './output';
import { plain, prettyLine } from './pretty';

const serviceLine = JSON.stringify({
  level: 'warn',
  time: '2026-12-07T16:40:00.000Z',
  service: 'chat-log',
  msg: 'reply held back',
  sessionId: 's-1',
  seq: 4,
});

test('a terminal gets readable lines; a pipe or LOG_FORMAT=json gets JSON lines', () => {
  expect(logFormat({}, true)).toBe('pretty');
  expect(logFormat({}, false)).toBe('json');
  expect(logFormat({ LOG_FORMAT: 'json' }, true)).toBe('json');
  expect(logFormat({ LOG_FORMAT: 'pretty' }, false)).toBe('pretty');
});

test('a service JSON line reads as time, name, level, message and its fields', () => {
  const line = prettyLine('chat-log', serviceLine, plain)!;
  expect(line).toMatch(/^\d\d:\d\d:\d\d chat-log\s+WARN\s+reply held back {2}sessionId=s-1 seq=4$/);
});

test('an error is shown with its stack under the line', () => {
  const line = prettyLine('gateway', JSON.stringify({ level: 'error', msg: 'boom', err: { message: 'x', stack: 'Error: x\n    at f' } }), plain)!;
  expect(line.split('\n')).toEqual([expect.stringMatching(/gateway\s+ERROR\s+boom$/), '    Error: x', '        at f']);
});

test("servers' routine lines are left out on a terminal, their warnings kept", () => {
  expect(prettyLine('nats-server', '[12] 2026/12/07 16:40:00.000000 [INF] Server is ready', plain)).toBeNull();
  expect(prettyLine('postgres', '2026-12-07 16:40:00.000 UTC [7] LOG:  checkpoint starting: time', plain)).toBeNull();
  expect(prettyLine('nats-server', '[12] 2026/12/07 16:40:00.000000 [WRN] slow consumer', plain)).toMatch(/nats-server\s+WARN\s+slow consumer$/);
  expect(prettyLine('postgres', '2026-12-07 16:40:00.000 UTC [7] FATAL:  bad things', plain)).toMatch(/postgres\s+FATAL\s+bad things$/);
  expect(prettyLine('launcher', 'exited (code 1)', plain)).toMatch(/launcher\s+INFO\s+exited \(code 1\)$/);
});

test('JSON output passes service lines through untouched and wraps plain text as JSON', () => {
  const written: string[] = [];
  const out = createOutput('json', (t) => written.push(t), false);
  out.child('chat-log', serviceLine);
  out.child('nats-server', '[12] plain text');
  out.step('starting NATS…');
  out.banner(['Chat http://127.0.0.1:8080/']);
  expect(written[0]).toBe(`${serviceLine}\n`);
  expect(JSON.parse(written[1])).toMatchObject({ service: 'nats-server', msg: '[12] plain text', level: 'info' });
  expect(JSON.parse(written[2])).toMatchObject({ service: 'launcher', msg: 'starting NATS…' });
  expect(written).toHaveLength(3); // the banner is for people only
});
