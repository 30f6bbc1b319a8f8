import { ChatLogReader } from '../lib/chat-log.reader';
import type { SentMessage } from '../lib/session.ledger';
import { echoAnswer, echoScript, promptOf } from '../lib/stub';
import { V2Client } from '../lib/v2.client';
import { verdict, withRig, type Rig } from './rig';
import type { Scenario } from './types';
import { waitUntil } from '@chatbot/testkit';

export interface WorkerKillSize {
  kills: number;
  /** Sessions sending one message per round, so a killed worker usually holds several streams. */
  sessions: number;
}

/** The promise under test: the killed stream's message is answered once, completely, within this. */
const ANSWER_WITHIN_MS = 15_000;
const ACK_WAIT_MS = 4_000;

/**
 * kill -9 of the llm-dispatch worker that is streaming, `kills` times, with two workers (each on
 * its own stub LLM, so the stub that was asked names the worker). The job comes back after the
 * ack wait and the other (or the restarted) worker answers it from the start.
 */
export const workerKill: Scenario<WorkerKillSize> = {
  name: 'worker-kill',
  title: 'kill -9 of the llm-dispatch worker mid-stream (2 workers): one complete final reply within 15 s',
  sizes: { full: { kills: 20, sessions: 3 }, quick: { kills: 3, sessions: 2 } },
  async run(ctx, size) {
    const plan = {
      workers: 2,
      stubPerWorker: true,
      script: echoScript({ tokens: 20, tokenDelayMs: 100, ttftMs: 50 }),
      env: { JOB_ACK_WAIT_MS: String(ACK_WAIT_MS) },
    };
    return withRig(ctx, plan, async (rig) => {
      const clients = Array.from({ length: size.sessions }, (_, i) => new V2Client(`s${i}`, { url: () => rig.system.wsUrl() }));
      try {
        for (const client of clients) if (!(await client.start())) throw new Error('a session did not open');
        const failures: string[] = [];
        const recoveries: Array<number | null> = [];
        for (let round = 0; round < size.kills; round++) {
          const outcome = await killRound(rig, clients, round);
          recoveries.push(outcome.recoveryMs);
          failures.push(...outcome.failures);
        }
        failures.push(...(await incompleteAnswers(rig, clients)));
        return await verdict(workerKill.name, rig, clients, { failures, recoveries, notes: [`${size.kills} workers killed mid-stream`] });
      } finally {
        for (const client of clients) client.close();
      }
    });
  },
};

async function killRound(rig: Rig, clients: V2Client[], round: number): Promise<{ recoveryMs: number | null; failures: string[] }> {
  const asked = rig.stubs.map((stub) => stub.requests.length);
  const sent = clients.map((client) => client.send(`kill round ${round} ${client.name}`, `wk-${round}-${client.name}-${Date.now()}`));
  const streaming = await waitUntil(() => sent.some((m) => m.deltas >= 2), ANSWER_WITHIN_MS, 10);
  if (!streaming) return { recoveryMs: null, failures: [`round ${round}: no worker started streaming`] };
  const target = busiestWorker(rig, asked);
  const fault = rig.faults.begin(`kill ${rig.system.workers[target].name}`);
  await rig.system.crash(rig.system.workers[target]);
  const restarted = rig.system.restart(rig.system.workers[target]);
  rig.faults.healed(fault);
  const victims = sent.filter((m) => m.replies.length === 0);
  const answered = await waitUntil(() => victims.every((m) => m.replies.length > 0), 2 * ANSWER_WITHIN_MS, 20);
  await restarted;
  await waitUntil(() => sent.every((m) => m.replies.length > 0), ANSWER_WITHIN_MS, 20);
  const slowest = victims.length === 0 ? 0 : Math.max(...victims.map((m) => firstReplyAt(m) - fault.at));
  const failures: string[] = [];
  const retried = victims.filter((m) => timesAsked(rig, m.text) >= 2).length;
  if (retried === 0) failures.push(`round ${round}: the kill interrupted no stream (nothing was asked twice)`);
  if (!answered) failures.push(`round ${round}: ${victims.filter((m) => m.replies.length === 0).length} killed streams never answered`);
  else if (slowest > ANSWER_WITHIN_MS) failures.push(`round ${round}: answered ${slowest} ms after the kill (limit ${ANSWER_WITHIN_MS})`);
  return { recoveryMs: answered ? slowest : null, failures };
}

/** The worker whose stub LLM was asked most since the round began (it holds the streams). */
function busiestWorker(rig: Rig, askedBefore: number[]): number {
  const fresh = rig.stubs.map((stub, i) => stub.requests.length - askedBefore[i]);
  return fresh.indexOf(Math.max(...fresh));
}

const timesAsked = (rig: Rig, prompt: string) => rig.stubs.reduce((n, stub) => n + stub.requests.filter((r) => promptOf(r) === prompt).length, 0);

const firstReplyAt = (m: SentMessage) => (m.replies[0]?.at ?? Number.POSITIVE_INFINITY);

/** A committed reply must be the whole answer, never a killed stream's partial text. */
async function incompleteAnswers(rig: Rig, clients: V2Client[]): Promise<string[]> {
  const messages = clients.flatMap((c) => [...c.ledger.messages.values()]);
  const reader = await ChatLogReader.open(rig.env.databaseUrl);
  try {
    const rows = await reader.replies(messages.map((m) => m.id));
    const text = new Map(messages.map((m) => [m.id, m.text]));
    const wrong = rows.filter((row) => row.kind !== 'answer' || row.message !== echoAnswer(text.get(row.promptMessageId) ?? ''));
    return wrong.length === 0 ? [] : [`${wrong.length} committed replies are not the complete answer (e.g. ${wrong[0].kind}: ${wrong[0].message.slice(0, 60)})`];
  } finally {
    await reader.close();
  }
}
