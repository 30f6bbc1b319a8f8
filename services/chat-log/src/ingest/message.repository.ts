import type { ConversationStatus, HistoryTurn } from '@chatbot/proto';
import type { Db } from '../store/database';
import { historiesByPoint, historySelect, type HistoryRow } from '../store/history.repository';
import { Prisma } from '../generated/prisma/client';
import { transaction, type Tx } from '../store/sql';
import { lockSessions } from '../store/session-lock';
import { linkStatement } from '../attachments/attachment.repository';
import { insertAndRelease } from '../commit/release.repository';
import type { SessionCursor } from '../commit/reply.planner';
import type { ReleasedReply } from '../frames/frame.mapper';
import { handedRow, statusRow } from '../handoff/status.texts';
import { queueStatusChanges, type StatusChange } from '../status/status-outbox.repository';
import { agentOutboxInsert, queueUnreadCounts, userMessageEvent, type QueuedAgentEvent } from '../status/agent-outbox.repository';
import { planAnswerers, type AnswererPlan, type ConversationRow, type HandoffRules } from './answerer.planner';
import { planInbound, type InboundMessage, type InboundPlan, type StoredMessage } from './message.planner';

export interface StoreResult {
  /** `plan.routed` holds only what the assistant answers; handed messages are in `answerers.handed`. */
  plan: InboundPlan;
  answerers: AnswererPlan;
  /** The history before each routed message, or null when none is carried (HISTORY_TURNS=0). */
  histories: Map<string, HistoryTurn[]> | null;
  /** Frames the batch released (status changes told to the user). */
  released: ReleasedReply[];
  /** The transitions the batch committed (escalations, reopens), queued for chat.status.changed.v1. */
  statusChanges: StatusChange[];
  /** What the batch queued for the agents' consoles: each new message, the unread counts handed ones moved. */
  agentEvents: QueuedAgentEvent[];
}

interface LockedSession extends ConversationRow, SessionCursor {
  nextTurn: number;
  ownerId: string | null;
  deleted: boolean;
}

/**
 * Stores a batch of user messages in one transaction. The batch's sessions are locked (in id
 * order, so concurrent replicas cannot deadlock) before turns are read, so two writers never
 * hand out the same turn; a message id raced in by another session fails the unique key and the
 * batch is retried, when it is seen as taken. The history of every message that goes on to be
 * answered is read by the statement that moves the turn counters, after the inserts: no round
 * trip of its own, and it includes the batch's earlier messages of the same session. Two round
 * trips in all unless the batch changes a conversation's status: the lock and the reads, then
 * the writes and the commit.
 */
export function storeMessages(db: Db, batch: InboundMessage[], historyLimit: number, rules: HandoffRules): Promise<StoreResult> {
  return transaction(db.pool, async (tx) => {
    const sessionIds = [...new Set(batch.map((m) => m.sessionId))].sort();
    const messageIds = [...new Set(batch.map((m) => m.messageId))];
    const { sessions, stored } = await lockAndRead(tx, sessionIds, messageIds);
    const closed = new Set(rules.onCompleted === 'new_conversation' ? [...sessions].filter(([, s]) => s.status === 'completed').map(([id]) => id) : []);
    const nextTurn = new Map([...sessions].map(([id, s]) => [id, s.nextTurn]));
    const owners = new Map([...sessions].map(([id, s]) => [id, { ownerId: s.ownerId, deleted: s.deleted }]));
    const plan = planInbound(batch, { stored, nextTurn, owners, closed });
    // The decision is taken here, under the lock that handed out the turns: a transition waits
    // for this transaction, or this one read the status the transition left.
    const fresh = new Set(plan.inserts.map((m) => m.messageId));
    const answerers = planAnswerers(plan.inserts, sessions, rules);
    plan.routed = plan.routed.filter((m) => !fresh.has(m.messageId) || answerers.bot.has(m.messageId));
    const handsOver = answerers.handed.length > 0 || answerers.changes.size > 0;
    // Agents are told of the messages handed to them; a `bot` conversation's stay off their stream.
    const handedIds = new Set(answerers.handed.map((m) => m.messageId));
    const handed = plan.inserts.filter((m) => handedIds.has(m.messageId)).map(userMessageEvent);
    const histories = await write(tx, plan, historyLimit, !handsOver, handed);
    const { released, statusChanges, unread } = handsOver ? await handOver(tx, sessions, answerers) : { released: [], statusChanges: [], unread: [] };
    return { plan, answerers, histories, released, statusChanges, agentEvents: [...handed, ...unread] };
  });
}

/**
 * The batch's writes in one round trip (with the commit unless a status change follows): the new
 * messages, their attachments, the turn counters (and the history, when carried).
 */
