import { prefixedStream, setDuplicateWindow, sleep, waitUntil } from '@chatbot/testkit';
import { readMetric } from '../lib/metrics';
import { echoScript } from '../lib/stub';
import { V2Client } from '../lib/v2.client';
import { verdict, withRig, type Rig } from './rig';
import type { Scenario } from './types';

export interface WorkerStallSize {
  stalls: number;
}

const ACK_WAIT_MS = 4_000;
/** The broker's dedupe of reply candidates, narrowed so the stale one reaches chat-log. */
const DEDUPE_WINDOW_MS = 1_000;

/**
 * SIGSTOP of the streaming worker until its job is redelivered and answered by the other worker,
 * then SIGCONT: the stale worker finishes its stream and publishes a second candidate. The
 * broker's dedupe window is narrowed to 1 s first, so that candidate is not dropped by the broker
 * (as it would be within 2 minutes) but reaches chat-log, whose unique key must drop it.
 */
export const workerStall: Scenario<WorkerStallSize> = {
  name: 'worker-stall',
  title: 'SIGSTOP a worker past its ack deadline, another answers, SIGCONT: no second reply frame or row',
  sizes: { full: { stalls: 3 }, quick: { stalls: 1 } },
  async run(ctx, size) {
    const plan = {
      workers: 2,
      stubPerWorker: true,
      script: echoScript({ tokens: 20, tokenDelayMs: 100, ttftMs: 50 }),
      env: { JOB_ACK_WAIT_MS: String(ACK_WAIT_MS) },
      workerEnv: { LOG_LEVEL: 'info' },
    };
    return withRig(ctx, plan, async (rig) => {
      const stream = prefixedStream(rig.env.prefix, 'CHAT_REPLIES');
      await setDuplicateWindow(rig.env.natsUrl, stream, DEDUPE_WINDOW_MS);
      const client = new V2Client('stall', { url: () => rig.system.wsUrl() });
      try {
        if (!(await client.start())) throw new Error('the session did not open');
        const failures: string[] = [];
        const notes: string[] = [];
        const recoveries: Array<number | null> = [];
        for (let round = 0; round < size.stalls; round++) {
          const outcome = await stallRound(rig, client, round);
          failures.push(...outcome.failures);
          notes.push(...outcome.notes);
          recoveries.push(outcome.recoveryMs);
        }
        return await verdict(workerStall.name, rig, [client], { failures, notes, recoveries });
      } finally {
        client.close();
      }
    });
  },
};

async function stallRound(rig: Rig, client: V2Client, round: number): Promise<{ failures: string[]; notes: string[]; recoveryMs: number | null }> {
  const asked = rig.stubs.map((stub) => stub.requests.length);
  const message = client.send(`stall round ${round}`, `st-${round}-${Date.now()}`);
  if (!(await waitUntil(() => message.deltas >= 2, 15_000, 10))) return { failures: [`round ${round}: no worker streamed`], notes: [], recoveryMs: null };
  const fresh = rig.stubs.map((stub, i) => stub.requests.length - asked[i]);
  const stalled = rig.system.workers[fresh.indexOf(Math.max(...fresh))];
  const fault = rig.faults.begin(`SIGSTOP ${stalled.name}`);
  await rig.system.pause(stalled);
  const answered = await waitUntil(() => message.replies.length > 0, 30_000, 20);
  await sleep(DEDUPE_WINDOW_MS + 500);
  const chatLogOps = rig.system.byName('chat-log').ports.ops;
  const droppedBefore = (await readMetric(chatLogOps, 'chatbot_chatlog_replies_dropped_total')) ?? 0;
  rig.system.resume(stalled);
  rig.faults.healed(fault);
  if (!answered) return { failures: [`round ${round}: the other worker never answered the stalled job`], notes: [], recoveryMs: null };
  const staleDone = await waitUntil(() => stalled.logs.some((l) => l.includes(message.id) && l.includes('"answered"')), 15_000);
  const dropped = await waitUntil(async () => ((await readMetric(chatLogOps, 'chatbot_chatlog_replies_dropped_total')) ?? 0) > droppedBefore, 10_000, 100);
  await sleep(1_000); // room for a second frame to arrive, were one sent
  const notes = [`round ${round}: stale worker ${staleDone ? 'finished and published its candidate' : 'did not finish'}; chat-log ${dropped ? 'dropped it' : 'saw no drop'}`];
  const story = `paused ${stalled.name} (stub requests this round: ${fresh.join('/')}), answered after ${message.replies[0].at - fault.at} ms`;
  const failures = staleDone && dropped ? [] : [`round ${round}: the stale candidate was not observed reaching chat-log (${story})`];
  return { failures, notes, recoveryMs: message.replies[0].at - fault.at };
}
