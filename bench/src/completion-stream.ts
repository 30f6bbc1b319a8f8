import { request, type Agent } from 'node:http';

/**
 * One streamed chat completion from an OpenAI-compatible endpoint (the stub LLM): `onText` gets
 * each piece of content as it arrives; resolves when the stream ends. The load generator's direct
 * reference and the LLM relay's worker both read the stream through it, so they time it alike.
 */
export function streamCompletion(
  agent: Agent,
  url: URL,
  text: string,
  onText: (piece: string, at: number) => void,
  timeoutMs: number,
): Promise<void> {
  const body = JSON.stringify({ model: 'bench', stream: true, messages: [{ role: 'user', content: text }] });
  let buffered = '';
  return new Promise((resolve, reject) => {
    const req = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json' } }, (res) => {
      if (res.statusCode !== 200) {
        res.resume();
        return reject(new Error(`stub answered ${res.statusCode}`));
      }
      res.setEncoding('utf8');
      res.on('data', (chunk: string) => {
        const at = performance.now();
        buffered += chunk;
        const events = buffered.split('\n\n');
        buffered = events.pop() ?? '';
        for (const event of events) {
          const piece = contentOf(event);
          if (piece !== '') onText(piece, at);
        }
      });
      res.on('end', () => resolve());
      res.on('error', reject);
    });
    req.setTimeout(timeoutMs, () => req.destroy(new Error('stub timed out')));
    req.on('error', reject);
    req.end(body);
  });
}

/** The text of a `data:` event's first choice ('' for [DONE] and empty deltas). */
function contentOf(event: string): string {
  if (!event.startsWith('data: ') || event === 'data: [DONE]') return '';
  const chunk = JSON.parse(event.slice(6)) as { choices?: Array<{ delta?: { content?: string } }> | null };
  return chunk.choices?.[0]?.delta?.content ?? '';
}
