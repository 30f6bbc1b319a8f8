/**
 * What of an answer a seed client still lacks. Neither seed client gets a final frame carrying the
 * whole text: it joins the pieces it was sent. So the codec remembers what it streamed per message
 * and, with the committed answer, sends only the rest; when the pieces are not the start of the
 * committed answer (the late answer lost to the unavailable text recorded at a timeout), the whole
 * committed text follows.
 */
export class StreamedAnswers {
  private readonly streamed = new Map<string, string>();

  add(messageId: string, text: string): void {
    this.streamed.set(messageId, (this.streamed.get(messageId) ?? '') + text);
  }

  /** The text still to send for the committed answer; the message is forgotten. */
  rest(messageId: string, answer: string): string {
    const sent = this.streamed.get(messageId) ?? '';
    this.streamed.delete(messageId);
    return answer.startsWith(sent) ? answer.slice(sent.length) : answer;
  }
}
