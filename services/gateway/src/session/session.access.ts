import { randomUUID } from 'node:crypto';
import type { Bus } from '@chatbot/bus';
import type { SessionAccessResult, SessionDeliveryV1 } from '@chatbot/proto';
import type { Logger } from '@chatbot/runtime';
import type { BrokerLink } from '../broker.link';

type LookupDeps = { bus: Bus; logger: Logger; requestTimeoutMs: number; link: BrokerLink };
type Access = SessionAccessResult['access'];
/** chat-log's answer, or `unavailable` when it gave none. */
export type AccessAnswer = Access | 'unavailable';

/**
 * `refused`: the client is told the session does not exist (whether it does is not its business);
 * `unavailable`: chat-log did not answer, so nobody is let in (try again later).
 */
export type AccessVerdict = 'allowed' | 'refused' | 'unavailable';

/** The close of a socket naming a session it may not open: 4000 + HTTP 404, as if there were none. */
export const SESSION_NOT_FOUND_CLOSE = 4404;
/** The close when chat-log cannot say who may open the session (RFC 6455 "try again later"). */
export const TRY_AGAIN_LATER_CLOSE = 1013;

/** An account opens its own sessions and new ones; an anonymous socket opens anonymous and new ones. */
export function mayOpen(access: Access, accountId: string | null): boolean {
  return access === 'new' || access === (accountId === null ? 'anonymous' : 'owner');
}

function judge(answer: AccessAnswer, accountId: string | null): AccessVerdict {
  if (answer === 'unavailable') return 'unavailable';
  return mayOpen(answer, accountId) ? 'allowed' : 'refused';
}

/** Asks chat-log (which owns conversations) who may open a session. */
export async function askSessionAccess(deps: LookupDeps, sessionId: string, accountId: string | null): Promise<AccessAnswer> {
  const correlationId = randomUUID();
  try {
    deps.link.require();
    const { access } = await deps.bus.request(
      'sessionAccess',
      { session_id: sessionId, user_id: accountId },
      { timeoutMs: deps.requestTimeoutMs, correlationId, waitForResponder: true },
    );
    return access;
  } catch (error) {
    deps.logger.warn({ err: error, sessionId, correlationId }, 'session access: chat-log did not answer');
    return 'unavailable';
  }
}

/**
 * Between a session the client named and its socket's deliveries. Opened only when chat-log
 * allows it. A session nobody had written to (`new`) is open to anyone until its first message
 * makes someone its owner; every delivery means a message was stored, so the first one is held
 * while chat-log is asked again, and a socket that is not the owner's is refused before it sees it.
 */
export class SessionGate {
  private state: 'open' | 'recheck' | 'checking' | 'refused' = 'open';
  private held: SessionDeliveryV1[] = [];

  constructor(
    private readonly accountId: string | null,
    private readonly ask: () => Promise<AccessAnswer>,
    private readonly pass: (delivery: SessionDeliveryV1) => void,
    private readonly refuse: (verdict: Exclude<AccessVerdict, 'allowed'>) => void,
  ) {}

  /** The check at the opening; false when the socket was refused. */
  async admit(): Promise<boolean> {
    return this.settle(await this.ask());
  }

  deliver(delivery: SessionDeliveryV1): void {
    if (this.state === 'open') return this.pass(delivery);
    if (this.state === 'refused') return;
    this.held.push(delivery);
    if (this.state === 'checking') return;
    this.state = 'checking';
    void this.ask().then((answer) => {
      if (this.state !== 'checking' || !this.settle(answer)) return;
      const held = this.held;
      this.held = [];
      held.forEach((waiting) => this.pass(waiting));
    });
  }

  /** The socket closed: nothing held is passed on. */
  close(): void {
    this.state = 'refused';
    this.held = [];
  }

  private settle(answer: AccessAnswer): boolean {
    const verdict = judge(answer, this.accountId);
    if (verdict !== 'allowed') {
      this.close();
      this.refuse(verdict);
      return false;
    }
    this.state = answer === 'new' ? 'recheck' : 'open';
    return true;
  }
}
