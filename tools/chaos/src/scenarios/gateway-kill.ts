import { LoadRun } from '../lib/load';
import { echoScript } from '../lib/stub';
import type { V2Client } from '../lib/v2.client';
import { mixedText } from './texts';
import { verdict, withRig } from './rig';
import type { Scenario } from './types';
import { waitUntil } from '@chatbot/testkit';

export interface GatewayKillSize {
  clients: number;
  messages: number;
  intervalMs: number;
}

/**
 * kill -9 of the gateway with every v2 client mid-conversation, restarted on the same port:
 * each client reconnects with its session id and last seq, gets every reply committed while it
 * was away (replayed from chat-log), and resends what was never stored.
 */
export const gatewayKill: Scenario<GatewayKillSize> = {
  name: 'gateway-kill',
  title: 'kill -9 of the gateway with 100 v2 clients in flight, restarted: every client resumes, nothing missing',
  sizes: {
    full: { clients: 100, messages: 20, intervalMs: 300 },
    quick: { clients: 20, messages: 6, intervalMs: 300 },
  },
  async run(ctx, size) {
    const plan = { workers: 2, script: echoScript({ tokens: 10, tokenDelayMs: 20, ttftMs: 50 }) };
    return withRig(ctx, plan, async (rig) => {
      const load = new LoadRun({ url: () => rig.system.wsUrl(), clients: size.clients, messagesPerClient: size.messages, intervalMs: size.intervalMs, window: 2, text: mixedText });
      try {
        await load.connect();
        const sending = load.send(300_000);
        const failures: string[] = [];
        await waitUntil(() => load.sent() >= load.total / 2, 300_000, 20);
        const inFlight = load.sent() - load.answered();
        const fault = rig.faults.begin('kill -9 gateway');
        await rig.system.crash(rig.system.gateway);
        await rig.system.restart(rig.system.gateway);
        rig.faults.healed(fault);
        const resumed = (c: V2Client) => c.sessions.some((s) => s.at > fault.at && s.resumed);
        const allBack = await waitUntil(() => load.clients.every(resumed), 60_000, 50);
        const backMs = Math.max(0, ...load.clients.filter(resumed).map((c) => c.sessions.find((s) => s.at > fault.at)!.at - fault.at));
        if (!allBack) failures.push(`${load.clients.filter((c) => !resumed(c)).length} clients did not resume within 60 s`);
        await sending;
        if (!(await load.settle(120_000))) failures.push(`${load.sent() - load.answered()} messages still unanswered 120 s after the last send`);
        const notes = [`${inFlight} messages unanswered at the kill`, `all ${load.clients.length} clients resumed ${backMs} ms after the kill`];
        return await verdict(gatewayKill.name, rig, load.clients, { failures, notes, recoveries: [allBack ? backMs : null] });
      } finally {
        load.close();
      }
    });
  },
};
