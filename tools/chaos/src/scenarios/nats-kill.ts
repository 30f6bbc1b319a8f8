import { sleep, startPrivateNats, waitUntil, type PrivateServer } from '@chatbot/testkit';
import { workQueueEvidence } from '../lib/broker.evidence';
import { LoadRun } from '../lib/load';
import { echoScript } from '../lib/stub';
import { mixedText } from './texts';
import { verdict, withRig, type Rig } from './rig';
import type { Scenario } from './types';

export interface NatsKillSize {
  clients: number;
  messages: number;
  kills: number;
  /** How long the broker stays dead each time. */
  downMs: number;
  /** Pause between two messages of one client. */
  intervalMs: number;
  /** Sending stops after this long even if messages are left (a stuck session must not stall the run). */
  sendForMs: number;
  /** How long the last answers may take after sending ended. */
  settleMs: number;
}

/**
 * kill -9 of nats-server `kills` times while every client sends, each time restarted on the same
 * port over the same JetStream store. What the gateway could not hand to the broker it refuses
 * (E5006) and the client resends; acks lost with the broker come back as redeliveries, which
 * every step absorbs (dedupe by message id).
 */
export const natsKill: Scenario<NatsKillSize> = {
  name: 'nats-kill',
  title: 'kill -9 of nats-server under load, restarted on the same port and store: 0 lost, 0 duplicated',
  sizes: {
    full: { clients: 50, messages: 60, kills: 3, downMs: 2_000, intervalMs: 400, sendForMs: 150_000, settleMs: 60_000 },
    quick: { clients: 10, messages: 10, kills: 1, downMs: 1_500, intervalMs: 300, sendForMs: 30_000, settleMs: 30_000 },
  },
  async run(ctx, size) {
    const nats = await startPrivateNats();
    try {
      // Stub replies take under a second: a head queued 15 s is stuck, not slow (production: 180 s).
      const env = { JOB_STUCK_AFTER_MS: '15000' };
      const plan = { workers: 2, env, script: echoScript({ tokens: 5, tokenDelayMs: 5, ttftMs: 20 }), servers: { natsUrl: nats.url } };
      return await withRig(ctx, plan, async (rig) => {
        const load = new LoadRun({
          url: () => rig.system.wsUrl(),
          clients: size.clients,
          messagesPerClient: size.messages,
          intervalMs: size.intervalMs,
          window: 2,
          text: mixedText,
        });
        try {
          await load.connect();
          const sending = load.send(size.sendForMs);
          await killDuringLoad(rig, nats, load, size);
          const failures: string[] = [];
          await sending;
          if (load.sent() < load.total) failures.push(`only ${load.sent()} of ${load.total} messages could be sent within ${size.sendForMs} ms`);
          if (!(await load.settle(size.settleMs))) failures.push(`${load.sent() - load.answered()} messages still unanswered ${size.settleMs} ms after the last send`);
          const notes = [`${size.kills} broker crashes of ${size.downMs} ms`, ...(await workQueueEvidence(nats.url, rig.env.prefix))];
          return await verdict(natsKill.name, rig, load.clients, { failures, notes });
        } finally {
          load.close();
        }
      });
    } finally {
      if (process.env.CHAOS_HOLD_MS) {
        ctx.log(`  holding nats-server ${nats.url} for inspection`);
        await sleep(Number(process.env.CHAOS_HOLD_MS));
      }
      await nats.destroy();
    }
  },
};

/**
 * Kills the broker when the load is 1/(k+1), 2/(k+1) … of the way through, or when that share of
 * the sending time has passed if the load is slower (every kill happens either way).
 */
async function killDuringLoad(rig: Rig, nats: PrivateServer, load: LoadRun, size: NatsKillSize): Promise<void> {
  const startedAt = Date.now();
  for (let k = 1; k <= size.kills; k++) {
    const due = Math.floor((load.total * k) / (size.kills + 1));
    const dueAt = startedAt + (size.sendForMs * k) / (size.kills + 1);
    await waitUntil(() => load.sent() >= due || Date.now() >= dueAt, size.sendForMs, 20);
    const fault = rig.faults.begin(`kill -9 nats-server #${k}`);
    await nats.kill('SIGKILL');
    await sleep(size.downMs);
    await nats.start();
    rig.faults.healed(fault);
    rig.log(`  nats-server killed and restarted (${k}/${size.kills}) at ${load.sent()}/${load.total} sent`);
  }
}
