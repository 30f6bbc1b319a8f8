import type { ConversationStatus, HandoffAction, HandoffCommand } from '@chatbot/proto';

/** A conversation's status as its locked session row holds it. */
export interface StatusRow {
  status: ConversationStatus;
  version: number;
  holderId: string | null;
  /** Messages handed to the agent with no agent message after them. */
  unanswered: number;
}

export type Decision =
  | { kind: 'changed'; status: ConversationStatus; holderId: string | null }
  | { kind: 'unchanged' }
  | { kind: 'conflict'; reason: 'state' | 'holder' | 'version' | 'unanswered' };

type Command = Pick<HandoffCommand, 'action' | 'actor_id' | 'expected_version' | 'message'>;

const to = (status: ConversationStatus, holderId: string | null = null): Decision => ({ kind: 'changed', status, holderId });
const conflict = (reason: Extract<Decision, { kind: 'conflict' }>['reason']): Decision => ({ kind: 'conflict', reason });
const UNCHANGED: Decision = { kind: 'unchanged' };

/**
 * The transitions, without I/O: bot → waiting (handoff) → agent (takeover, also from bot) → bot
 * (release, provide_info) or completed. Asking for the state the conversation is already in is
 * `unchanged` (a retry), checked before the expected version so that a retried command that did
 * apply is not refused. Leaving `waiting` or `agent` while handed messages have no agent message
 * after them needs a message with the command: never neither answerer.
 */
export function decide(row: StatusRow, command: Command): Decision {
  const decision = transition(row, command.action, command.actor_id);
  if (decision.kind !== 'changed') return decision;
  if (command.expected_version !== undefined && command.expected_version !== row.version) return conflict('version');
  const endsHandoff = decision.status === 'bot' || decision.status === 'completed';
  if (endsHandoff && row.unanswered > 0 && command.message === undefined) return conflict('unanswered');
  return decision;
}

function transition(row: StatusRow, action: HandoffAction, actor: string | null): Decision {
  const { status } = row;
  const heldByOther = status === 'agent' && row.holderId !== actor;
  if (action === 'handoff') {
    if (status === 'bot') return to('waiting');
    return status === 'completed' ? conflict('state') : UNCHANGED;
  }
  if (actor === null) return conflict('holder');
  if (heldByOther) return conflict('holder');
  switch (action) {
    case 'takeover':
      if (status === 'agent') return UNCHANGED;
      return status === 'completed' ? conflict('state') : to('agent', actor);
    case 'release':
      if (status === 'bot') return UNCHANGED;
      return status === 'agent' ? to('bot') : conflict('state');
    case 'provide_info':
      return status === 'agent' || status === 'waiting' ? to('bot') : conflict('state');
    case 'complete':
      return status === 'completed' ? UNCHANGED : to('completed');
  }
}
