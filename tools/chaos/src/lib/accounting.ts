import { ChatLogReader, countBy, type MessageRow, type ReplyRow } from './chat-log.reader';
import type { SentMessage } from './session.ledger';
import type { V2Client } from './v2.client';

/**
 * The verdict on one load: what the clients saw, checked against chat-log's tables.
 * - lost: a message with no row in chat_log.messages, or no final reply frame at its client;
 * - duplicated: a message with more than one final reply frame at its client (copies of a seq
 *   already held are not counted: the protocol says to drop them), or more than one row in
 *   chat_log.messages or chat_log.replies.
 */
export interface Tally {
  sent: number;
  /** Frames sent, resends included. */
  sends: number;
  lost: number;
  duplicated: number;
  /** The broker acked it (`accepted`) but no row was ever written: the worst kind of loss. */
  acceptedNotStored: number;
  /** Final frame was "assistant unavailable" (the gateway's timeout or a committed failure). */
  unavailable: number;
  /** The client's final text differs from the committed reply (told unavailable, stored an answer). */
  mismatched: number;
  /** Durable seqs a client never received, gaps a client saw live, resyncs, sessions replaced. */
  missingSeqs: number;
  gapsSeen: number;
  resyncs: number;
  sessionChanges: number;
  /** Clients that gave up reconnecting; messages given up after the most sends. */
  clientsGaveUp: number;
  malformedFrames: number;
  lateProgress: number;
  /** One line per problem, capped, for the report. */
  examples: string[];
}

const MAX_EXAMPLES = 12;

export async function tally(clients: V2Client[], databaseUrl: string): Promise<Tally> {
  const all = clients.flatMap((client) => [...client.ledger.messages.values()]);
  const ids = all.map((m) => m.id);
  const reader = await ChatLogReader.open(databaseUrl);
  let messageRows: Map<string, MessageRow[]>;
  let replyRows: Map<string, ReplyRow[]>;
  try {
    messageRows = countBy(await reader.messages(ids), (r) => r.messageId);
    replyRows = countBy(await reader.replies(ids), (r) => r.promptMessageId);
  } finally {
    await reader.close();
  }
  const t = emptyTally(all);
  for (const message of all) judge(t, message, messageRows.get(message.id) ?? [], replyRows.get(message.id) ?? []);
  for (const client of clients) addSessionFacts(t, client);
  return t;
}

function emptyTally(all: SentMessage[]): Tally {
  return {
    sent: all.length, sends: all.reduce((n, m) => n + m.sends, 0), lost: 0, duplicated: 0, acceptedNotStored: 0,
    unavailable: 0, mismatched: 0, missingSeqs: 0, gapsSeen: 0, resyncs: 0, sessionChanges: 0, clientsGaveUp: 0,
    malformedFrames: 0, lateProgress: 0, examples: [],
  };
}

function judge(t: Tally, message: SentMessage, rows: MessageRow[], replies: ReplyRow[]): void {
  const note = (line: string) => void (t.examples.length < MAX_EXAMPLES && t.examples.push(`${message.id}: ${line}`));
  const finals = message.replies;
  t.lateProgress += message.lateProgress;
  if (rows.length === 0 || finals.length === 0) {
    t.lost++;
    if (rows.length === 0 && message.acceptedAt !== undefined) t.acceptedNotStored++;
    note(lostStory(message, rows.length, replies));
  }
  if (finals.length > 1 || rows.length > 1 || replies.length > 1) {
    t.duplicated++;
    // The committed frame is the one with the seq chat-log gave the reply; any other is the gateway's own.
    const committedSeq = replies[0]?.seq;
    const frames = finals.map((f) => `${f.seq === committedSeq ? 'committed seq ' : 'gateway frame @seq '}${f.seq}${f.unavailable ? ' (unavailable)' : ''}`).join(', ');
    note(`duplicated: ${finals.length} final frames [${frames}], ${rows.length} message rows, ${replies.length} reply rows`);
  }
  const last = finals.at(-1);
  if (last?.unavailable) t.unavailable++;
  const committed = replies[0];
  if (last && committed && last.text !== committed.message) {
    t.mismatched++;
    note(`client's final frame ${last.unavailable ? 'says unavailable' : 'differs'} but chat-log committed a ${committed.kind} (${committed.source})`);
  }
}

function lostStory(message: SentMessage, rows: number, replies: ReplyRow[]): string {
  const seen = [
    `sent ${message.sends}×`,
    message.acceptedAt ? 'accepted' : 'never accepted',
    message.storedAt ? 'stored frame' : 'no stored frame',
    message.refusals ? `${message.refusals}× E5006` : '',
    message.firstProgressAt ? 'typing/deltas seen' : '',
    message.errors.length ? `errors ${message.errors.join(',')}` : '',
  ].filter(Boolean);
  const db = `${rows} message rows, ${replies.length} reply rows${replies[0] ? ` (${replies[0].kind}, seq ${replies[0].seq ?? 'unreleased'})` : ''}`;
  return `lost: ${seen.join(', ')}; ${db}; no final frame=${message.replies.length === 0}`;
}

function addSessionFacts(t: Tally, client: V2Client): void {
  const { ledger } = client;
  t.missingSeqs += ledger.missingSeqs().length;
  t.gapsSeen += ledger.gapsSeen;
  t.resyncs += ledger.resyncs.length;
  t.sessionChanges += client.sessionChanges;
  t.malformedFrames += ledger.malformed;
  if (client.gaveUp) t.clientsGaveUp++;
}

/** Problems beyond lost and duplicated that still break a guarantee. */
export function sessionProblems(t: Tally): string[] {
  const problems: string[] = [];
  if (t.missingSeqs > 0) problems.push(`${t.missingSeqs} durable frames never reached their client`);
  if (t.gapsSeen > 0) problems.push(`${t.gapsSeen} times a durable frame arrived with earlier seqs missing on a live socket (the client had to resume to get them)`);
  if (t.resyncs > 0) problems.push(`${t.resyncs} resumes answered resync instead of the missed frames`);
  if (t.sessionChanges > 0) problems.push(`${t.sessionChanges} resumes got a new session`);
  if (t.clientsGaveUp > 0) problems.push(`${t.clientsGaveUp} clients could not reconnect`);
  if (t.malformedFrames > 0) problems.push(`${t.malformedFrames} frames did not match the v2 schema`);
  return problems;
}
