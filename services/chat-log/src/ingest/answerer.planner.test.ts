import { planAnswerers, type ConversationRow, type HandoffRules, type NewMessage } from './answerer.planner';

const A = 'a0000000-0000-4000-8000-000000000000';
const B = 'b0000000-0000-4000-8000-000000000000';
const rules: HandoffRules = { keywords: ['상담원', 'human'], onCompleted: 'reopen' };
const msg = (sessionId: string, messageId: string, turn: number, text = 'hello'): NewMessage => ({ sessionId, messageId, turn, text });
const rows = (entries: Array<[string, ConversationRow]>) => new Map(entries);

describe('planAnswerers', () => {
  test('in bot the assistant answers; in waiting and agent the message is handed with that status', () => {
    const plan = planAnswerers([msg(A, 'a1', 1), msg(B, 'b1', 4)], rows([[A, { status: 'bot', version: 0 }], [B, { status: 'agent', version: 2 }]]), rules);
    expect([...plan.bot]).toEqual(['a1']);
    expect(plan.handed).toEqual([{ ...msg(B, 'b1', 4), status: 'agent' }]);
    expect(plan.changes.size).toBe(0);
  });

  test('a keyword moves bot to waiting: that message and the later ones of the batch are handed', () => {
    const plan = planAnswerers([msg(A, 'a1', 1), msg(A, 'a2', 2, '상담원 연결해 주세요'), msg(A, 'a3', 3)], rows([[A, { status: 'bot', version: 5 }]]), rules);
    expect([...plan.bot]).toEqual(['a1']);
    expect(plan.handed.map((m) => [m.messageId, m.status])).toEqual([['a2', 'waiting'], ['a3', 'waiting']]);
    expect(plan.changes.get(A)).toEqual({ status: 'waiting', fromVersion: 5, steps: 1 });
    expect(plan.announcements).toEqual([{ sessionId: A, status: 'waiting', afterTurn: 2 }]);
  });

  test('keywords match case-insensitively and none configured escalates nothing', () => {
    expect(planAnswerers([msg(A, 'a1', 1, 'A HUMAN please')], rows([[A, { status: 'bot', version: 0 }]]), rules).handed).toHaveLength(1);
    expect(planAnswerers([msg(A, 'a1', 1, '상담원')], rows([[A, { status: 'bot', version: 0 }]]), { ...rules, keywords: [] }).handed).toEqual([]);
  });

  test('a message on a completed conversation reopens it for the assistant under the reopen policy', () => {
    const plan = planAnswerers([msg(A, 'a7', 7)], rows([[A, { status: 'completed', version: 9 }]]), rules);
    expect([...plan.bot]).toEqual(['a7']);
    expect(plan.changes.get(A)).toEqual({ status: 'bot', fromVersion: 9, steps: 1 });
    expect(plan.announcements).toEqual([{ sessionId: A, status: 'bot', afterTurn: 6 }]);
  });
});
