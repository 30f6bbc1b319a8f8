import { randomUUID } from 'node:crypto';
import { z } from 'zod';
import { accessTokenEnv, createAccessTokenSigner } from '@chatbot/auth';
import { sleep } from '@chatbot/testkit';
import { ChatLogReader } from '../lib/chat-log.reader';
import { LoadRun } from '../lib/load';
import { echoScript } from '../lib/stub';
import type { V2Client } from '../lib/v2.client';
import { mixedText } from './texts';
import { verdict, withRig, type Rig } from './rig';
import type { Scenario } from './types';

export interface HandoffSize {
  sessions: number;
  messages: number;
  agents: number;
}

/** Shared by the gateway (which verifies) and this run (which signs the agents' tokens). */
const JWT_SECRET = randomUUID() + randomUUID();

/**
 * Users type while agents take conversations over, write, and hand them back or close them at
 * random moments (over the real agents' API), and users ask for a person now and then. Every
 * message must get exactly one answerer: one reply frame from the assistant or one `handed` frame
 * (0 both, 0 neither: the tally's duplicated and lost), every handed message an agent message
 * committed after it, replies in send order, and no conversation's release order stuck.
 */
export const handoff: Scenario<HandoffSize> = {
  name: 'handoff',
  title: '200 sessions × 10 messages while 4 agents take over, write and release at random: one answerer each',
  sizes: {
    full: { sessions: 200, messages: 10, agents: 4 },
    quick: { sessions: 30, messages: 6, agents: 2 },
  },
  async run(ctx, size) {
    const plan = { workers: 2, script: echoScript({ tokens: 3, ttftMs: [20, 300], tokenDelayMs: [5, 30] }), gatewayEnv: { JWT_SECRET } };
    return withRig(ctx, plan, async (rig) => {
      const load = new LoadRun({ url: () => rig.system.wsUrl(), clients: size.sessions, messagesPerClient: size.messages, window: 2, intervalMs: 150, text: mixedText });
      try {
        await load.connect();
        const api = await agentApi(rig);
        const state = { typing: true };
        const sessions = () => load.clients.flatMap((c) => (c.sessionId ? [c.sessionId] : []));
        const agents = Array.from({ length: size.agents }, () => agentLoop(api, randomUUID(), sessions, state));
        const asking = askForPeople(api, sessions, state);
        await load.send(120_000);
        state.typing = false;
        const counts = await Promise.all(agents);
        await asking;
        // what is still waiting or held gets its answer and goes back to the assistant
        for (const sessionId of sessions()) await handBack(api, sessionId);
        const settled = await load.settle(120_000);
        const failures = settled ? [] : [`${load.sent() - load.answered()} messages with neither a reply nor a handed frame 120 s after the last send`];
        failures.push(...(await handoffProblems(rig, load.clients)));
        const handed = load.clients.reduce((n, c) => n + [...c.ledger.messages.values()].filter((m) => m.replies.some((r) => r.handed)).length, 0);
        const notes = [
          `${counts.reduce((n, c) => n + c.takeovers, 0)} takeovers (${counts.reduce((n, c) => n + c.conflicts, 0)} lost a race), ${handed} messages handed to agents`,
        ];
        return await verdict(handoff.name, rig, load.clients, { failures, notes });
      } finally {
        load.close();
      }
    });
  },
};

type Api = (method: 'GET' | 'POST', path: string, agentId: string | null, body?: unknown) => Promise<{ status: number; body: any }>; // eslint-disable-line @typescript-eslint/no-explicit-any

async function agentApi(rig: Rig): Promise<Api> {
  const signer = createAccessTokenSigner(z.object(accessTokenEnv).parse({ JWT_SECRET }))!;
  const base = rig.system.wsUrl().replace(/^ws/, 'http').replace(/\/api\/chat\/ws$/, '');
  const tokens = new Map<string, string>();
  return async (method, path, agentId, body) => {
    const headers: Record<string, string> = { 'content-type': 'application/json' };
    if (agentId) {
      if (!tokens.has(agentId)) tokens.set(agentId, await signer.signAccessToken({ accountId: agentId, role: 'agent' }));
      headers.authorization = `Bearer ${tokens.get(agentId)}`;
    }
    const res = await fetch(`${base}${path}`, { method, headers, body: body === undefined ? undefined : JSON.stringify(body) });
    const text = await res.text();
    return { status: res.status, body: text ? JSON.parse(text) : undefined };
  };
}

