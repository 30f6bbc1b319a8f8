import type { ConversationState, ConversationStatus, HandoffCommand } from '@chatbot/proto';
import type { Db } from '../store/database';
import { transaction, type Sql } from '../store/sql';
import { insertAndRelease } from '../commit/release.repository';
import type { ReleasedReply } from '../frames/frame.mapper';
import type { ReplyRow } from '../commit/reply-row.mapper';
import { decide, type Decision, type StatusRow } from './handoff.machine';
import { agentRow, statusRow } from './status.texts';
import { mayAskForPerson, sessionAccessOf } from '../store/session-access';
import { queueStatusChanges, type StatusChange } from '../status/status-outbox.repository';
import { queueUnreadCounts, type QueuedAgentEvent } from '../status/agent-outbox.repository';

/** A session row locked for a handoff step. */
interface Locked extends StatusRow {
  sessionId: string;
  nextTurn: number;
  releasedTurn: number;
  lastSeq: number;
  changedAt: Date;
  ownerId: string | null;
}

export type TransitionOutcome =
  | { outcome: 'changed'; state: ConversationState; released: ReleasedReply[]; change: StatusChange; unread: QueuedAgentEvent[] }
  | { outcome: 'unchanged'; state: ConversationState; released: [] }
  | { outcome: 'conflict'; reason: Extract<Decision, { kind: 'conflict' }>['reason']; state: ConversationState; released: [] }
  | { outcome: 'not_found'; released: [] };

export type AgentMessageOutcome =
  | { outcome: 'sent'; state: ConversationState; released: ReleasedReply[]; unread: QueuedAgentEvent[] }
  | { outcome: 'conflict'; reason: 'state' | 'holder'; state: ConversationState; released: [] }
  | { outcome: 'not_found'; released: [] };

/**
 * One status change, in one transaction: the session row is locked (the same lock a store takes
 * to hand out turns, so a message is stored either before the change and answered as the old
 * status says, or after it and answered as the new one says), the machine decides, and the change
 * is a compare-and-set on the version read (`WHERE status_version = v`). The agent's message, when
 * given, and the status push are committed and released in the same transaction, and the change
 * is queued in the status outbox for chat.status.changed.v1.
 */
export function applyTransition(db: Db, command: HandoffCommand): Promise<TransitionOutcome> {
  return transaction(db.pool, async (tx) => {
    const row = await lock(tx, command.session_id);
    if (!row || (command.action === 'handoff' && !mayAskForPerson(accessOf(row, command.actor_id), command.actor_id))) {
      return { outcome: 'not_found', released: [] };
    }
    const decision = decide(row, command);
    if (decision.kind === 'conflict') return { outcome: 'conflict', reason: decision.reason, state: stateOf(row), released: [] };
    if (decision.kind === 'unchanged') return { outcome: 'unchanged', state: stateOf(row), released: [] };
    const changed = await compareAndSet(tx, row, decision.status, decision.holderId);
    const change: StatusChange = {
      sessionId: row.sessionId, from: row.status, to: changed.status, version: changed.version, actorId: command.actor_id, changedAt: new Date(changed.changed_at),
    };
    await queueStatusChanges(tx, [change]);
    // The user's own request carries no agent message.
    const text = command.action === 'handoff' ? undefined : command.message;
    if (text !== undefined) await markAnswered(tx, row);
    const released = await insertAndRelease(tx, cursorsOf(row), rowsFor(row, decision.status, text));
    return { outcome: 'changed', state: changed, released, change, unread: text === undefined ? [] : await unreadNow(tx, row.sessionId, released) };
  });
}

/** Joining, the status comes first and the agent's words after it; leaving, the words come first. */
function rowsFor(row: Locked, status: ConversationStatus, text: string | undefined): ReplyRow[] {
  const after = row.nextTurn - 1;
  const announcement = statusRow(row.sessionId, status, after);
  if (text === undefined) return [announcement];
  const words = agentRow(row.sessionId, text, after);
  return status === 'agent' ? [announcement, words] : [words, announcement];
}

