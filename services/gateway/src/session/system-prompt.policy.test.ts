import { maySetSystemPrompt } from './system-prompt.policy';

const id = '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10';

test('anonymous callers never; accounts by the configured roles; API keys by their scope alone', () => {
  expect(maySetSystemPrompt(null, ['admin', 'agent', 'customer'])).toBe(false);
  expect(maySetSystemPrompt({ accountId: id, role: 'admin', via: 'token', expiresAtMs: null }, ['admin'])).toBe(true);
  expect(maySetSystemPrompt({ accountId: id, role: 'customer', via: 'token', expiresAtMs: null }, ['admin'])).toBe(false);
  expect(maySetSystemPrompt({ accountId: id, role: 'agent', via: 'token', expiresAtMs: null }, ['admin', 'agent'])).toBe(true);
  expect(maySetSystemPrompt({ accountId: id, role: 'admin', via: 'token', expiresAtMs: null }, [])).toBe(false);
  expect(maySetSystemPrompt({ accountId: id, role: 'admin', via: 'api-key', expiresAtMs: null, scopes: ['chat'] }, ['admin'])).toBe(false);
  expect(maySetSystemPrompt({ accountId: id, role: 'customer', via: 'api-key', expiresAtMs: null, scopes: ['chat', 'system_prompt'] }, ['admin'])).toBe(true);
});
