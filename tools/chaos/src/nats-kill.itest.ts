import { outcome, PASSED, runOnce } from './run-once';
import { natsKill } from './scenarios';

describe('nats-server killed with kill -9 under load', () => {
  test('every message is stored once and answered once after the broker restarts', async () => {
    const result = await runOnce(natsKill, { clients: 10, messages: 10, kills: 1, downMs: 1_500, intervalMs: 300, sendForMs: 20_000, settleMs: 15_000 });
    expect(outcome(result)).toEqual(PASSED);
  });
});