async function write(tx: Tx, plan: InboundPlan, historyLimit: number, commit: boolean, events: QueuedAgentEvent[]): Promise<Map<string, HistoryTurn[]> | null> {
  const withHistory = historyLimit > 0 && plan.routed.length > 0;
  const link = linkStatement(attachmentLinks(plan.inserts));
  const statements = [
    ...(plan.inserts.length > 0 ? [insertMessages(plan.inserts, events)] : []),
    ...(link ? [link] : []),
    ...(withHistory ? [advanceTurnsAndReadHistory(plan, historyLimit)] : plan.nextTurn.size > 0 ? [advanceTurns(plan)] : []),
  ];
  if (statements.length === 0 && !commit) return null;
  const results = await tx.batch(statements, { commit });
  return withHistory ? historiesByPoint(results[results.length - 1] as HistoryRow[]) : null;
}

/** Status changes (compare-and-set on the version read under the lock), handed rows and status pushes. */
async function handOver(
  tx: Tx, sessions: Map<string, LockedSession>, answerers: AnswererPlan,
): Promise<{ released: ReleasedReply[]; statusChanges: StatusChange[]; unread: QueuedAgentEvent[] }> {
  const changedAt = new Map<string, Date>();
  for (const [sessionId, change] of answerers.changes) {
    const changed = await tx.query<Array<{ changed_at: Date }>>`
      UPDATE chat_log.sessions SET status = ${change.status}, holder_id = NULL, status_changed_at = now(),
        status_version = status_version + ${change.steps}::int
      WHERE id = ${sessionId}::uuid AND status_version = ${change.fromVersion}::int
      RETURNING status_changed_at AS changed_at`;
    if (changed.length !== 1) throw new Error(`session ${sessionId} changed status under its lock`);
    changedAt.set(sessionId, changed[0].changed_at);
  }
  const statusChanges = transitionsOf(sessions, answerers, changedAt);
  await queueStatusChanges(tx, statusChanges);
  const rows = [
    ...answerers.handed.map((m) => handedRow(m.sessionId, m.messageId, m.turn, m.status)),
    ...answerers.announcements.map((a) => statusRow(a.sessionId, a.status, a.afterTurn)),
  ];
  const touched = new Set(rows.map((r) => r.session_id));
  const cursors = new Map([...sessions].filter(([id]) => touched.has(id)).map(([id, s]) => [id, { releasedTurn: s.releasedTurn, lastSeq: s.lastSeq }]));
  const released = await insertAndRelease(tx, cursors, rows);
  const lastHanded = new Map(answerers.handed.map((m) => [m.sessionId, m.messageId]));
  const unread = await queueUnreadCounts(tx, [...lastHanded].map(([sessionId, after]) => ({ sessionId, after })));
  return { released, statusChanges, unread };
}

/** Each step the batch took, one version apart: a reopen then an escalation is two transitions. */
function transitionsOf(sessions: Map<string, LockedSession>, answerers: AnswererPlan, changedAt: Map<string, Date>): StatusChange[] {
  const at = new Map([...sessions].map(([id, s]) => [id, { status: s.status, version: s.version }]));
  return answerers.announcements.map(({ sessionId, status }) => {
    const before = at.get(sessionId) ?? { status: 'bot' as const, version: 0 };
    const step = { status, version: before.version + 1 };
    at.set(sessionId, step);
    return { sessionId, from: before.status, to: status, version: step.version, actorId: null, changedAt: changedAt.get(sessionId)! };
  });
}

/** The new messages that reference attachments, with their sender (anonymous ones link nothing). */
function attachmentLinks(inserts: InboundPlan['inserts']) {
  return inserts.flatMap((m) =>
    m.userId && m.attachmentIds ? [{ messageId: m.messageId, sessionId: m.sessionId, senderId: m.userId, ids: m.attachmentIds }] : [],
  );
}

type StoredRow = {
  message_id: string; session_id: string; turn: number; text: string; received_at: Date; system_prompt: string | null;
  reply_kind: string | null; handed_status: string | null;
};
type SessionRow = {
  id: string; next_turn: number; released_turn: number; last_seq: number; status: ConversationStatus; status_version: number;
  owner_id: string | null; deleted: boolean;
};

/**
 * In one round trip that also begins the transaction: locks the batch's sessions (creating those
 * not seen before), then reads which ids of the batch are stored already (after the lock, so a
 * store of the same session that held it is seen) and whether each has a reply.
 */
