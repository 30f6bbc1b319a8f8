import { LoadRun } from '../lib/load';
import { echoScript } from '../lib/stub';
import type { V2Client } from '../lib/v2.client';
import { llmText } from './texts';
import { verdict, withRig } from './rig';
import type { Scenario } from './types';
import { waitUntil } from '@chatbot/testkit';

export interface ReconnectStormSize {
  clients: number;
}

const ALL_BACK_WITHIN_MS = 30_000;

/**
 * The gateway is restarted (SIGTERM: it closes every socket with 1001) under `clients` open
 * sessions that all reconnect at once; every one must be resumed within 30 s of the gateway
 * being back, and then be answered again. Per-address limits are lifted: all come from 127.0.0.1.
 */
export const reconnectStorm: Scenario<ReconnectStormSize> = {
  name: 'reconnect-storm',
  title: '500 clients reconnecting at once after a gateway restart: all back within 30 s',
  sizes: { full: { clients: 500 }, quick: { clients: 50 } },
  async run(ctx, size) {
    const plan = { workers: 2, script: echoScript({ tokens: 3, tokenDelayMs: 5, ttftMs: 10 }) };
    return withRig(ctx, plan, async (rig) => {
      const load = new LoadRun({ url: () => rig.system.wsUrl(), clients: size.clients, messagesPerClient: 1, text: llmText, connectBatch: 100 });
      try {
        await load.connect();
        await load.send(60_000);
        const failures: string[] = [];
        if (!(await load.settle(60_000))) failures.push('the first messages were not all answered before the restart');
        const fault = rig.faults.begin('gateway restart');
        await rig.system.crash(rig.system.gateway, 'SIGTERM');
        await rig.system.restart(rig.system.gateway);
        rig.faults.healed(fault);
        const back = (c: V2Client) => c.sessions.some((s) => s.at > fault.at && s.resumed);
        const allBack = await waitUntil(() => load.clients.every(back), ALL_BACK_WITHIN_MS, 50);
        const backMs = Math.max(0, ...load.clients.filter(back).map((c) => c.sessions.find((s) => s.at > fault.at)!.at - fault.healedAt!));
        if (!allBack) failures.push(`${load.clients.filter((c) => !back(c)).length} of ${size.clients} clients not back ${ALL_BACK_WITHIN_MS} ms after the restart`);
        for (const [i, client] of load.clients.entries()) client.send(llmText(i, 1, `${load.tag}-c${i}-again`), `${load.tag}-c${i}-again`);
        if (!(await load.settle(60_000))) failures.push(`${load.sent() - load.answered()} messages after the restart unanswered`);
        const notes = [`all ${size.clients} back ${backMs} ms after the gateway was ready (${fault.healedAt! - fault.at} ms restart)`];
        return await verdict(reconnectStorm.name, rig, load.clients, { failures, notes, recoveries: [allBack ? backMs : null] });
      } finally {
        load.close();
      }
    });
  },
};
