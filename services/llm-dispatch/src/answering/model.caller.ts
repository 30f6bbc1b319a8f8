import { inSpan } from '@chatbot/runtime';
import { breakerStateValue, type DispatchMetrics } from '../dispatch.metrics';
import type { LlmClient } from '../llm/llm.client';
import { isLlmError } from '../llm/llm.errors';
import type { ChatRequest, ChatResult, DeltaListener } from '../llm/llm.types';

/** LlmClient with its latency, first token, tokens, errors and breaker state recorded. */
export class ModelCaller {
  constructor(
    private readonly client: LlmClient,
    private readonly metrics: DispatchMetrics,
  ) {}

  get circuitState(): LlmClient['circuitState'] {
    return this.client.circuitState;
  }

  stream(request: ChatRequest, onDelta: DeltaListener): Promise<ChatResult> {
    return inSpan('llm call', { role: 'client' }, () => this.streamNow(request, onDelta));
  }

  private async streamNow(request: ChatRequest, onDelta: DeltaListener): Promise<ChatResult> {
    const { metrics } = this;
    const stopTimer = metrics.llmSeconds.startTimer();
    const stopFirstToken = metrics.firstTokenSeconds.startTimer();
    let first = true;
    const listener: DeltaListener = (text) => {
      if (first) {
        first = false;
        stopFirstToken();
      }
      onDelta(text);
    };
    try {
      const result = await this.client.streamChat(request, listener);
      stopTimer({ outcome: 'ok' });
      if (result.usage) {
        metrics.tokens.inc({ kind: 'prompt' }, result.usage.prompt_tokens);
        metrics.tokens.inc({ kind: 'completion' }, result.usage.completion_tokens);
      }
      return result;
    } catch (error) {
      const code = isLlmError(error) ? error.code : 'UNEXPECTED';
      stopTimer({ outcome: code });
      metrics.llmErrors.inc({ code });
      throw error;
    } finally {
      metrics.breakerState.set(breakerStateValue[this.client.circuitState]);
    }
  }
}