const pick = <T>(items: T[]): T | undefined => items[Math.floor(Math.random() * items.length)];
const jitter = (maxMs: number) => sleep(Math.floor(Math.random() * maxMs));

/** One agent: takes over a random conversation, writes, then releases, provides info or completes. */
async function agentLoop(api: Api, agentId: string, sessions: () => string[], state: { typing: boolean }) {
  const counts = { takeovers: 0, conflicts: 0 };
  while (state.typing) {
    const sessionId = pick(sessions());
    if (!sessionId) {
      await sleep(100);
      continue;
    }
    const taken = await api('POST', `/api/admin/chats/${sessionId}/takeover`, agentId, {});
    if (taken.status !== 200) {
      counts.conflicts += taken.status === 409 ? 1 : 0;
      continue;
    }
    counts.takeovers++;
    await jitter(300);
    await api('POST', `/api/admin/chats/${sessionId}/messages`, agentId, { message: 'an agent answers' });
    await jitter(300);
    const action = pick(['release', 'release', 'provide-info', 'complete'])!;
    const ended = await api('POST', `/api/admin/chats/${sessionId}/${action}`, agentId, action === 'provide-info' ? { message: 'the information' } : {});
    // messages came in after the agent wrote: they need an answer before the conversation leaves the agent
    if (ended.status === 409 && ended.body?.reason === 'unanswered') await api('POST', `/api/admin/chats/${sessionId}/${action}`, agentId, { message: 'answering the rest' });
  }
  return counts;
}

/** Now and then a user asks for a person. */
async function askForPeople(api: Api, sessions: () => string[], state: { typing: boolean }) {
  while (state.typing) {
    await jitter(400);
    const sessionId = pick(sessions());
    if (sessionId) await api('POST', `/api/chat/sessions/${sessionId}/handoff`, null);
  }
}

async function handBack(api: Api, sessionId: string) {
  const closer = randomUUID();
  const taken = await api('POST', `/api/admin/chats/${sessionId}/takeover`, closer, {});
  if (taken.status === 200) await api('POST', `/api/admin/chats/${sessionId}/release`, closer, { message: 'closing words' });
}

/** Handed messages no agent answered, answers out of send order, stuck release orders. */
async function handoffProblems(rig: Rig, clients: V2Client[]): Promise<string[]> {
  const sessionIds = clients.flatMap((c) => (c.sessionId ? [c.sessionId] : []));
  const reader = await ChatLogReader.open(rig.env.databaseUrl);
  const [silent, stalled] = await Promise.all([reader.handedWithoutAgentMessage(sessionIds), reader.stalledSessions(sessionIds)]).finally(() => reader.close());
  let disorder = 0;
  let handoffFramesOff = 0;
  for (const client of clients) {
    const messages = client.ledger.order.map((id) => client.ledger.messages.get(id)!);
    const answered = messages.flatMap((m) => m.replies.filter((r) => r.durable).map((r) => ({ index: m.index, seq: r.seq })));
    answered.sort((a, b) => a.seq - b.seq);
    if (answered.some((a, i) => i > 0 && a.index < answered[i - 1].index)) disorder++;
    if (client.ledger.handoffFrames.some((f, i, all) => i > 0 && f.seq <= all[i - 1].seq)) handoffFramesOff++;
  }
  const problems: string[] = [];
  if (silent.length > 0) problems.push(`${silent.length} messages handed to an agent with no agent message after them`);
  if (stalled > 0) problems.push(`${stalled} sessions with a stored turn never released`);
  if (disorder > 0) problems.push(`${disorder} sessions answered out of send order`);
  if (handoffFramesOff > 0) problems.push(`${handoffFramesOff} sessions got agent or status frames out of seq order`);
  return problems;
}
