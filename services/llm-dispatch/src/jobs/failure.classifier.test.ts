import { AppError } from '@chatbot/runtime';
import { LlmCircuitOpenError, LlmHttpError, LlmTimeoutError } from '../llm/llm.errors';
import { failureCode } from './failure.classifier';
import { bounceDelayMs } from './session-head.guard';
import { replyIdOf } from './reply.publisher';

describe('which failures become a failure reply', () => {
  it('maps model failures to the catalogue', () => {
    expect(failureCode(new LlmTimeoutError(60_000))).toBe('E5001');
    expect(failureCode(new LlmHttpError(500, '{}'))).toBe('E5002');
    expect(failureCode(new LlmCircuitOpenError(1_000))).toBe('E5002');
  });

  it('maps a tool service that does not answer', () => {
    expect(failureCode(new AppError('E5002'))).toBe('E5002');
    expect(failureCode(new AppError('E5001'))).toBe('E5001');
    expect(failureCode(new AppError('E5004', 'reply does not match its schema'))).toBe('E5002');
  });

  it('leaves bugs to the retry path', () => {
    expect(failureCode(new TypeError('x is undefined'))).toBeUndefined();
  });
});

describe('job bookkeeping', () => {
  it('bounces a non-head job for 100–300 ms', () => {
    expect(bounceDelayMs(() => 0)).toBe(100);
    expect(bounceDelayMs(() => 0.999)).toBe(299);
  });

  it('names the reply after the prompt, so a redelivered job repeats the same id', () => {
    expect(replyIdOf({ session_id: '3972b665-7a26-4d36-8e6f-39fdeee1ca77', message_id: 'm-1' })).toBe(
      'reply:3972b665-7a26-4d36-8e6f-39fdeee1ca77:m-1',
    );
  });
});
