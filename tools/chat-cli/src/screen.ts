import type { ServerFrameV2 } from '@chatbot/proto';
import type { SessionEvent } from './chat.session';

/**
 * Frames as terminal text: deltas are written as they arrive after `bot> `; the final reply
 * closes the line (or is written whole when no delta came, as for a cached answer), followed by
 * its cards and related questions. Pure: it returns the text, the caller writes it.
 */
export class Screen {
  /** Text already streamed per message, to tell whether the reply adds anything. */
  private readonly streamed = new Map<string, string>();
  private connectedOnce = false;

  render(event: SessionEvent): string {
    if (event.kind === 'unreadable') return `! unreadable frame from the server: ${event.text.slice(0, 200)}\n`;
    if (event.kind === 'disconnected') {
      const retry = `retrying in ${(event.retryInMs / 1000).toFixed(1)} s… (Ctrl-C gives up)`;
      if (!event.wasOpen) return `! cannot reach the gateway (${event.reason ?? `close code ${event.code}`}); ${retry}\n`;
      return `${this.openLine()}! connection lost (${event.code}); ${retry}\n`;
    }
    return this.frame(event.frame);
  }

  private frame(frame: ServerFrameV2): string {
    switch (frame.type) {
      case 'session': {
        const first = !this.connectedOnce;
        this.connectedOnce = true;
        if (first) return `connected, session ${frame.session_id}. Type a message; /quit or Ctrl-D leaves.\n`;
        return frame.resumed ? '(reconnected: session resumed)\n' : `(reconnected as a new session ${frame.session_id})\n`;
      }
      case 'delta': {
        const before = this.streamed.get(frame.message_id);
        this.streamed.set(frame.message_id, (before ?? '') + frame.text);
        return before === undefined ? `bot> ${frame.text}` : frame.text;
      }
      case 'reply':
        return this.reply(frame);
      case 'error':
        return `${this.openLine()}! ${frame.error} (${frame.code}${frame.incident_id ? `, incident ${frame.incident_id}` : ''})\n`;
      case 'resync':
        return `(earlier replies can no longer be replayed: ${frame.reason})\n`;
      default:
        return ''; // accepted, stored, typing: the answer itself says enough
    }
  }

  private reply(frame: Extract<ServerFrameV2, { type: 'reply' }>): string {
    const streamed = this.streamed.get(frame.message_id);
    this.streamed.delete(frame.message_id);
    let text: string;
    if (streamed === undefined) text = `bot> ${frame.message}\n`;
    else if (streamed === frame.message) text = '\n';
    else text = `\nbot> ${frame.message}\n`; // the stream was cut short or replaced: the reply is what counts
    if (frame.card_list?.length) text += `     cards: ${frame.card_list.join(', ')}\n`;
    if (frame.related_questions?.length) text += `     related: ${frame.related_questions.join(' | ')}\n`;
    if (frame.login_required) text += '     (this answer needs a login)\n';
    return text;
  }

  /** A newline when a streamed answer is still open on the current line. */
  private openLine(): string {
    return this.streamed.size > 0 ? '\n' : '';
  }
}
