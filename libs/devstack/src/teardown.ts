/**
 * What has been started so far, to stop newest first: whoever starts several pieces (NATS, then
 * Postgres, then services) adds each as soon as it runs, so a failure half-way, or a signal,
 * stops exactly what is running and nothing is orphaned.
 */
export class Teardown {
  private readonly steps: Array<{ name: string; stop: () => Promise<unknown> }> = [];

  /** Registers how to stop a piece that is now running. */
  add(name: string, stop: () => Promise<unknown>): void {
    this.steps.push({ name, stop });
  }

  get names(): string[] {
    return this.steps.map((s) => s.name);
  }

  /**
   * Runs every step once, newest first. A step that fails does not keep the older ones from
   * running; the failures are returned, not thrown, so the caller's own error stays the one reported.
   */
  async run(): Promise<Array<{ name: string; error: unknown }>> {
    const failures: Array<{ name: string; error: unknown }> = [];
    for (let step = this.steps.pop(); step; step = this.steps.pop()) {
      try {
        await step.stop();
      } catch (error) {
        failures.push({ name: step.name, error });
      }
    }
    return failures;
  }
}

/** Runs `start` with a fresh Teardown; if it throws, everything it registered is stopped first. */
export async function startAllOrNothing<T>(start: (teardown: Teardown) => Promise<T>): Promise<{ value: T; teardown: Teardown }> {
  const teardown = new Teardown();
  try {
    return { value: await start(teardown), teardown };
  } catch (error) {
    await teardown.run();
    throw error;
  }
}
