/** An exact FAQ question of services/qna-cache/data/faqs.json: qna-cache answers it from its cache. */
export const FAQ_QUESTION = '신용카드는 어떻게 발급받을 수 있나요?';

/** Text carrying the message id, so the echo stub LLM's answer names the message it answers. */
export const llmText = (_client: number, index: number, id: string) => `chaos ${id}: 카드 혜택 질문 ${index}`;

/** Four in five messages go to the LLM workers, one in five is answered by the FAQ cache. */
export const mixedText = (client: number, index: number, id: string) =>
  (client + index) % 5 === 4 ? FAQ_QUESTION : llmText(client, index, id);
