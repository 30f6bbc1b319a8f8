import { Agent, request } from 'node:http';
import type { LoadConfig, RunCommand } from './protocol';
import type { Window } from './window';

/**
 * The reference for the LLM path: the same closed-loop load sent straight to the stub LLM over
 * HTTP (keep-alive), timing the first content chunk and counting content chunks as tokens.
 */
export class LlmDriver {
  private readonly agent = new Agent({ keepAlive: true, maxSockets: Infinity });
  private readonly target: URL;

  constructor(
    readonly config: LoadConfig,
    readonly window: Window,
  ) {
    this.target = new URL(`${config.url.replace(/\/$/, '')}/chat/completions`);
  }

  get sessions(): string[] {
    return [];
  }

  async run(command: RunCommand): Promise<void> {
    this.window.open(command.warmupMs, command.measureMs);
    const stopAt = this.window.endTime;
    const loops = Array.from({ length: this.config.clients }, (_, index) => this.loop(index, stopAt));
    await Promise.all(loops);
    this.window.sending = false;
  }

  private async loop(index: number, stopAt: number): Promise<void> {
    for (let n = 0; performance.now() < stopAt; n += 1) {
      const text = this.config.messages[(index + n) % this.config.messages.length]!;
      this.window.sent += 1;
      try {
        await this.once(text);
      } catch (error) {
        this.window.error((error as Error).message);
      }
    }
  }

  private once(text: string): Promise<void> {
    const body = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: text }] });
    const sentAt = performance.now();
    let first = true;
    let buffered = '';
    return new Promise((resolve, reject) => {
      const req = request(this.target, { method: 'POST', agent: this.agent, headers: { 'content-type': 'application/json' } }, (res) => {
        if (res.statusCode !== 200) return reject(new Error(`stub answered ${res.statusCode}`));
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          const at = performance.now();
          buffered += chunk;
          const events = buffered.split('\n\n');
          buffered = events.pop() ?? '';
          for (const event of events) {
            if (!hasContent(event)) continue;
            if (first) this.window.firstToken(sentAt, at);
            first = false;
            this.window.token(at);
          }
        });
        res.on('end', () => {
          this.window.reply(sentAt, performance.now());
          resolve();
        });
        res.on('error', reject);
      });
      req.setTimeout(this.config.replyTimeoutMs, () => req.destroy(new Error('stub timed out')));
      req.on('error', reject);
      req.end(body);
    });
  }

  close(): void {
    this.agent.destroy();
  }
}

/** A `data:` event whose first choice carries non-empty text. */
function hasContent(event: string): boolean {
  if (!event.startsWith('data: ') || event === 'data: [DONE]') return false;
  const chunk = JSON.parse(event.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> | null };
  return Boolean(chunk.choices?.[0]?.delta?.content);
}
