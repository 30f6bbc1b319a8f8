import { ChatLogReader } from '../lib/chat-log.reader';
import { LoadRun } from '../lib/load';
import { echoAnswer, echoScript, promptOf } from '../lib/stub';
import type { V2Client } from '../lib/v2.client';
import { FAQ_QUESTION, mixedText } from './texts';
import { verdict, withRig, type Rig } from './rig';
import type { Scenario } from './types';
import { sleep } from '@chatbot/testkit';

export interface OrderSize {
  sessions: number;
  messages: number;
  workers: number;
  killEveryMs: number;
}

const ACK_WAIT_MS = 5_000;

/**
 * Many sessions each keep three messages in flight (a fifth answered at once by the FAQ cache,
 * the rest by LLM workers of random latency) while a worker is killed every `killEveryMs` and
 * restarted. Each session's replies must come in the order its messages were sent, each the
 * answer to its own message, and chat-log's turns must follow the same order.
 */
export const orderUnderKills: Scenario<OrderSize> = {
  name: 'order-under-kills',
  title: '200 sessions × 10 messages, 3 workers of random latency, a worker killed every 10 s: order kept',
  sizes: {
    full: { sessions: 200, messages: 10, workers: 3, killEveryMs: 10_000 },
    quick: { sessions: 20, messages: 5, workers: 3, killEveryMs: 4_000 },
  },
  async run(ctx, size) {
    const plan = {
      workers: size.workers,
      stubPerWorker: true,
      script: echoScript({ tokens: 5, ttftMs: [20, 400], tokenDelayMs: [5, 40] }),
      env: { JOB_ACK_WAIT_MS: String(ACK_WAIT_MS) },
    };
    return withRig(ctx, plan, async (rig) => {
      // Three in flight per session: enough for redelivery to be able to reorder, not an overload.
      const load = new LoadRun({ url: () => rig.system.wsUrl(), clients: size.sessions, messagesPerClient: size.messages, window: 3, intervalMs: 100, text: mixedText });
      try {
        await load.connect();
        const state = { done: false };
        const killing = killEvery(rig, load, size.killEveryMs, state);
        await load.send(120_000);
        const settled = await load.settle(180_000);
        state.done = true;
        const recoveries = await killing;
        const failures = settled ? [] : [`${load.sent() - load.answered()} messages unanswered 180 s after the last send`];
        failures.push(...(await orderProblems(rig, load.clients)));
        const notes = [`${recoveries.length} workers killed`];
        return await verdict(orderUnderKills.name, rig, load.clients, { failures, notes, recoveries });
      } finally {
        load.close();
      }
    });
  },
};

/**
 * Kills worker 1, 2, 3, 1 … every `everyMs` until the load is answered; per kill, the recovery
 * is when the last message its stub LLM was streaming got its reply.
 */
async function killEvery(rig: Rig, load: LoadRun, everyMs: number, state: { done: boolean }): Promise<Array<number | null>> {
  const recoveries: Array<Promise<number | null>> = [];
  for (let k = 0; k < 100; k++) {
    for (let waited = 0; waited < everyMs && !state.done; waited += 100) await sleep(100);
    if (state.done) break;
    const index = k % rig.system.workers.length;
    const victims = streamingOn(rig, load, index);
    const fault = rig.faults.begin(`kill -9 ${rig.system.workers[index].name}`);
    await rig.system.crash(rig.system.workers[index]);
    recoveries.push(answeredAfter(victims, fault.at));
    await rig.system.restart(rig.system.workers[index]);
    rig.faults.healed(fault);
  }
  return Promise.all(recoveries);
}

/** Unanswered messages whose prompt the worker's stub LLM was asked: what the kill interrupts. */
function streamingOn(rig: Rig, load: LoadRun, worker: number) {
  const asked = new Set(rig.stubs[worker].requests.map(promptOf));
  return load.clients.flatMap((c) => [...c.ledger.messages.values()]).filter((m) => m.replies.length === 0 && asked.has(m.text));
}

async function answeredAfter(victims: ReturnType<typeof streamingOn>, at: number): Promise<number | null> {
  for (let i = 0; i < 1_800 && victims.some((m) => m.replies.length === 0); i++) await sleep(100);
  if (victims.some((m) => m.replies.length === 0)) return null;
  return victims.length === 0 ? 0 : Math.max(...victims.map((m) => m.replies[0].at - at));
}

/** Turn order, reply order and reply content, per session, against the order of sending. */
async function orderProblems(rig: Rig, clients: V2Client[]): Promise<string[]> {
  const reader = await ChatLogReader.open(rig.env.databaseUrl);
  const rows = await reader.messages(clients.flatMap((c) => c.ledger.order)).finally(() => reader.close());
  const turnOf = new Map(rows.map((r) => [r.messageId, r.turn]));
  let turnDisorder = 0;
  let replyDisorder = 0;
  let wrongAnswer = 0;
  for (const client of clients) {
    const messages = client.ledger.order.map((id) => client.ledger.messages.get(id)!);
    const turns = messages.map((m) => turnOf.get(m.id) ?? -1);
    if (turns.some((turn, i) => i > 0 && turn <= turns[i - 1])) turnDisorder++;
    const answered = messages.flatMap((m) => m.replies.filter((r) => r.durable).map((r) => ({ index: m.index, seq: r.seq })));
    answered.sort((a, b) => a.seq - b.seq);
    if (answered.some((a, i) => i > 0 && a.index < answered[i - 1].index)) replyDisorder++;
    wrongAnswer += messages.filter((m) => m.text !== FAQ_QUESTION && m.replies.some((r) => !r.unavailable && r.text !== echoAnswer(m.text))).length;
  }
  const problems: string[] = [];
  if (turnDisorder > 0) problems.push(`${turnDisorder} sessions stored out of send order`);
  if (replyDisorder > 0) problems.push(`${replyDisorder} sessions answered out of order`);
  if (wrongAnswer > 0) problems.push(`${wrongAnswer} replies answer another message`);
  return problems;
}
