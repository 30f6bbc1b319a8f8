import { UNAVAILABLE_MESSAGE, type ServerFrameV2 } from '@chatbot/proto';
import { SessionLedger } from './session.ledger';

const reply = (messageId: string, seq: number, message = `answer to ${messageId}`): ServerFrameV2 => ({
  type: 'reply',
  sender: 'bot',
  timestamp: '2026-11-21T00:00:00.000Z',
  message_id: messageId,
  login_required: false,
  message,
  seq,
});

function ledgerWith(...ids: string[]): SessionLedger {
  const ledger = new SessionLedger();
  for (const id of ids) ledger.add(id, `text of ${id}`, 0);
  return ledger;
}

describe('SessionLedger', () => {
  test('drops a copy of a seq it already holds, as the protocol tells clients to', () => {
    const ledger = ledgerWith('m1');
    ledger.onFrame(reply('m1', 1), 10, 500);
    ledger.onFrame(reply('m1', 1), 20, 500);
    expect(ledger.messages.get('m1')!.replies).toHaveLength(1);
    expect(ledger.copies).toBe(1);
    expect(ledger.unanswered()).toBe(0);
  });

  test('reports a gap when a durable frame arrives with earlier seqs missing, and resumes from before it', () => {
    const ledger = ledgerWith('m1', 'm2', 'm3');
    ledger.onFrame(reply('m1', 1), 10, 500);
    expect(ledger.onFrame(reply('m3', 3), 20, 500)).toBe('gap');
    expect(ledger.contiguousSeq).toBe(1);
    expect(ledger.missingSeqs()).toEqual([2]);
    ledger.onFrame(reply('m2', 2), 30, 500);
    expect(ledger.contiguousSeq).toBe(3);
    expect(ledger.missingSeqs()).toEqual([]);
  });

  test("counts the gateway's own unavailable frame (no new seq) as a final frame that is not durable", () => {
    const ledger = ledgerWith('m1', 'm2');
    ledger.onFrame(reply('m1', 1), 10, 500);
    ledger.onFrame(reply('m2', 1, UNAVAILABLE_MESSAGE), 20, 500);
    expect(ledger.messages.get('m2')!.replies).toEqual([{ seq: 1, at: 20, text: UNAVAILABLE_MESSAGE, durable: false, unavailable: true }]);
    ledger.onFrame(reply('m2', 2), 30, 500);
    expect(ledger.messages.get('m2')!.replies).toHaveLength(2);
  });

  test('a refusal (E5006) makes the message due for a resend after the retry delay', () => {
    const ledger = ledgerWith('m1');
    ledger.onFrame({ type: 'error', error: 'unavailable', code: 'E5006', message_id: 'm1', seq: 0 }, 100, 700);
    expect(ledger.messages.get('m1')).toMatchObject({ refusals: 1, resendAt: 800 });
  });

  test('counts stored frames and late progress after the final reply', () => {
    const ledger = ledgerWith('m1');
    ledger.onFrame({ type: 'stored', message_id: 'm1', seq: 0 }, 10, 500);
    ledger.onFrame(reply('m1', 1), 20, 500);
    ledger.onFrame({ type: 'delta', message_id: 'm1', index: 3, text: 'late', seq: 1 }, 30, 500);
    expect(ledger.messages.get('m1')).toMatchObject({ storedAt: 10, storedFrames: 1, deltas: 1, lateProgress: 1 });
  });

  test('a handed frame is the message\'s one final frame; agent and status frames hold their seqs', () => {
    const ledger = ledgerWith('m1', 'm2');
    ledger.onFrame(reply('m1', 1), 10, 500);
    ledger.onFrame({ type: 'status', status: 'agent', message_id: 's', message: 'x', timestamp: 't', seq: 2 }, 11, 500);
    ledger.onFrame({ type: 'handed', message_id: 'm2', status: 'agent', seq: 2 }, 12, 500);
    ledger.onFrame({ type: 'handed', message_id: 'm2', status: 'agent', seq: 2 }, 13, 500);
    expect(ledger.onFrame({ type: 'agent', message_id: 'a', message: 'hi', timestamp: 't', seq: 3 }, 14, 500)).toBe('none');
    expect(ledger.unanswered()).toBe(0);
    expect(ledger.messages.get('m2')!.replies).toEqual([expect.objectContaining({ handed: true })]);
    expect(ledger.contiguousSeq).toBe(3);
    expect(ledger.handoffFrames.map((f) => f.type)).toEqual(['status', 'agent']);
    // an assistant reply to a handed message would be a second final frame: counted as duplicated
    ledger.onFrame(reply('m2', 4), 15, 500);
    expect(ledger.messages.get('m2')!.replies).toHaveLength(2);
  });
});

