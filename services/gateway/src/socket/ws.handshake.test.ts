import { readHandshake, selectSubprotocol } from './ws.handshake';

const sid = '82838488-5c03-4e2e-919a-34c2b1e7baf8';
const q = (query: string) => new URLSearchParams(query);

test('the seed client (no subprotocol, no query) speaks v1 with a new session', () => {
  const handshake = readHandshake('', q(''));
  expect(handshake).toMatchObject({ protocol: 1, resumeFrom: null });
  expect(handshake.sessionId).toMatch(/^[0-9a-f-]{36}$/);
});

test('v2 by subprotocol or by query', () => {
  expect(readHandshake('chat.v2', q('')).protocol).toBe(2);
  expect(readHandshake('', q('protocol=2')).protocol).toBe(2);
  expect(readHandshake('', q('protocol=3')).protocol).toBe(1);
});

test('a v2 client resumes its session from its last seq', () => {
  expect(readHandshake('', q(`protocol=2&session_id=${sid}&last_seq=7`))).toEqual({ protocol: 2, sessionId: sid, resumeFrom: 7 });
  expect(readHandshake('chat.v2', q(`session_id=${sid}`))).toEqual({ protocol: 2, sessionId: sid, resumeFrom: 0 });
  expect(readHandshake('chat.v2', q(`session_id=${sid}&last_seq=-1`)).resumeFrom).toBe(0);
});

test('v1 never resumes, and a malformed session id starts a new session', () => {
  expect(readHandshake('', q(`session_id=${sid}&last_seq=3`)).sessionId).not.toBe(sid);
  const bad = readHandshake('chat.v2', q('session_id=nope&last_seq=3'));
  expect(bad.resumeFrom).toBeNull();
  expect(bad.sessionId).not.toBe('nope');
});

test('the selected subprotocol is a chat protocol, never an offered bearer token', () => {
  expect(selectSubprotocol(new Set(['bearer.abc.def.ghi', 'chat.v2']))).toBe('chat.v2');
  expect(selectSubprotocol(new Set(['chat.v1', 'bearer.abc.def.ghi']))).toBe('chat.v1');
  expect(selectSubprotocol(new Set(['bearer.abc.def.ghi']))).toBe(false);
  expect(readHandshake('chat.v1', q('')).protocol).toBe(1);
});
