import { CommittedFrame } from '@chatbot/proto';
import { toFrame, type ReleasedReply } from './frame.mapper';

const reply = (over: Partial<ReleasedReply> = {}): ReleasedReply => ({
  id: 'x',
  sessionId: 'a0000000-0000-4000-8000-000000000000',
  replyId: 'r1',
  seq: 2,
  frameMessageId: 'p1',
  promptMessageId: 'p1',
  message: 'answer',
  loginRequired: false,
  cardList: null,
  relatedQuestions: null,
  toolName: null,
  usage: null,
  createdAt: new Date('2026-11-21T12:00:00Z'),
  releasedAt: new Date('2026-11-21T12:00:01Z'),
  sender: null,
  announcesStatus: null,
  ...over,
});

describe('toFrame', () => {
  test('carries only the optional answer fields that were stored', () => {
    const frame = toFrame(reply());
    expect(frame).toEqual({
      seq: 2,
      message_id: 'p1',
      prompt_message_id: 'p1',
      answer: { message: 'answer', login_required: false },
      timestamp: '2026-11-21T12:00:01.000Z',
    });
    expect(CommittedFrame.safeParse(frame).success).toBe(true);
  });

  test('maps tool metadata and usage', () => {
    const usage = { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3 };
    const frame = toFrame(reply({ cardList: ['카드의정석2'], relatedQuestions: ['q?'], toolName: 'query_faq_database', usage }));
    expect(frame.answer).toMatchObject({ card_list: ['카드의정석2'], related_questions: ['q?'], tool_name: 'query_faq_database' });
    expect(frame.usage).toEqual(usage);
  });
});
