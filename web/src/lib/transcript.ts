import type { ServerFrameV2 } from '@chatbot/proto';

/**
 * What the page shows, as data: the person's messages and the answers, built from the frames the
 * socket hands on. Pure functions, so the page and its tests see the same rules: deltas show as
 * they stream (only their unbroken run from index 0, so a gap left by a dropped socket never shows
 * text out of order), and the final reply replaces them with the whole answer, once.
 */

export type UserState = 'sending' | 'accepted' | 'stored' | 'failed';

export interface UserTurn {
  role: 'user';
  id: string;
  text: string;
  state: UserState;
  /** Files sent with the message; the name is unknown for one read back from the history. */
  attachments?: Array<{ id: string; name?: string }>;
  /** The error code of a refusal or a notice (late answer, slow down). */
  notice?: string;
}

export interface BotTurn {
  role: 'bot';
  /** The message id the answer is shown under (the question's id; a login push has its own). */
  id: string;
  text: string;
  done: boolean;
  typing: boolean;
  cards: string[];
  related: string[];
  feedback?: boolean | null;
  /** The last feedback could not be saved. */
  feedbackFailed?: boolean;
  /** Written by a person (an agent who took the conversation over), not the assistant. */
  agent?: boolean;
}

export interface NoticeTurn {
  role: 'notice';
  id: string;
  code: string;
  /** What the server said, for a status change (`code` is then `status:<status>`). */
  text?: string;
}

export type Turn = UserTurn | BotTurn | NoticeTurn;

export interface Transcript {
  turns: Turn[];
  /** Streamed pieces per answer, by index; not kept across reloads. */
  deltas: Record<string, string[]>;
}

export const emptyTranscript = (): Transcript => ({ turns: [], deltas: {} });

export function addUserMessage(t: Transcript, id: string, text: string, attachments: UserTurn['attachments'] = []): Transcript {
  const turn: UserTurn = { role: 'user', id, text, state: 'sending', ...(attachments.length > 0 ? { attachments } : {}) };
  return { ...t, turns: [...t.turns, turn] };
}

export function setFeedback(t: Transcript, id: string, feedback: boolean | null | undefined, failed = false): Transcript {
  return update(t, 'bot', id, (turn) => ({ ...turn, feedback, feedbackFailed: failed }));
}

export function applyFrame(t: Transcript, frame: ServerFrameV2): Transcript {
  switch (frame.type) {
    case 'accepted':
    case 'stored':
      return update(t, 'user', frame.message_id, (turn) => (turn.state === 'stored' ? turn : { ...turn, state: frame.type as UserState }));
    case 'typing':
      return withBot(t, frame.message_id, (turn) => (turn.done ? turn : { ...turn, typing: true }));
    case 'delta':
      return streamed(t, frame.message_id, frame.index, frame.text);
    case 'reply':
      return answered(t, frame);
    case 'error':
      return frame.message_id ? refused(t, frame.message_id, frame.code) : notice(t, frame.code);
    case 'resync':
      return notice(t, `resync:${frame.reason}`);
    case 'handed':
      return update(t, 'user', frame.message_id, (turn) => ({ ...turn, notice: 'handed' }));
    case 'agent':
      return withBot(t, frame.message_id, (turn) => ({ ...turn, text: frame.message, done: true, typing: false, agent: true }));
    case 'status':
      if (t.turns.some((turn) => turn.id === frame.message_id)) return t;
      return { ...t, turns: [...t.turns, { role: 'notice', id: frame.message_id, code: `status:${frame.status}`, text: frame.message }] };
    default:
      return t;
  }
}

function streamed(t: Transcript, id: string, index: number, text: string): Transcript {
  const pieces = [...(t.deltas[id] ?? [])];
  pieces[index] = text;
  let run = 0;
  while (pieces[run] !== undefined) run++;
  const next = { ...t, deltas: { ...t.deltas, [id]: pieces } };
  return withBot(next, id, (turn) => (turn.done ? turn : { ...turn, typing: true, text: run > 0 ? pieces.slice(0, run).join('') : turn.text }));
}

function answered(t: Transcript, frame: Extract<ServerFrameV2, { type: 'reply' }>): Transcript {
  const { [frame.message_id]: _streamed, ...deltas } = t.deltas;
  const next = update({ ...t, deltas }, 'user', frame.message_id, (turn) => ({ ...turn, state: 'stored', notice: undefined }));
  return withBot(next, frame.message_id, (turn) => ({
    ...turn,
    text: frame.message,
    done: true,
    typing: false,
    cards: frame.card_list ?? [],
    related: frame.related_questions ?? [],
  }));
}

function refused(t: Transcript, id: string, code: string): Transcript {
  // A late answer (E5001) still comes; a slowed-down or untaken message (E4004, E5006) is resent.
  const failed = !['E5001', 'E4004', 'E5006'].includes(code);
  return update(t, 'user', id, (turn) => ({ ...turn, notice: code, state: failed ? 'failed' : turn.state }));
}

function notice(t: Transcript, code: string): Transcript {
  return { ...t, turns: [...t.turns, { role: 'notice', id: `notice-${t.turns.length}`, code }] };
}

/** The conversation's status as the last `status` frame said (`bot` until one comes). */
export function conversationStatus(t: Transcript): string {
  const last = [...t.turns].reverse().find((turn): turn is NoticeTurn => turn.role === 'notice' && turn.code.startsWith('status:'));
  return last ? last.code.slice('status:'.length) : 'bot';
}

/** The answer shown under `id`, made when its first frame arrives (after its question). */
function withBot(t: Transcript, id: string, change: (turn: BotTurn) => BotTurn): Transcript {
  if (t.turns.some((turn) => turn.role === 'bot' && turn.id === id)) return update(t, 'bot', id, change);
  const fresh: BotTurn = { role: 'bot', id, text: '', done: false, typing: false, cards: [], related: [] };
  const question = t.turns.findIndex((turn) => turn.role === 'user' && turn.id === id);
  const turns = [...t.turns];
  turns.splice(question === -1 ? turns.length : question + 1, 0, change(fresh));
  return { ...t, turns };
}

function update<R extends Turn['role']>(t: Transcript, role: R, id: string, change: (turn: Extract<Turn, { role: R }>) => Turn): Transcript {
  const index = t.turns.findIndex((turn) => turn.role === role && turn.id === id);
  if (index === -1) return t;
  const turns = [...t.turns];
  turns[index] = change(turns[index] as Extract<Turn, { role: R }>);
  return { ...t, turns };
}

/** What survives a reload: every turn, with answers still streaming kept as typing. */
export function toSaved(t: Transcript): string {
  return JSON.stringify(t.turns.slice(-200));
}

export function fromSaved(text: string | null): Transcript {
  try {
    const turns = JSON.parse(text ?? '[]') as Turn[];
    return Array.isArray(turns) ? { turns, deltas: {} } : emptyTranscript();
  } catch {
    return emptyTranscript();
  }
}
