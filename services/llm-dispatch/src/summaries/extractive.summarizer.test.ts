import type { HistoryTurn } from '@chatbot/proto';
import { extractiveSummary } from './extractive.summarizer';

const turn = (role: HistoryTurn['role'], content: string, n: number): HistoryTurn => ({ role, content, message_id: `m${n}`, at: new Date(n * 1000).toISOString() });

describe('extractiveSummary', () => {
  it('takes the first question as the issue, the gist of the answers as tried, and an unanswered last message as open', () => {
    const turns = [
      turn('user', '어제 결제한 금액을 환불받고 싶어요.', 1),
      turn('assistant', '환불은 가맹점 취소 후 3~5일 안에 처리됩니다. 가맹점에 먼저 문의해 주세요.', 2),
      turn('user', '가맹점이 연락이 안 돼요. 상담원 연결해 주세요', 3),
    ];
    expect(extractiveSummary({ turns, categories: [] })).toEqual({
      issue: '어제 결제한 금액을 환불받고 싶어요.',
      tried: '환불은 가맹점 취소 후 3~5일 안에 처리됩니다.',
      open: '가맹점이 연락이 안 돼요. 상담원 연결해 주세요',
      category: 'refund',
    });
  });

  it('prefers a configured category the customer named, then a configured one of the same name as the keyword category', () => {
    const turns = [turn('user', 'VIP 라운지 이용 문의입니다', 1)];
    expect(extractiveSummary({ turns, categories: ['vip', 'refund'] }).category).toBe('vip');
    expect(extractiveSummary({ turns: [turn('user', '카드를 잃어버렸어요', 1)], categories: ['Lost_Card'] }).category).toBe('Lost_Card');
    expect(extractiveSummary({ turns: [turn('user', '안녕하세요', 1)], categories: [] }).category).toBe('general');
  });

  it('has nothing open when the last question was answered and it was the only one, and handles an empty conversation', () => {
    const answered = [turn('user', '연회비가 얼마예요?', 1), turn('assistant', '연회비는 1만 원입니다!', 2)];
    expect(extractiveSummary({ turns: answered, categories: [] })).toMatchObject({ open: '', tried: '연회비는 1만 원입니다!', category: 'fees' });
    expect(extractiveSummary({ turns: [], categories: [] })).toEqual({ issue: '', tried: '', open: '', category: 'general' });
  });

  it('keeps the last three answers and cuts long text', () => {
    const turns = [turn('user', 'x'.repeat(1000), 0), ...[1, 2, 3, 4].map((n) => turn('assistant', `답변 ${n}.`, n))];
    const summary = extractiveSummary({ turns, categories: [] });
    expect(summary.tried).toBe('답변 2. / 답변 3. / 답변 4.');
    expect(summary.issue).toHaveLength(400);
    expect(summary.issue.endsWith('…')).toBe(true);
  });
});
