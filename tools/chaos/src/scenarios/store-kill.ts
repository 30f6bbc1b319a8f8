import { LoadRun } from '../lib/load';
import { echoScript } from '../lib/stub';
import { mixedText } from './texts';
import { verdict, withRig, type Rig } from './rig';
import type { Scenario } from './types';
import { waitUntil } from '@chatbot/testkit';

type Victim = 'chat-log' | 'qna-cache';

export interface StoreKillSize {
  clients: number;
  messages: number;
  intervalMs: number;
  /** Killed one after the other, at even shares of the load. */
  victims: Victim[];
}

/**
 * kill -9 of chat-log, then of qna-cache, while clients send; each is restarted at once. Their
 * unacknowledged micro-batches come back after the consumers' ack wait and are stored and routed
 * once (message id as key in Postgres, Nats-Msg-Id on what qna-cache forwards).
 */
export const storeKill: Scenario<StoreKillSize> = {
  name: 'store-kill',
  title: 'kill -9 of chat-log and of qna-cache mid-load, restarted: 0 lost, 0 duplicated',
  sizes: {
    full: { clients: 30, messages: 40, intervalMs: 300, victims: ['chat-log', 'qna-cache'] },
    quick: { clients: 6, messages: 8, intervalMs: 300, victims: ['chat-log', 'qna-cache'] },
  },
  async run(ctx, size) {
    const plan = { workers: 2, script: echoScript({ tokens: 5, tokenDelayMs: 5, ttftMs: 20 }) };
    return withRig(ctx, plan, async (rig) => {
      const load = new LoadRun({ url: () => rig.system.wsUrl(), clients: size.clients, messagesPerClient: size.messages, intervalMs: size.intervalMs, window: 2, text: mixedText });
      try {
        await load.connect();
        const sending = load.send(300_000);
        const failures = await killEach(rig, load, size.victims);
        await sending;
        if (!(await load.settle(120_000))) failures.push(`${load.sent() - load.answered()} messages still unanswered 120 s after the last send`);
        return await verdict(storeKill.name, rig, load.clients, { failures, notes: [`${size.victims.join(' and ')} killed once each`], unavailableAllowed: true });
      } finally {
        load.close();
      }
    });
  },
};

async function killEach(rig: Rig, load: LoadRun, victims: Victim[]): Promise<string[]> {
  const failures: string[] = [];
  for (const [i, name] of victims.entries()) {
    const due = Math.floor((load.total * (i + 1)) / (victims.length + 1));
    if (!(await waitUntil(() => load.sent() >= due, 300_000, 20))) {
      failures.push(`the load never reached ${due} messages`);
      break;
    }
    const service = rig.system.byName(name);
    const fault = rig.faults.begin(`kill -9 ${name}`);
    await rig.system.crash(service);
    await rig.system.restart(service);
    rig.faults.healed(fault);
    rig.log(`  ${name} killed and restarted at ${load.sent()}/${load.total} sent`);
  }
  return failures;
}