/** An agent's message to a conversation the agent holds: a push (sender agent) released at once. */
export function sendAgentMessage(db: Db, sessionId: string, agentId: string, text: string): Promise<AgentMessageOutcome> {
  return transaction(db.pool, async (tx) => {
    const row = await lock(tx, sessionId);
    if (!row) return { outcome: 'not_found', released: [] };
    if (row.status !== 'agent') return { outcome: 'conflict', reason: 'state', state: stateOf(row), released: [] };
    if (row.holderId !== agentId) return { outcome: 'conflict', reason: 'holder', state: stateOf(row), released: [] };
    await markAnswered(tx, row);
    const released = await insertAndRelease(tx, cursorsOf(row), [agentRow(sessionId, text, row.nextTurn - 1)]);
    return { outcome: 'sent', state: stateOf(row), released, unread: await unreadNow(tx, sessionId, released) };
  });
}

/** The unread count an agent's message left (0), queued for the consoles in the transaction that sends it. */
function unreadNow(tx: Sql, sessionId: string, released: ReleasedReply[]): Promise<QueuedAgentEvent[]> {
  const words = released.find((f) => f.sender === 'agent');
  return words ? queueUnreadCounts(tx, [{ sessionId, after: words.frameMessageId }]) : Promise.resolve([]);
}

/** The user's access to the session, as ingest judges a message of theirs. */
const accessOf = (row: Locked, userId: string | null) => sessionAccessOf({ ownerId: row.ownerId, nextTurn: row.nextTurn, deleted: false }, userId);

/** The session's row, locked; undefined when it does not exist or was erased (a tombstone is nobody's conversation). */
async function lock(tx: Sql, sessionId: string): Promise<Locked | undefined> {
  const rows = await tx.query<Array<Omit<Locked, 'unanswered'> & { deleted: boolean }>>`
    SELECT id::text AS "sessionId", status, status_version AS version, holder_id::text AS "holderId",
      next_turn AS "nextTurn", released_turn AS "releasedTurn", last_seq AS "lastSeq", status_changed_at AS "changedAt",
      owner_id::text AS "ownerId", deleted_at IS NOT NULL AS deleted
    FROM chat_log.sessions WHERE id = ${sessionId}::uuid FOR UPDATE`;
  const row = rows[0];
  if (!row || row.deleted) return undefined;
  const [{ unanswered }] = await tx.query<Array<{ unanswered: number }>>`
    SELECT count(*)::int AS unanswered FROM chat_log.replies r JOIN chat_log.sessions s ON s.id = r.session_id
    WHERE r.session_id = ${sessionId}::uuid AND r.kind = 'handed' AND r.turn > s.agent_answered_turn`;
  return { ...row, unanswered };
}

/** The one statement that changes a status: it applies only to the version the decision read. */
async function compareAndSet(tx: Sql, row: Locked, status: ConversationStatus, holderId: string | null): Promise<ConversationState> {
  const rows = await tx.query<Array<{ version: number; changed_at: Date }>>`
    UPDATE chat_log.sessions SET status = ${status}, holder_id = ${holderId}::uuid,
      status_version = status_version + 1, status_changed_at = now()
    WHERE id = ${row.sessionId}::uuid AND status = ${row.status} AND status_version = ${row.version}::int
    RETURNING status_version AS version, status_changed_at AS changed_at`;
  if (rows.length !== 1) throw new Error(`session ${row.sessionId} changed status under its lock`);
  return { session_id: row.sessionId, status, version: rows[0].version, holder_id: holderId, changed_at: rows[0].changed_at.toISOString() };
}

/** Every message stored so far has an agent message after it. */
async function markAnswered(tx: Sql, row: Locked): Promise<void> {
  await tx.execute`UPDATE chat_log.sessions SET agent_answered_turn = ${row.nextTurn - 1}::int WHERE id = ${row.sessionId}::uuid`;
}

const cursorsOf = (row: Locked) => new Map([[row.sessionId, { releasedTurn: row.releasedTurn, lastSeq: row.lastSeq }]]);

function stateOf(row: Locked): ConversationState {
  return { session_id: row.sessionId, status: row.status, version: row.version, holder_id: row.holderId, changed_at: row.changedAt.toISOString() };
}
