/** The command line of `npm run chat`. */
export interface ChatOptions {
  /** The gateway's chat WebSocket, `ws://host:port/api/chat/ws`. */
  url: string;
}

export const USAGE = `usage: npm run chat [-- --url <gateway>]

Talks to a running system over its WebSocket (protocol v2, streamed answers).
  --url <url>   the gateway: ws://host:port/api/chat/ws, or just http://host:port
                (default: ws://127.0.0.1:$PORT/api/chat/ws, PORT defaulting to 8080)
Type a message and press Enter; /quit or Ctrl-D leaves.`;

export class UsageError extends Error {}

export function parseOptions(argv: string[], env: NodeJS.ProcessEnv): ChatOptions | 'help' {
  let url = `ws://127.0.0.1:${env.PORT || '8080'}/api/chat/ws`;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i];
    if (arg === '--help' || arg === '-h') return 'help';
    if (arg === '--url') {
      const value = argv[++i];
      if (!value) throw new UsageError('--url needs a value');
      url = chatUrl(value);
    } else if (arg.startsWith('--url=')) url = chatUrl(arg.slice('--url='.length));
    else throw new UsageError(`unknown argument ${arg}`);
  }
  return { url };
}

/** `http://h:p` or `ws://h:p` (no path) → the chat endpoint on it; a full ws URL is kept as given. */
export function chatUrl(given: string): string {
  let url: URL;
  try {
    url = new URL(given);
  } catch {
    throw new UsageError(`--url ${given} is not a URL (e.g. ws://127.0.0.1:8080/api/chat/ws)`);
  }
  if (url.protocol === 'http:') url.protocol = 'ws:';
  else if (url.protocol === 'https:') url.protocol = 'wss:';
  else if (url.protocol !== 'ws:' && url.protocol !== 'wss:') throw new UsageError(`--url ${given}: use ws://, wss://, http:// or https://`);
  if (url.pathname === '/' || url.pathname === '') url.pathname = '/api/chat/ws';
  url.search = '';
  return url.toString();
}
