import type { AgentServerFrame } from '@chatbot/proto';
import type { AuthSession } from '../lib/auth.session';

/** Waited before opening the socket again after it closed; doubled per failure up to the cap. */
const RETRY_MS = 1_000;
const RETRY_CAP_MS = 15_000;

const agentsWsUrl = (query: string) => `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.host}/api/admin/ws${query}`;

/**
 * Follows the agents' socket: every frame goes to `onFrame`, and after a drop the socket is opened
 * again with `?after=<last seq>`, so no event is missed (the `ready` frame says the replay starts).
 * The token rides in the `bearer.` subprotocol beside `agents.v1`, as the chat page's does.
 * Returns the function that stops following.
 */
export function followAgentEvents(auth: AuthSession, onFrame: (frame: AgentServerFrame) => void): () => void {
  let lastSeq: number | null = null;
  let socket: WebSocket | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stopped = false;
  let delay = RETRY_MS;

  const open = async () => {
    const token = await auth.token();
    if (stopped || !token) return;
    const ws = new WebSocket(agentsWsUrl(lastSeq === null ? '' : `?after=${lastSeq}`), ['agents.v1', `bearer.${token}`]);
    socket = ws;
    ws.onmessage = (message) => {
      const frame = JSON.parse(String(message.data)) as AgentServerFrame;
      if (frame.type === 'ready') delay = RETRY_MS;
      else lastSeq = frame.seq;
      onFrame(frame);
    };
    ws.onclose = () => {
      if (stopped || socket !== ws) return;
      timer = setTimeout(() => void open(), delay);
      delay = Math.min(delay * 2, RETRY_CAP_MS);
    };
  };
  void open();
  return () => {
    stopped = true;
    if (timer) clearTimeout(timer);
    socket?.close(1000);
  };
}
