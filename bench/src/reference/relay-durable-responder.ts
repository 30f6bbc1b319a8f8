import type { JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { Client } from 'pg';
import { faqAnswers } from './faq-answers';
import { announceReady, stopOnSignal } from './ready';
import { durableInHead, openWorkQueue } from './work-queue';

/**
 * The answering side of the durable relay (reference 1c): the least a pipeline must do so that a
 * crash loses no message. Frames arrive through a JetStream work queue (file storage, as the
 * product's streams); each micro-batch is stored, question and answer, by one multi-row statement
 * on one connection (one commit); then the answers go out on core NATS and the batch is
 * acknowledged. No validation, routing, turn order or outbox: what is left is the cost of two
 * durable writes per message on this machine.
 */
const MAX_BATCH = 256;

const SCHEMA = `
  CREATE TABLE IF NOT EXISTS relay_messages (
    id bigserial PRIMARY KEY, session_id text NOT NULL, message_id text NOT NULL UNIQUE, text text NOT NULL,
    received_at timestamptz NOT NULL DEFAULT now());
  CREATE TABLE IF NOT EXISTS relay_replies (
    id bigserial PRIMARY KEY, message_id text NOT NULL UNIQUE, text text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now())`;

// A redelivered batch stores nothing twice (ON CONFLICT), as any at-least-once consumer must.
const STORE = `
  WITH stored AS (
    INSERT INTO relay_messages (session_id, message_id, text)
    SELECT * FROM unnest($1::text[], $2::text[], $3::text[]) ON CONFLICT (message_id) DO NOTHING)
  INSERT INTO relay_replies (message_id, text)
  SELECT * FROM unnest($2::text[], $4::text[]) ON CONFLICT (message_id) DO NOTHING`;

interface Turn {
  msg: JsMsg;
  sid: string;
  messageId: string;
  question: string;
  answer: string;
}

async function main(): Promise<void> {
  const prefix = process.env.RELAY_PREFIX ?? 'bench';
  const answers = faqAnswers();
  const db = new Client({ connectionString: process.env.DATABASE_URL });
  await db.connect();
  await db.query(SCHEMA);
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-durable-responder' });
  const queue = await openWorkQueue(nc, prefix);
  const inHead = durableInHead(prefix);
  const encoder = new TextEncoder();
  const held: JsMsg[] = [];
  let draining: Promise<void> | null = null;
  const store = async (turns: Turn[]) => {
    const column = (pick: (t: Turn) => string) => turns.map(pick);
    await db.query(STORE, [column((t) => t.sid), column((t) => t.messageId), column((t) => t.question), column((t) => t.answer)]);
  };
  const drain = async (): Promise<void> => {
    while (held.length > 0) {
      const turns = held.splice(0, MAX_BATCH).map((msg) => turnOf(msg, inHead, answers));
      await store(turns);
      for (const t of turns) nc.publish(`${prefix}.out.${t.sid}`, encoder.encode(JSON.stringify(replyFrame(t))));
      for (const t of turns) t.msg.ack();
    }
    draining = null;
  };
  const messages = await queue.consumer.consume({
    max_messages: MAX_BATCH * 2,
    callback: (msg) => {
      held.push(msg);
      draining ??= new Promise<void>((resolve) => setImmediate(resolve)).then(drain);
    },
  });
  announceReady({});
  stopOnSignal(async () => {
    messages.stop();
    await draining;
    await queue.remove();
    await nc.drain();
    await db.end();
  });
}

function turnOf(msg: JsMsg, inHead: string, answers: Map<string, string>): Turn {
  const frame = msg.json<{ message_id: string; message: string }>();
  const question = frame.message.trim();
  return { msg, sid: msg.subject.slice(inHead.length), messageId: frame.message_id, question, answer: answers.get(question) ?? 'unknown question' };
}

const replyFrame = (t: Turn) => ({ sender: 'bot', timestamp: new Date().toISOString(), message_id: t.messageId, login_required: false, message: t.answer });

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
