import { maySetSystemPrompt } from './system-prompt.policy';

const id = '7a4c3b56-1a6f-4e0f-9d4e-6f8b1b2d9c10';

test('anonymous callers never; accounts by the configured roles; API keys by their scope alone', () => {
  expect(maySetSystemPrompt(null, ['admin', 'agent', 'customer'])).toBe(false);
  expect(maySetSystemPrompt({ accountId: id, role: 'admin', via: 'token' }, ['admin'])).toBe(true);
  expect(maySetSystemPrompt({ accountId: id, role: 'customer', via: 'token' }, ['admin'])).toBe(false);
  expect(maySetSystemPrompt({ accountId: id, role: 'agent', via: 'token' }, ['admin', 'agent'])).toBe(true);
  expect(maySetSystemPrompt({ accountId: id, role: 'admin', via: 'token' }, [])).toBe(false);
  expect(maySetSystemPrompt({ accountId: id, role: 'admin', via: 'api-key', scopes: ['chat'] }, ['admin'])).toBe(false);
  expect(maySetSystemPrompt({ accountId: id, role: 'customer', via: 'api-key', scopes: ['chat', 'system_prompt'] }, ['admin'])).toBe(true);
});
