import { LlmCircuitOpenError } from './llm.errors';

export type CircuitState = 'closed' | 'open' | 'half-open';

export interface CircuitBreakerOptions {
  /** Consecutive failures that open the circuit. */
  failureThreshold: number;
  /** How long the circuit stays open before one trial call is let through. */
  cooldownMs: number;
  now?: () => number;
  /** The error a refused call throws; the LLM's by default (tool servers name their own). */
  openError?: (retryInMs: number) => Error;
}

/**
 * closed → open after `failureThreshold` consecutive failures → half-open once `cooldownMs` has
 * passed (exactly one trial call in flight) → closed on its success, open again on its failure.
 */
export class CircuitBreaker {
  private failures = 0;
  private openedAt = 0;
  private current: CircuitState = 'closed';
  private trialInFlight = false;
  private readonly now: () => number;

  constructor(private readonly options: CircuitBreakerOptions) {
    this.now = options.now ?? Date.now;
  }

  get state(): CircuitState {
    if (this.current === 'open' && this.cooldownLeft() <= 0) return 'half-open';
    return this.current;
  }

  /** Call before each attempt; throws the open error (LlmCircuitOpenError) instead of letting it through. */
  acquire(): void {
    if (this.current === 'closed') return;
    if (this.current === 'open') {
      const left = this.cooldownLeft();
      if (left > 0) throw this.refuse(left);
      this.current = 'half-open';
    }
    if (this.trialInFlight) throw this.refuse(0);
    this.trialInFlight = true;
  }

  recordSuccess(): void {
    this.failures = 0;
    this.trialInFlight = false;
    this.current = 'closed';
  }

  recordFailure(): void {
    this.trialInFlight = false;
    this.failures += 1;
    if (this.current === 'half-open' || this.failures >= this.options.failureThreshold) this.trip();
  }

  /** An outcome that says nothing about the server's health (e.g. the caller gave up). */
  release(): void {
    this.trialInFlight = false;
  }

  private refuse(retryInMs: number): Error {
    return this.options.openError?.(retryInMs) ?? new LlmCircuitOpenError(retryInMs);
  }

  private trip(): void {
    this.current = 'open';
    this.openedAt = this.now();
  }

  private cooldownLeft(): number {
    return this.openedAt + this.options.cooldownMs - this.now();
  }
}
