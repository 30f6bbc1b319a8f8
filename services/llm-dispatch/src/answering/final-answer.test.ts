import type { ToolOutcome } from '../tools/tool.executor';
import { EMPTY_ANSWER_MESSAGE, finalFields, MAX_TOOL_RESULT_CHARS, toolMessageContent } from './final-answer';

const recommendation: ToolOutcome = {
  tool: 'get_card_recommendation',
  found: true,
  fields: {
    message: '표로 정리한 추천',
    login_required: false,
    card_list: ['카드의정석2', 'KREAM 우리카드'],
    tool_name: 'get_card_recommendation',
  },
  modelView: { cards: [] },
};

describe('the final answer of a model turn', () => {
  it('takes the text from the model and the metadata from the last tool', () => {
    expect(finalFields('편의점 할인에는 카드의정석2가 좋아요.', recommendation)).toEqual({
      message: '편의점 할인에는 카드의정석2가 좋아요.',
      login_required: false,
      card_list: ['카드의정석2', 'KREAM 우리카드'],
      tool_name: 'get_card_recommendation',
    });
  });

  it('carries login_required from a consumption result', () => {
    const login: ToolOutcome = {
      tool: 'consumption_recommend',
      found: false,
      fields: { message: '로그인이 필요합니다.', login_required: true, tool_name: 'consumption_recommend' },
      modelView: {},
    };
    expect(finalFields('먼저 로그인해 주세요.', login)).toEqual({
      message: '먼저 로그인해 주세요.',
      login_required: true,
      tool_name: 'consumption_recommend',
    });
  });

  it('has no tool metadata when no tool answered', () => {
    expect(finalFields('안녕하세요!', undefined)).toEqual({ message: '안녕하세요!', login_required: false });
  });

  it("falls back to the tool's own message, then to an apology, when the model wrote nothing", () => {
    expect(finalFields('  ', recommendation).message).toBe('표로 정리한 추천');
    expect(finalFields('', undefined).message).toBe(EMPTY_ANSWER_MESSAGE);
  });
});

describe('tool results for the model', () => {
  it('is compact JSON, cut at a bound', () => {
    expect(toolMessageContent({ hits: [{ term: '리볼빙' }] })).toBe('{"hits":[{"term":"리볼빙"}]}');
    expect(toolMessageContent({ text: 'x'.repeat(MAX_TOOL_RESULT_CHARS * 2) })).toHaveLength(MAX_TOOL_RESULT_CHARS);
  });
});
