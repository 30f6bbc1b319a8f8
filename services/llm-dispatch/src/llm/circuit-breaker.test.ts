import { CircuitBreaker } from './circuit-breaker';
import { LlmCircuitOpenError } from './llm.errors';

function breakerWithClock(failureThreshold = 3, cooldownMs = 1000) {
  const clock = { now: 0 };
  const breaker = new CircuitBreaker({ failureThreshold, cooldownMs, now: () => clock.now });
  return { breaker, clock };
}

function fail(breaker: CircuitBreaker, times: number): void {
  for (let i = 0; i < times; i += 1) {
    breaker.acquire();
    breaker.recordFailure();
  }
}

describe('CircuitBreaker', () => {
  it('stays closed below the threshold and counts only consecutive failures', () => {
    const { breaker } = breakerWithClock(3);
    fail(breaker, 2);
    breaker.acquire();
    breaker.recordSuccess();
    fail(breaker, 2);
    expect(breaker.state).toBe('closed');
    expect(() => breaker.acquire()).not.toThrow();
  });

  it('opens after the threshold and fails fast until the cool-down ends', () => {
    const { breaker, clock } = breakerWithClock(3, 1000);
    fail(breaker, 3);
    expect(breaker.state).toBe('open');
    clock.now = 400;
    expect(() => breaker.acquire()).toThrow(LlmCircuitOpenError);
    expect(() => breaker.acquire()).toThrow(expect.objectContaining({ retryInMs: 600, retryable: false }));
  });

  it('lets exactly one trial through when half-open and closes on its success', () => {
    const { breaker, clock } = breakerWithClock(1, 1000);
    fail(breaker, 1);
    clock.now = 1000;
    expect(breaker.state).toBe('half-open');
    breaker.acquire();
    expect(() => breaker.acquire()).toThrow(LlmCircuitOpenError);
    breaker.recordSuccess();
    expect(breaker.state).toBe('closed');
    expect(() => breaker.acquire()).not.toThrow();
  });

  it('opens again for a full cool-down when the trial fails', () => {
    const { breaker, clock } = breakerWithClock(5, 1000);
    fail(breaker, 5);
    clock.now = 1500;
    breaker.acquire();
    breaker.recordFailure();
    expect(breaker.state).toBe('open');
    clock.now = 2400;
    expect(() => breaker.acquire()).toThrow(LlmCircuitOpenError);
    clock.now = 2500;
    expect(() => breaker.acquire()).not.toThrow();
  });

  it('frees the trial slot without judging the server on release()', () => {
    const { breaker, clock } = breakerWithClock(1, 100);
    fail(breaker, 1);
    clock.now = 100;
    breaker.acquire();
    breaker.release();
    expect(breaker.state).toBe('half-open');
    expect(() => breaker.acquire()).not.toThrow();
  });
});
