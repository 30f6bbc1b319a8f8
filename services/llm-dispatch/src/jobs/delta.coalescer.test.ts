import type { SessionDeliveryV1 } from '@chatbot/proto';
import { createLogger } from '@chatbot/runtime';
import { DeltaCoalescer, type Schedule } from './delta.coalescer';
import { ReplyPublisher, type ReplyBus } from './reply.publisher';

/** A window that closes when the test says so, instead of after a time. */
function manualWindows() {
  const open: Array<{ task: () => void; cancelled: boolean }> = [];
  const schedule: Schedule = (task) => {
    const window = { task, cancelled: false };
    open.push(window);
    return () => {
      window.cancelled = true;
    };
  };
  const closeWindow = () => {
    const window = open.shift();
    if (window && !window.cancelled) window.task();
  };
  const pending = () => open.filter((w) => !w.cancelled).length;
  return { schedule, closeWindow, pending };
}

const tokens = ['리볼빙은', ' 결제', ' 금액의', ' 일부만', ' 먼저', ' 내는', ' 방식이에요.'];

describe('joining streamed text into fewer deltas', () => {
  it('sends the first token at once, on its own', () => {
    const sent: string[] = [];
    const { schedule } = manualWindows();
    const deltas = new DeltaCoalescer((text) => sent.push(text), 15, schedule);
    deltas.delta(tokens[0]!);
    expect(sent).toEqual(['리볼빙은']);
  });

  it('joins the tokens that arrive within a window into one delta', () => {
    const sent: string[] = [];
    const windows = manualWindows();
    const deltas = new DeltaCoalescer((text) => sent.push(text), 15, windows.schedule);
    for (const token of tokens.slice(0, 4)) deltas.delta(token);
    expect(sent).toEqual(['리볼빙은']);
    windows.closeWindow();
    expect(sent).toEqual(['리볼빙은', ' 결제 금액의 일부만']);
  });

  it('sends a token after a quiet window at once', () => {
    const sent: string[] = [];
    const windows = manualWindows();
    const deltas = new DeltaCoalescer((text) => sent.push(text), 15, windows.schedule);
    deltas.delta(tokens[0]!);
    windows.closeWindow(); // nothing came: the window closes without a delta and none reopens
    expect(windows.pending()).toBe(0);
    deltas.delta(tokens[1]!);
    expect(sent).toEqual(['리볼빙은', ' 결제']);
  });

  it('keeps joining while tokens keep coming, one delta per window', () => {
    const sent: string[] = [];
    const windows = manualWindows();
    const deltas = new DeltaCoalescer((text) => sent.push(text), 15, windows.schedule);
    deltas.delta(tokens[0]!);
    deltas.delta(tokens[1]!);
    deltas.delta(tokens[2]!);
    windows.closeWindow();
    deltas.delta(tokens[3]!);
    windows.closeWindow();
    expect(sent).toEqual(['리볼빙은', ' 결제 금액의', ' 일부만']);
  });

  it('sends what is held back when closed, so the deltas add up to the whole text', () => {
    const sent: string[] = [];
    const windows = manualWindows();
    const deltas = new DeltaCoalescer((text) => sent.push(text), 15, windows.schedule);
    for (const token of tokens) deltas.delta(token);
    deltas.close();
    expect(sent).toEqual(['리볼빙은', ' 결제 금액의 일부만 먼저 내는 방식이에요.']);
    expect(windows.pending()).toBe(0);
    deltas.delta(' 끝');
    expect(sent.join('')).toBe(`${tokens.join('')} 끝`);
    expect(windows.pending()).toBe(0);
  });

  it('with a zero window, joins what arrives within one event-loop turn', async () => {
    const sent: string[] = [];
    const deltas = new DeltaCoalescer((text) => sent.push(text), 0);
    for (const token of tokens.slice(0, 3)) deltas.delta(token);
    expect(sent).toEqual(['리볼빙은']);
    await new Promise((resolve) => setImmediate(resolve));
    expect(sent).toEqual(['리볼빙은', ' 결제 금액의']);
    deltas.close();
  });
});

describe('delta frames of one job', () => {
  it('numbers the joined deltas 0, 1, 2 … and they add up to the answer', () => {
    const frames: SessionDeliveryV1[] = [];
    const bus: ReplyBus = {
      publish: (async (_key: string, _token: string, frame: SessionDeliveryV1) => {
        frames.push(frame);
        return undefined;
      }) as ReplyBus['publish'],
    };
    const windows = manualWindows();
    const publisher = new ReplyPublisher(bus, { deltaWindowMs: 15, schedule: windows.schedule });
    const job = { session_id: '3972b665-7a26-4d36-8e6f-39fdeee1ca77', message_id: 'm-1', text: '리볼빙?', received_at: '2026-11-21T00:00:00.000Z' };
    const deltas = publisher.deltas(job, 'corr-1', createLogger('test', 'silent'));
    tokens.slice(0, 3).forEach((token) => deltas.delta(token));
    windows.closeWindow();
    tokens.slice(3).forEach((token) => deltas.delta(token));
    deltas.close();
    expect(frames).toEqual([
      { type: 'delta', message_id: 'm-1', index: 0, text: '리볼빙은' },
      { type: 'delta', message_id: 'm-1', index: 1, text: ' 결제 금액의' },
      { type: 'delta', message_id: 'm-1', index: 2, text: ' 일부만 먼저 내는 방식이에요.' },
    ]);
  });
});
