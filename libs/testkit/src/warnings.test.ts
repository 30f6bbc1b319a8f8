import { warningsOf, warningSummary } from './warnings';

const line = (level: string, msg: string, time: string) => JSON.stringify({ level, time: `2026-12-04T${time}Z`, msg });

describe('service warnings', () => {
  test('warningsOf keeps the warn, error and fatal lines of a log', () => {
    const logs = [line('info', 'ready', '10:00:00.000'), line('warn', 'slow', '10:00:01.000'), 'not JSON', line('fatal', 'gone', '10:00:02.000')];
    expect(warningsOf({ name: 'chat-log', logs })).toEqual({ name: 'chat-log', logs: [logs[1], logs[3]] });
  });

  test('groups warnings and errors by service and message, most frequent first, with their first and last time', () => {
    const services = [
      { name: 'gateway', logs: [line('warn', 'message not accepted by the broker', '21:44:39.610'), line('warn', 'message not accepted by the broker', '21:44:41.200')] },
      { name: 'llm-dispatch#1', logs: [line('info', 'answered', '21:44:40.000'), line('error', 'job failed', '21:44:44.614'), 'Error: not JSON'] },
    ];
    expect(warningSummary(services)).toEqual([
      '2× gateway: message not accepted by the broker (21:44:39.610–21:44:41.200)',
      '1× llm-dispatch#1: job failed (21:44:44.614)',
    ]);
  });

  test('says how many kinds were left out past the limit', () => {
    const logs = ['a', 'b', 'c'].map((msg) => line('warn', msg, '10:00:00.000'));
    expect(warningSummary([{ name: 'qna-cache', logs }], 2)).toEqual(['1× qna-cache: a (10:00:00.000)', '1× qna-cache: b (10:00:00.000)', 'and 1 other kinds of warning']);
  });
});
