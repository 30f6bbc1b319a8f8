import { outcome, PASSED, runOnce } from './run-once';
import { workerKill } from './scenarios';

describe('an llm-dispatch worker killed mid-stream', () => {
  test('each interrupted message gets exactly one complete reply from another worker', async () => {
    const result = await runOnce(workerKill, { kills: 3, sessions: 2 });
    expect(outcome(result)).toEqual(PASSED);
  });
});
