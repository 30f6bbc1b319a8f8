import type { AgentHistoryItem } from '@chatbot/proto';
import { withNewest, withOlder } from './conversation-history';

const entry = (role: AgentHistoryItem['role'], id: string): AgentHistoryItem => ({ message_id: id, role, content: `${role} ${id}`, created_at: 't' });
const keys = (entries: AgentHistoryItem[]) => entries.map((e) => `${e.role}:${e.message_id}`);

test('the first newest page is what is shown, with its cursor', () => {
  const shown = withNewest({ entries: [], olderCursor: null }, { messages: [entry('user', 'q2'), entry('assistant', 'q2')], next_cursor: 'c1' });
  expect(keys(shown.entries)).toEqual(['user:q2', 'assistant:q2']);
  expect(shown.olderCursor).toBe('c1');
});

test('the newest page read again adds what came after, once, and keeps the older cursor', () => {
  const shown = { entries: [entry('user', 'q2'), entry('assistant', 'q2')], olderCursor: 'c1' };
  const next = withNewest(shown, { messages: [entry('assistant', 'q2'), entry('user', 'q3'), entry('agent', 'a1')], next_cursor: 'c9' });
  expect(keys(next.entries)).toEqual(['user:q2', 'assistant:q2', 'user:q3', 'agent:a1']);
  expect(next.olderCursor).toBe('c1');
  expect(withNewest(next, { messages: [entry('user', 'q3'), entry('agent', 'a1')], next_cursor: 'c9' })).toEqual(next);
});

test('more new entries than a page holds: the page replaces what is shown and older pages go on from it', () => {
  const shown = { entries: [entry('user', 'q1')], olderCursor: null };
  const next = withNewest(shown, { messages: [entry('user', 'q8'), entry('assistant', 'q8')], next_cursor: 'c8' });
  expect(keys(next.entries)).toEqual(['user:q8', 'assistant:q8']);
  expect(next.olderCursor).toBe('c8');
});

test('an older page goes first, without entries already shown, and its cursor replaces the last', () => {
  const shown = { entries: [entry('assistant', 'q2'), entry('user', 'q3')], olderCursor: 'c2' };
  const next = withOlder(shown, { messages: [entry('user', 'q1'), entry('assistant', 'q1'), entry('user', 'q2'), entry('assistant', 'q2')], next_cursor: null });
  expect(keys(next.entries)).toEqual(['user:q1', 'assistant:q1', 'user:q2', 'assistant:q2', 'user:q3']);
  expect(next.olderCursor).toBeNull();
});