async function lockAndRead(tx: Tx, sessionIds: string[], messageIds: string[]) {
  const { sessions, reads: [storedRows] } = await lockSessions<SessionRow>(tx, sessionIds,
    Prisma.sql`SELECT id::text, next_turn, released_turn, last_seq, status, status_version, owner_id::text, deleted_at IS NOT NULL AS deleted
      FROM chat_log.sessions WHERE id = ANY(${sessionIds}::uuid[]) ORDER BY id FOR UPDATE`,
    [Prisma.sql`SELECT m.message_id, m.session_id::text, m.turn, m.text, m.received_at, m.system_prompt,
        r.kind::text AS reply_kind, r.announces_status AS handed_status
      FROM chat_log.messages m LEFT JOIN chat_log.replies r ON r.prompt_message_id = m.message_id
      WHERE m.message_id = ANY(${messageIds}::text[])`],
  );
  return { sessions: lockedSessions(sessions), stored: storedMessages(storedRows as StoredRow[]) };
}

function storedMessages(rows: StoredRow[]): Map<string, StoredMessage> {
  return new Map(
    rows.map((r) => [r.message_id, {
      sessionId: r.session_id, turn: r.turn, text: r.text, receivedAt: r.received_at, systemPrompt: r.system_prompt,
      answered: r.reply_kind !== null,
      handedStatus: r.reply_kind === 'handed' ? (r.handed_status === 'waiting' ? 'waiting' : 'agent') : null,
    }]),
  );
}

function lockedSessions(rows: SessionRow[]): Map<string, LockedSession> {
  return new Map(rows.map((r) => [r.id, {
    nextTurn: r.next_turn, releasedTurn: r.released_turn, lastSeq: r.last_seq, status: r.status, version: r.status_version,
    ownerId: r.owner_id, deleted: r.deleted,
  }]));
}

/** The messages, and in the same statement the agent events of the handed ones (new_message) in the agent outbox. */
function insertMessages(rows: InboundPlan['inserts'], events: QueuedAgentEvent[]): Prisma.Sql {
  const json = JSON.stringify(
    rows.map((m) => ({
      message_id: m.messageId,
      session_id: m.sessionId,
      turn: m.turn,
      text: m.text,
      client_timestamp: m.clientTimestamp,
      received_at: m.receivedAt.toISOString(),
      inbound_seq: m.inboundSeq,
      system_prompt: m.systemPrompt,
    })),
  );
  return Prisma.sql`
    ${events.length > 0 ? Prisma.sql`WITH agent_events AS (${agentOutboxInsert(events)})` : Prisma.empty}
    INSERT INTO chat_log.messages (message_id, session_id, turn, text, client_timestamp, received_at, inbound_seq, system_prompt)
    SELECT message_id, session_id, turn, text, client_timestamp, received_at, inbound_seq, system_prompt
    FROM jsonb_to_recordset(${json}::jsonb) AS r(message_id text, session_id uuid, turn int, text text,
      client_timestamp text, received_at timestamptz, inbound_seq bigint, system_prompt text)`;
}

/**
 * Moves the counters of the sessions that got a message (a session now waiting for a reply is
 * listed in `waiting_sessions` by a trigger, migration 003), gives a new session to the account
 * that sent its first message, and moves `updated_at` of owned sessions only: an anonymous
 * session's row keeps its indexed columns, so its update stays HOT (migration 004).
 */
function advanceTurns(plan: InboundPlan): Prisma.Sql {
  const { ids, turns, claims } = counterColumns(plan);
  return Prisma.sql`
    UPDATE chat_log.sessions s SET next_turn = u.next_turn, owner_id = COALESCE(s.owner_id, u.claim),
      updated_at = CASE WHEN COALESCE(s.owner_id, u.claim) IS NULL THEN s.updated_at ELSE now() END
    FROM unnest(${ids}::uuid[], ${turns}::int[], ${claims}::uuid[]) AS u(id, next_turn, claim) WHERE s.id = u.id`;
}

/** advanceTurns, and in the same statement the history before each routed message. */
function advanceTurnsAndReadHistory(plan: InboundPlan, historyLimit: number): Prisma.Sql {
  const { ids, turns, claims } = counterColumns(plan);
  return Prisma.sql`
    WITH advanced AS (
      UPDATE chat_log.sessions s SET next_turn = u.next_turn, owner_id = COALESCE(s.owner_id, u.claim),
        updated_at = CASE WHEN COALESCE(s.owner_id, u.claim) IS NULL THEN s.updated_at ELSE now() END
      FROM unnest(${ids}::uuid[], ${turns}::int[], ${claims}::uuid[]) AS u(id, next_turn, claim) WHERE s.id = u.id
    )
    ${historySelect(plan.routed, historyLimit)}`;
}

function counterColumns(plan: InboundPlan) {
  const ids = [...plan.nextTurn.keys()];
  return { ids, turns: ids.map((id) => plan.nextTurn.get(id)!), claims: ids.map((id) => plan.claims.get(id) ?? null) };
}
