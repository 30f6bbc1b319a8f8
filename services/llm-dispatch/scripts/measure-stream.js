#!/usr/bin/env node
/*
 * Measures what llm-dispatch adds to a streamed answer, with one real worker process, the stub LLM
 * (in a child process of its own) and doubles of chat-log (history) and persona (binding) that
 * answer after a fixed delay standing in for their database query. Not a test: it asserts nothing.
 *
 *   npx tsc -b services/llm-dispatch && node services/llm-dispatch/scripts/measure-stream.js
 *
 * Options (all optional): --jobs 400 --clients 4 --relay-seconds 5 --relay-clients 8
 *   --relay-tokens 200 --memory-delay-ms 2 --no-persona --worker-env KEY=VALUE (repeatable)
 *   --worker-main <path to another build's main.js> (to compare before/after on the same machine state).
 * Starts a private nats-server (nats-server on PATH), or uses NATS_URL when set (its CPU is then not
 * measured); llm-dispatch owns no tables, so no Postgres is needed.
 *
 * Added TTFT = (job publish → first `delta` on gw.deliver) − (request → first content chunk straight
 * from the stub), at p50 and p99, both under the same closed-loop load. Relay = stub tokens that reach
 * gw.deliver per second (the words of the delta texts), beside delta frames per second.
 */
'use strict';
const { fork } = require('node:child_process');
const http = require('node:http');
const { randomUUID } = require('node:crypto');
const { mkdtempSync, readFileSync, writeFileSync, rmSync } = require('node:fs');
const { tmpdir } = require('node:os');
const { join } = require('node:path');

if (process.argv[2] === '--stub') runStub();
else main().catch((error) => {
  process.stderr.write(`${error.stack}\n`);
  process.exit(1);
});

// ---- the stub LLM child: behaviour set over IPC ------------------------------------------------

function runStub() {
  const { startStubLlm } = require('@chatbot/testkit');
  startStubLlm().then((stub) => {
    setInterval(() => {
      stub.requests.length = 0;
      stub.headers.length = 0;
    }, 1_000).unref();
    process.on('message', (message) => {
      if (message.behaviour) stub.setScript(message.behaviour);
      if (message.stop) return void stub.close().then(() => process.exit(0));
      process.send({ ok: true });
    });
    process.send({ url: stub.url });
  });
}

// ---- the measurement ---------------------------------------------------------------------------

function options() {
  const args = process.argv.slice(2);
  const value = (name, fallback) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? fallback : Number(args[i + 1]);
  };
  const text = (name) => {
    const i = args.indexOf(`--${name}`);
    return i === -1 ? undefined : args[i + 1];
  };
  const workerEnv = {};
  args.forEach((arg, i) => {
    if (arg === '--worker-env') {
      const [key, ...rest] = args[i + 1].split('=');
      workerEnv[key] = rest.join('=');
    }
  });
  return {
    jobs: value('jobs', 400),
    clients: value('clients', 4),
    relaySeconds: value('relay-seconds', 5),
    relayClients: value('relay-clients', 8),
    relayTokens: value('relay-tokens', 200),
    memoryDelayMs: value('memory-delay-ms', 2),
    persona: !args.includes('--no-persona'),
    /** Another build of the worker (a copy of an older dist, to compare); default this folder's dist. */
    workerMain: text('worker-main'),
    workerEnv,
  };
}

const words = (n) => Array.from({ length: n }, (_, i) => `토큰${i}`).join(' ');
const wordCount = (text) => text.split(/\s+/).filter(Boolean).length;
const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

