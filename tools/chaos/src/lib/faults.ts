import type { V2Client } from './v2.client';

/** One injected fault: when it hit, and when the faulted part was back (restart issued). */
export interface Fault {
  label: string;
  at: number;
  healedAt?: number;
}

/** The faults of one scenario, in order, and how long the system took to answer again. */
export class FaultLog {
  readonly faults: Fault[] = [];

  begin(label: string): Fault {
    const fault = { label, at: Date.now() };
    this.faults.push(fault);
    return fault;
  }

  healed(fault: Fault): void {
    fault.healedAt ??= Date.now();
  }

  /**
   * Per fault: from the fault until the first committed (durable) reply any client received after
   * the faulted part was back. Null when no answer came after it.
   */
  recoveries(clients: V2Client[]): Array<number | null> {
    const answers = durableReplyTimes(clients);
    return this.faults.map((fault) => {
      const from = fault.healedAt ?? fault.at;
      const first = answers.find((at) => at > from);
      return first === undefined ? null : first - fault.at;
    });
  }
}

/** Arrival times of every committed reply frame, sorted. */
export function durableReplyTimes(clients: V2Client[]): number[] {
  const times: number[] = [];
  for (const client of clients) {
    for (const message of client.ledger.messages.values()) {
      for (const reply of message.replies) if (reply.durable && !reply.unavailable) times.push(reply.at);
    }
  }
  return times.sort((a, b) => a - b);
}

/** The slowest recovery, and how many faults were never followed by an answer. */
export function summarise(values: Array<number | null>): { maxMs: number | null; unrecovered: number } {
  const known = values.filter((v): v is number => v !== null);
  return { maxMs: known.length > 0 ? Math.max(...known) : null, unrecovered: values.length - known.length };
}
