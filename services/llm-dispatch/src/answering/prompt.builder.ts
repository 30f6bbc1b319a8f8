import type { HistoryTurn } from '@chatbot/proto';
import type { ChatMessage } from '../llm/llm.types';

/** Long past answers (card tables) cost tokens and add little; the model sees their start. */
export const MAX_HISTORY_CHARS = 1_500;

export const DEFAULT_SYSTEM_PROMPT = [
  '당신은 우리카드 고객센터의 상담 챗봇입니다. 항상 한국어 존댓말로, 핵심부터 간결하게 답하세요.',
  '',
  '도구 사용 원칙:',
  '- 원하는 혜택(여행, 편의점, 카페, 배달 등)에 맞는 카드 추천: get_card_recommendation',
  '- 고객 본인의 소비 내역·소비 패턴에 맞춘 추천: consumption_recommend (인자 없음)',
  '- 특정 카드 상품의 혜택, 연회비, 이용 조건: get_card_description',
  '- 발급, 분실, 결제, 한도, 수수료, 포인트, 해외 이용 등 이용 방법과 절차: query_faq_database',
  '- 금융·카드 용어의 뜻: query_term_database',
  '',
  '답변 원칙:',
  '- 카드 혜택, 수치, 절차는 도구 결과에 있는 내용만 말하고 지어내지 마세요. 결과가 없으면 없다고 안내하세요.',
  '- 카드 이름은 도구 결과의 정확한 상품명을 그대로 쓰세요. 여러 카드를 비교할 때는 Markdown 표를 쓰세요.',
  '- consumption_recommend 결과가 login_required이면 소비 데이터 기반 추천을 위해 로그인이 필요하다고 안내하세요.',
  '- 카드번호, 비밀번호, CVC 같은 개인정보는 묻지도 받지도 마세요.',
  '- 카드와 관계없는 질문에는 카드 관련 상담만 도와드릴 수 있다고 정중히 안내하세요.',
].join('\n');

/**
 * The model's share of the history a job carries (the entries before its message, oldest first):
 * at most the last `maxTurns` exchanges, without empty entries.
 */
export function selectHistory(turns: HistoryTurn[], maxTurns: number): HistoryTurn[] {
  if (maxTurns <= 0) return [];
  const kept = turns.filter((turn) => turn.content.trim() !== '').slice(-maxTurns * 2);
  // A history that opens with an answer has lost its question: drop the orphan.
  return kept[0]?.role === 'assistant' ? kept.slice(1) : kept;
}

function clip(text: string): string {
  return text.length > MAX_HISTORY_CHARS ? `${text.slice(0, MAX_HISTORY_CHARS)}…` : text;
}

export interface PromptInput {
  systemPrompt: string;
  /** Added after the system prompt for sessions bound to a persona that has one. */
  personaPrompt?: string;
  history: HistoryTurn[];
  userText: string;
}

/** system, then the remembered conversation, then the new question. */
export function buildMessages(input: PromptInput): ChatMessage[] {
  const system = input.personaPrompt ? `${input.systemPrompt}\n\n${input.personaPrompt}` : input.systemPrompt;
  return [
    { role: 'system', content: system },
    ...input.history.map((turn): ChatMessage => ({ role: turn.role, content: clip(turn.content) })),
    { role: 'user', content: input.userText },
  ];
}
