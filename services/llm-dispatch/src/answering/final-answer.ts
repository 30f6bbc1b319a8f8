import type { AnswerFields } from '@chatbot/proto';
import type { ToolOutcome } from '../tools/tool.executor';

export const EMPTY_ANSWER_MESSAGE =
  '죄송합니다. 답변을 만들지 못했어요. 질문을 조금 바꿔서 다시 말씀해 주세요.';

/** What the model reads back from a tool: its data as compact JSON, cut to a sane size. */
export const MAX_TOOL_RESULT_CHARS = 12_000;

export function toolMessageContent(value: unknown): string {
  const json = JSON.stringify(value);
  return json.length > MAX_TOOL_RESULT_CHARS ? json.slice(0, MAX_TOOL_RESULT_CHARS) : json;
}

/**
 * The model writes the text; the last tool that answered supplies the frame's metadata
 * (card_list, related_questions, login_required, tool_name). Without model text, the tool's own
 * message stands in.
 */
export function finalFields(modelText: string, lastTool: ToolOutcome | undefined): AnswerFields {
  const message = modelText.trim() !== '' ? modelText : lastTool?.fields.message ?? EMPTY_ANSWER_MESSAGE;
  if (!lastTool) return { message, login_required: false };
  const { card_list, related_questions, login_required, tool_name } = lastTool.fields;
  return {
    message,
    login_required,
    ...(card_list ? { card_list } : {}),
    ...(related_questions ? { related_questions } : {}),
    ...(tool_name ? { tool_name } : {}),
  };
}
