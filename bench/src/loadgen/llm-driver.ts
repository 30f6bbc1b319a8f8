import { Agent } from 'node:http';
import { streamCompletion } from '../completion-stream';
import type { LoadConfig, RunCommand } from './protocol';
import type { Window } from './window';

/**
 * The reference for the LLM path: the same closed-loop load sent straight to the stub LLM over
 * HTTP (keep-alive), timing the first piece of content and counting the characters streamed.
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

  private async once(text: string): Promise<void> {
    const sentAt = performance.now();
    let first = true;
    await streamCompletion(this.agent, this.target, text, (piece, at) => {
      if (first) this.window.firstToken(sentAt, at);
      first = false;
      this.window.text(piece.length, at);
    }, this.config.replyTimeoutMs);
    this.window.reply(sentAt, performance.now());
  }

  close(): void {
    this.agent.destroy();
  }
}
