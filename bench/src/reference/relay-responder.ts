import { connect } from '@nats-io/transport-node';
import { faqAnswers } from './faq-answers';
import { announceReady, stopOnSignal } from './ready';

/**
 * The answering side of the ideal relay: a separate process that looks the question up in the
 * FAQ data (a map, no database) and answers the session with the bot frame the cache sends.
 */
async function main(): Promise<void> {
  const prefix = process.env.RELAY_PREFIX ?? 'bench';
  const answers = faqAnswers();
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-responder' });
  const inHead = `${prefix}.in.`;
  const encoder = new TextEncoder();
  nc.subscribe(`${inHead}*`, {
    callback: (_error, msg) => {
      const sid = msg.subject.slice(inHead.length);
      const frame = msg.json<{ message_id: string; message: string }>();
      const answer = answers.get(frame.message.trim());
      const reply = {
        sender: 'bot',
        timestamp: new Date().toISOString(),
        message_id: frame.message_id,
        login_required: false,
        message: answer ?? 'unknown question',
      };
      nc.publish(`${prefix}.out.${sid}`, encoder.encode(JSON.stringify(reply)));
    },
  });
  await nc.flush();
  announceReady({});
  stopOnSignal(() => nc.drain());
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
