import { sleep, startPrivatePostgres, waitUntil } from '@chatbot/testkit';
import { ChatLogReader } from '../lib/chat-log.reader';
import { LoadRun } from '../lib/load';
import { echoScript } from '../lib/stub';
import { mixedText } from './texts';
import { verdict, withRig, type Rig } from './rig';
import type { Scenario } from './types';

export interface PostgresOutageSize {
  clients: number;
  messages: number;
  intervalMs: number;
  outageMs: number;
}

/** Everything accepted must be in Postgres this soon after Postgres is back. */
const CATCH_UP_MS = 30_000;

/**
 * Postgres stopped (`pg_ctl stop -m fast`: SIGINT to the postmaster) for `outageMs` while
 * clients send, then started again over the same data. The broker keeps accepting; chat-log holds
 * its batch and retries; nothing may exit, and every accepted message is stored once, soon.
 */
export const postgresOutage: Scenario<PostgresOutageSize> = {
  name: 'postgres-outage',
  title: 'Postgres stopped 30 s under load: no service exits, all accepted stored once within 30 s of recovery',
  sizes: {
    full: { clients: 30, messages: 50, intervalMs: 400, outageMs: 30_000 },
    quick: { clients: 6, messages: 10, intervalMs: 400, outageMs: 5_000 },
  },
  async run(ctx, size) {
    const pg = await startPrivatePostgres();
    try {
      const plan = { workers: 2, script: echoScript({ tokens: 5, tokenDelayMs: 5, ttftMs: 20 }), servers: { adminUrl: pg.url } };
      return await withRig(ctx, plan, async (rig) => {
        const load = new LoadRun({ url: () => rig.system.wsUrl(), clients: size.clients, messagesPerClient: size.messages, intervalMs: size.intervalMs, window: 4, text: mixedText });
        try {
          await load.connect();
          const sending = load.send(300_000);
          const failures: string[] = [];
          const notes: string[] = [];
          await waitUntil(() => load.sent() >= load.total / 3, 300_000, 20);
          const fault = rig.faults.begin('Postgres stopped');
          await pg.kill('SIGINT');
          await sleep(size.outageMs);
          notes.push(`${load.sent()} sent by the end of the outage`);
          await pg.start();
          rig.faults.healed(fault);
          rig.log(`  Postgres back after ${size.outageMs} ms`);
          const caughtUp = await storedWithin(rig, load, fault.healedAt!);
          if (caughtUp === null) failures.push(`accepted messages not all stored ${CATCH_UP_MS} ms after Postgres returned`);
          else notes.push(`everything accepted during the outage stored ${caughtUp} ms after Postgres returned`);
          await sending;
          if (!(await load.settle(120_000))) failures.push(`${load.sent() - load.answered()} messages still unanswered 120 s after the last send`);
          return await verdict(postgresOutage.name, rig, load.clients, { failures, notes, unavailableAllowed: true });
        } finally {
          load.close();
        }
      });
    } finally {
      await pg.destroy();
    }
  },
};

/** How long after `since` every message accepted before `since` was in chat_log.messages; null if not within CATCH_UP_MS. */
async function storedWithin(rig: Rig, load: LoadRun, since: number): Promise<number | null> {
  const accepted = load.clients.flatMap((c) => [...c.ledger.messages.values()]).filter((m) => m.acceptedAt !== undefined && m.acceptedAt < since);
  const ids = accepted.map((m) => m.id);
  const allStored = async () => {
    const reader = await ChatLogReader.open(rig.env.databaseUrl).catch(() => undefined);
    if (!reader) return false;
    try {
      return (await reader.countStored(ids)) === ids.length;
    } catch {
      return false;
    } finally {
      await reader.close();
    }
  };
  return (await waitUntil(allStored, CATCH_UP_MS, 250)) ? Date.now() - since : null;
}