async function main() {
  const opts = options();
  const { Bus } = require('@chatbot/bus');
  const { createLogger } = require('@chatbot/runtime');
  const { events, patternOf } = require('@chatbot/proto');
  const { startPrivateNats } = require('@chatbot/testkit');
  const nats = process.env.NATS_URL ? undefined : await startPrivateNats();
  const natsUrl = process.env.NATS_URL ?? nats.url;
  const prefix = `m${randomUUID().slice(0, 8)}`;
  const dir = mkdtempSync(join(tmpdir(), 'llm-measure-'));
  const stub = await startStubChild();
  const bus = await Bus.connect({ url: natsUrl, prefix, name: 'llm-measure', logger: createLogger('llm-measure', 'silent') });
  let worker;
  try {
    await bus.ensureStreams(['LLM_JOBS', 'CHAT_REPLIES']);
    serveMemory(bus, opts.memoryDelayMs);
    const listeners = listen(bus, events, patternOf);
    const personaFile = join(dir, 'personas.json');
    writeFileSync(personaFile, JSON.stringify({ 3: '해외 활동형 고객입니다.' }));
    worker = await startWorker(opts.workerMain, {
      NATS_URL: natsUrl,
      NATS_PREFIX: prefix,
      LOG_LEVEL: 'warn',
      LLM_BASE_URL: stub.url,
      ...(opts.persona ? { LLM_PERSONA_PROMPTS_FILE: personaFile } : {}),
      ...opts.workerEnv,
    });
    await bus.nc.flush();
    const report = { options: opts };

    await stub.behave({ text: words(20), ttftMs: 50, tokenDelayMs: 2 });
    await runPipeline(bus, listeners, { clients: opts.clients, jobs: 20 }); // warm-up
    const direct = await runDirect(stub.url, { clients: opts.clients, jobs: opts.jobs });
    const before = await readMetrics(worker);
    const pipeline = await runPipeline(bus, listeners, { clients: opts.clients, jobs: opts.jobs });
    const after = await readMetrics(worker);
    // From sending the model call to its first token, as the worker sees it (mean over the phase).
    const delta = (name) => metricValue(after, name) - metricValue(before, name);
    const modelTtft = round((1000 * delta('chatbot_llm_time_to_first_token_seconds_sum')) / delta('chatbot_llm_time_to_first_token_seconds_count'));
    report.ttft = {
      direct_p50_ms: round(percentile(direct.ttft, 50)),
      direct_p99_ms: round(percentile(direct.ttft, 99)),
      direct_mean_ms: round(direct.ttft.reduce((a, b) => a + b, 0) / direct.ttft.length),
      pipeline_p50_ms: round(percentile(pipeline.ttft, 50)),
      pipeline_p99_ms: round(percentile(pipeline.ttft, 99)),
      typing_p50_ms: round(percentile(pipeline.typing, 50)),
      added_p50_ms: round(percentile(pipeline.ttft, 50) - percentile(direct.ttft, 50)),
      added_p99_ms: round(percentile(pipeline.ttft, 99) - percentile(direct.ttft, 99)),
      first_delta_words: [...new Set(pipeline.firstDeltaWords)],
    };

    await stub.behave({ text: words(opts.relayTokens), ttftMs: 0, tokenDelayMs: 0 });
    const relayDirect = await runDirect(stub.url, { clients: opts.relayClients, seconds: opts.relaySeconds });
    const cpuBefore = [cpuMs(worker.process.pid), nats ? cpuMs(nats.process.pid) : 0];
    const relay = await runPipeline(bus, listeners, { clients: opts.relayClients, seconds: opts.relaySeconds });
    const workerCpuMs = cpuMs(worker.process.pid) - cpuBefore[0];
    const natsCpuMs = nats ? cpuMs(nats.process.pid) - cpuBefore[1] : NaN;
    report.relay = {
      direct_tokens_per_s: Math.round(relayDirect.tokens / relayDirect.seconds),
      tokens_per_s: Math.round(relay.tokens / relay.seconds),
      delta_frames_per_s: Math.round(relay.frames / relay.seconds),
      replies_per_s: round(relay.replies / relay.seconds),
      direct_replies_per_s: round(relayDirect.replies / relayDirect.seconds),
      text_mismatches: relay.mismatches,
      worker_cpu_us_per_token: round((1000 * workerCpuMs) / relay.tokens),
      worker_cpu_percent: Math.round((100 * workerCpuMs) / (1000 * relay.seconds)),
      nats_cpu_us_per_token: round((1000 * natsCpuMs) / relay.tokens),
    };
    const metrics = await readMetrics(worker);
    report.worker = { head_bounces: metricValue(metrics, 'chatbot_llm_head_bounces_total'), model_call_ttft_mean_ms: modelTtft };
    process.stdout.write(`${JSON.stringify(report, null, 2)}\n`);
  } finally {
    await worker?.process.stop('SIGTERM', 15_000);
    await dropStreams(bus, prefix);
    await bus.close();
    await stub.stop();
    await nats?.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/** CPU time (user + system) a process used so far, from /proc (Linux). */
function cpuMs(pid) {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  const ticks = Number(fields[11]) + Number(fields[12]);
  return (ticks * 1000) / 100; // USER_HZ is 100 on Linux
}

const readMetrics = async (worker) => (await fetch(`http://127.0.0.1:${worker.ports.ops}/metrics`)).text();
const round = (value) => Math.round(value * 100) / 100;

function metricValue(text, name) {
  const line = text.split('\n').find((l) => l.startsWith(name));
  return line ? Number(line.split(' ').at(-1)) : undefined;
}

/** Like testkit's startService, with the main.js to run as an option. */
async function startWorker(main, env) {
  const { ManagedProcess, readyPorts } = require('@chatbot/devstack');
  const ports = {};
  const proc = new ManagedProcess({
    name: 'llm-dispatch',
    command: process.execPath,
    // e.g. WORKER_NODE_ARGS='--cpu-prof --cpu-prof-dir=/tmp/prof' for a profile of the worker
    args: [...(process.env.WORKER_NODE_ARGS?.split(' ').filter(Boolean) ?? []), main ?? join(__dirname, '..', 'dist', 'main.js')],
    env: { ...process.env, OPS_PORT: '0', SHUTDOWN_GRACE_MS: '10000', ...env },
    restart: false,
    startTimeoutMs: 30_000,
    isReady: (line) => {
      const ready = readyPorts(line);
      if (ready) Object.assign(ports, ready);
      return ready !== null;
    },
    onLine: (_, line) => process.stderr.write(`[llm-dispatch] ${line}\n`),
  });
  await proc.start();
  return { process: proc, ports };
}

async function startStubChild() {
  const child = fork(__filename, ['--stub'], { stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const { url } = await new Promise((resolve) => child.once('message', resolve));
  return {
    url,
    behave: (behaviour) => new Promise((resolve) => {
      child.once('message', resolve);
      child.send({ behaviour });
    }),
    stop: () => new Promise((resolve) => {
      child.once('exit', resolve);
      child.send({ stop: true });
    }),
  };
}

/** chat-log's history and persona's binding, each answering after `delayMs`. */
function serveMemory(bus, delayMs) {
  const later = (value) => (delayMs > 0 ? sleep(delayMs).then(() => value) : value);
  bus.serve('history', () => later({ turns: [] }));
  bus.serve('binding', () => later({ persona_id: 3 }));
}

/** Every delta and candidate, routed to the job waiting for it (by message id). */
function listen(bus, events, patternOf) {
  const waiting = new Map();
  const decode = (msg) => JSON.parse(Buffer.from(msg.data).toString('utf8'));
  bus.nc.subscribe(bus.ns.subject(patternOf(events.sessionDelivery)), {
    callback: (_error, msg) => {
      const at = performance.now();
      const frame = decode(msg);
      waiting.get(frame.message_id)?.onFrame(frame, at);
    },
  });
  bus.nc.subscribe(bus.ns.subject(patternOf(events.chatReply)), {
    callback: (_error, msg) => {
      const reply = decode(msg);
      waiting.get(reply.prompt_message_id)?.onReply(reply);
    },
  });
  return waiting;
}

async function runPipeline(bus, waiting, load) {
  const result = { ttft: [], typing: [], firstDeltaWords: [], tokens: 0, frames: 0, replies: 0, mismatches: 0, seconds: 0 };
  const started = performance.now();
  const deadline = load.seconds ? started + load.seconds * 1000 : Infinity;
  let remaining = load.jobs ?? Infinity;
  const client = async () => {
    const sessionId = randomUUID();
    while (remaining > 0 && performance.now() < deadline) {
      remaining -= 1;
      await oneJob(bus, waiting, sessionId, result);
    }
  };
  await Promise.all(Array.from({ length: load.clients }, client));
  result.seconds = (performance.now() - started) / 1000;
  return result;
}

function oneJob(bus, waiting, sessionId, result) {
  const messageId = randomUUID();
  const sentAt = performance.now();
  let text = '';
  let deltas = 0;
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no reply for ${messageId}`)), 30_000);
    waiting.set(messageId, {
      onFrame(frame, at) {
        if (frame.type === 'typing') result.typing.push(at - sentAt);
        if (frame.type !== 'delta') return;
        if (deltas === 0) {
          result.ttft.push(at - sentAt);
          result.firstDeltaWords.push(wordCount(frame.text));
        }
        if (frame.index !== deltas) result.mismatches += 1;
        deltas += 1;
        text += frame.text;
        result.frames += 1;
        result.tokens += wordCount(frame.text);
      },
      onReply(reply) {
        if (reply.answer.message !== text) result.mismatches += 1;
        result.replies += 1;
        clearTimeout(timer);
        waiting.delete(messageId);
        // The worker acks the job right after publishing its candidate: let the ack land before
        // this session's next job, or the next one may bounce off a head that is already answered.
        // (Through chat-log and the gateway the ack is long gone when the user sends again.)
        untilAcked(bus, sessionId).then(resolve, reject);
      },
    });
    const job = { session_id: sessionId, message_id: messageId, text: '해외여행 카드 추천해 주세요', received_at: new Date().toISOString() };
    bus.publish('llmJob', sessionId, job, { msgId: `${sessionId}:${messageId}`, correlationId: randomUUID() }).catch(reject);
  });
}

async function untilAcked(bus, sessionId) {
  const stream = bus.ns.stream('LLM_JOBS');
  const subject = bus.ns.subject(`llm.job.v1.${sessionId}`);
  while (await bus.jsm.direct.getMessage(stream, { next_by_subj: subject, seq: 1 })) await sleep(1);
}

/** The same closed loop straight to the stub over keep-alive HTTP. */
async function runDirect(baseUrl, load) {
  const agent = new http.Agent({ keepAlive: true });
  const url = new URL(`${baseUrl}/chat/completions`);
  const result = { ttft: [], tokens: 0, replies: 0, seconds: 0 };
  const started = performance.now();
  const deadline = load.seconds ? started + load.seconds * 1000 : Infinity;
  let remaining = load.jobs ?? Infinity;
  const client = async () => {
    while (remaining > 0 && performance.now() < deadline) {
      remaining -= 1;
      await directCall(url, agent, result);
    }
  };
  await Promise.all(Array.from({ length: load.clients }, client));
  result.seconds = (performance.now() - started) / 1000;
  agent.destroy();
  return result;
}

function directCall(url, agent, result) {
  const body = JSON.stringify({ model: 'stub', stream: true, messages: [{ role: 'user', content: '해외여행 카드 추천해 주세요' }] });
  const sentAt = performance.now();
  return new Promise((resolve, reject) => {
    const request = http.request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (response) => {
      let buffer = '';
      let first = true;
      response.setEncoding('utf8');
      response.on('data', (chunk) => {
        buffer += chunk;
        const events = buffer.split('\n\n');
        buffer = events.pop();
        for (const event of events) {
          const data = event.replace(/^data: /, '');
          if (data === '[DONE]') continue;
          const content = JSON.parse(data).choices?.[0]?.delta?.content;
          if (!content) continue;
          if (first) result.ttft.push(performance.now() - sentAt);
          first = false;
          result.tokens += 1;
        }
      });
      response.on('end', () => {
        result.replies += 1;
        resolve();
      });
    });
    request.on('error', reject);
    request.end(body);
  });
}

async function dropStreams(bus, prefix) {
  const head = `${prefix.toUpperCase()}_`;
  for await (const name of bus.jsm.streams.names()) {
    if (name.startsWith(head) || name.startsWith(`KV_${head}`)) await bus.jsm.streams.delete(name);
  }
}
