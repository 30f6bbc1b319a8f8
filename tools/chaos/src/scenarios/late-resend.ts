import { prefixedStream, setDuplicateWindow, sleep, waitUntil } from '@chatbot/testkit';
import { LoadRun } from '../lib/load';
import { echoScript } from '../lib/stub';
import { mixedText } from './texts';
import { verdict, withRig } from './rig';
import type { Scenario } from './types';

export interface LateResendSize {
  clients: number;
  messages: number;
}

const DEDUPE_WINDOW_MS = 1_000;
const STREAMS = ['CHAT_INBOUND', 'CHAT_STORED', 'LLM_JOBS', 'CHAT_REPLIES'];

/**
 * Every message is sent again with its message_id after it was stored and answered, once the
 * broker's dedupe window has passed (narrowed to 1 s on every stream, as if minutes had gone
 * by): chat-log sees it again and must store it once and, as it was answered, route it no
 * further, so it is answered exactly once.
 */
export const lateResend: Scenario<LateResendSize> = {
  name: 'late-resend',
  title: 'resend of answered messages after the broker dedupe window: stored and answered once',
  sizes: { full: { clients: 10, messages: 10 }, quick: { clients: 3, messages: 4 } },
  async run(ctx, size) {
    const plan = { workers: 2, script: echoScript({ tokens: 5, tokenDelayMs: 5, ttftMs: 20 }) };
    return withRig(ctx, plan, async (rig) => {
      for (const stream of STREAMS) await setDuplicateWindow(rig.env.natsUrl, prefixedStream(rig.env.prefix, stream), DEDUPE_WINDOW_MS);
      const load = new LoadRun({ url: () => rig.system.wsUrl(), clients: size.clients, messagesPerClient: size.messages, text: mixedText });
      try {
        await load.connect();
        await load.send(60_000);
        const failures: string[] = [];
        if (!(await load.settle(60_000))) failures.push('not every first send was answered');
        await sleep(DEDUPE_WINDOW_MS + 500);
        const asked = rig.stubs[0].requests.length;
        const messages = load.clients.flatMap((c) => [...c.ledger.messages.values()]);
        for (const client of load.clients) for (const id of client.ledger.order) client.resendNow(id);
        const restored = await waitUntil(() => messages.every((m) => m.storedFrames >= 2), 30_000, 50);
        await sleep(5_000); // room for a second answer, were one made
        if (!restored) failures.push(`${messages.filter((m) => m.storedFrames < 2).length} resends got no stored frame`);
        const notes = [`${load.sent()} messages resent after the window; the LLM was asked ${rig.stubs[0].requests.length - asked} more times`];
        return await verdict(lateResend.name, rig, load.clients, { failures, notes, recoveries: [] });
      } finally {
        load.close();
      }
    });
  },
};
