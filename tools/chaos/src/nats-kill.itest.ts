import { outcome, PASSED, runOnce } from './run-once';
import { natsKill } from './scenarios';

describe('nats-server killed with kill -9 under load', () => {
  // The quick size's 30 s of sending: a job the crash lost comes back by chat-log's re-drive
  // (8–10 s) and, landing below the consumer's ack floor, by the orphan sweep (2–4 s more), while
  // its session waits; 20 s left too little for that session's later messages (CI, 2026-12-04).
  test('every message is stored once and answered once after the broker restarts', async () => {
    const result = await runOnce(natsKill, natsKill.sizes.quick);
    expect(outcome(result)).toEqual(PASSED);
  }, 120_000);
});
