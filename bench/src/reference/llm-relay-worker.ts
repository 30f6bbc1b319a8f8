import { Agent } from 'node:http';
import type { JsMsg } from '@nats-io/jetstream';
import { connect } from '@nats-io/transport-node';
import { streamCompletion } from '../completion-stream';
import { announceReady, stopOnSignal } from './ready';
import { durableInHead, openWorkQueue } from './work-queue';

/**
 * The worker of reference 3b, the LLM relay: the least a pipeline must do before the model is
 * called so that no question is lost. relay-server.js (RELAY_DURABLE=1) publishes each frame to a
 * JetStream work queue and waits for the broker's ack; this process pulls it, calls the model
 * (LLM_BASE_URL) and sends each piece of text straight back on core NATS as a protocol v2 `delta`
 * frame, then the `reply`, then acknowledges the job. No FAQ routing, turn order, attempt count,
 * memory or storage of the answer: its added time to first token is what one durable hop and the
 * wake-ups of these processes cost on this machine, the floor under the product's.
 */
async function main(): Promise<void> {
  const prefix = process.env.RELAY_PREFIX ?? 'bench';
  const completions = new URL(`${(process.env.LLM_BASE_URL ?? '').replace(/\/$/, '')}/chat/completions`);
  const agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  const nc = await connect({ servers: process.env.NATS_URL ?? 'nats://127.0.0.1:4222', name: 'bench-llm-relay-worker' });
  const queue = await openWorkQueue(nc, prefix);
  const inHead = durableInHead(prefix);
  const encoder = new TextEncoder();
  const inFlight = new Set<Promise<void>>();

  const answer = async (msg: JsMsg) => {
    const sid = msg.subject.slice(inHead.length);
    const { message_id, message } = msg.json<{ message_id: string; message: string }>();
    const send = (frame: Record<string, unknown>) => nc.publish(`${prefix}.out.${sid}`, encoder.encode(JSON.stringify({ message_id, ...frame })));
    let text = '';
    let index = 0;
    try {
      await streamCompletion(agent, completions, message, (piece) => {
        send({ type: 'delta', index: index++, text: piece });
        text += piece;
      }, 30_000);
      send({ type: 'reply', sender: 'bot', timestamp: new Date().toISOString(), login_required: false, message: text });
      msg.ack();
    } catch (error) {
      // The load generator counts the error frame; the job is not retried (a benchmark, not a product).
      send({ type: 'error', error: 'llm_failed', code: 'E5000', message: (error as Error).message });
      msg.term();
    }
  };
  const messages = await queue.consumer.consume({
    max_messages: 256,
    callback: (msg) => {
      const job = answer(msg).finally(() => inFlight.delete(job));
      inFlight.add(job);
    },
  });
  announceReady({});
  stopOnSignal(async () => {
    messages.stop();
    await Promise.all(inFlight);
    await queue.remove();
    await nc.drain();
    agent.destroy();
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${(error as Error).stack}\n`);
  process.exit(1);
});
