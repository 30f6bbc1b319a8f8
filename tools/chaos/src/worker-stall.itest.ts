import { outcome, PASSED, runOnce } from './run-once';
import { workerStall } from './scenarios';

describe('a worker paused past its ack deadline', () => {
  test('cannot deliver or store a second reply once it resumes', async () => {
    const result = await runOnce(workerStall, { stalls: 1 });
    expect(outcome(result)).toEqual(PASSED);
  });
});
