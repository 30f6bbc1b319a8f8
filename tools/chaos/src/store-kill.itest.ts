import { outcome, PASSED, runOnce } from './run-once';
import { storeKill } from './scenarios';

describe('chat-log killed with kill -9 under load', () => {
  test('nothing accepted is lost or stored or answered twice', async () => {
    const result = await runOnce(storeKill, { clients: 6, messages: 8, intervalMs: 300, victims: ['chat-log'] });
    expect(outcome(result)).toEqual(PASSED);
  });
});
