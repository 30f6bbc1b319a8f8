import { decide, type StatusRow } from './handoff.machine';

const AGENT = '11111111-1111-4111-8111-111111111111';
const OTHER = '22222222-2222-4222-8222-222222222222';
const row = (over: Partial<StatusRow> = {}): StatusRow => ({ status: 'bot', version: 3, holderId: null, unanswered: 0, ...over });
const held = (over: Partial<StatusRow> = {}) => row({ status: 'agent', holderId: AGENT, ...over });

describe('decide', () => {
  test('the user asks for a person: bot → waiting, and again is unchanged; a closed one refuses', () => {
    expect(decide(row(), { action: 'handoff', actor_id: null })).toEqual({ kind: 'changed', status: 'waiting', holderId: null });
    expect(decide(row({ status: 'waiting' }), { action: 'handoff', actor_id: null })).toEqual({ kind: 'unchanged' });
    expect(decide(held(), { action: 'handoff', actor_id: null })).toEqual({ kind: 'unchanged' });
    expect(decide(row({ status: 'completed' }), { action: 'handoff', actor_id: null })).toEqual({ kind: 'conflict', reason: 'state' });
  });

  test('takeover from bot or waiting; the holder again is unchanged, another agent is refused by holder', () => {
    for (const status of ['bot', 'waiting'] as const) {
      expect(decide(row({ status }), { action: 'takeover', actor_id: AGENT })).toEqual({ kind: 'changed', status: 'agent', holderId: AGENT });
    }
    expect(decide(held(), { action: 'takeover', actor_id: AGENT })).toEqual({ kind: 'unchanged' });
    expect(decide(held(), { action: 'takeover', actor_id: OTHER })).toEqual({ kind: 'conflict', reason: 'holder' });
    expect(decide(row({ status: 'completed' }), { action: 'takeover', actor_id: AGENT })).toEqual({ kind: 'conflict', reason: 'state' });
  });

  test('a stale expected version is refused, but a retry of what already applied is unchanged', () => {
    expect(decide(row(), { action: 'takeover', actor_id: AGENT, expected_version: 2 })).toEqual({ kind: 'conflict', reason: 'version' });
    expect(decide(held(), { action: 'takeover', actor_id: AGENT, expected_version: 2 })).toEqual({ kind: 'unchanged' });
    expect(decide(row(), { action: 'takeover', actor_id: AGENT, expected_version: 3 })).toMatchObject({ kind: 'changed' });
  });

  test('release goes back to bot only from agent; waiting and completed refuse', () => {
    expect(decide(held(), { action: 'release', actor_id: AGENT })).toEqual({ kind: 'changed', status: 'bot', holderId: null });
    expect(decide(row(), { action: 'release', actor_id: AGENT })).toEqual({ kind: 'unchanged' });
    expect(decide(row({ status: 'waiting' }), { action: 'release', actor_id: AGENT })).toEqual({ kind: 'conflict', reason: 'state' });
    expect(decide(held(), { action: 'release', actor_id: OTHER })).toEqual({ kind: 'conflict', reason: 'holder' });
  });

  test('handed messages without an agent message after them keep the conversation until the agent writes', () => {
    expect(decide(held({ unanswered: 2 }), { action: 'release', actor_id: AGENT })).toEqual({ kind: 'conflict', reason: 'unanswered' });
    expect(decide(held({ unanswered: 2 }), { action: 'release', actor_id: AGENT, message: 'done' })).toMatchObject({ kind: 'changed', status: 'bot' });
    expect(decide(row({ status: 'waiting', unanswered: 1 }), { action: 'complete', actor_id: AGENT })).toEqual({ kind: 'conflict', reason: 'unanswered' });
    expect(decide(row({ status: 'waiting', unanswered: 1 }), { action: 'provide_info', actor_id: AGENT, message: 'info' })).toMatchObject({ kind: 'changed', status: 'bot' });
  });

  test('complete from any open state, once; provide_info only from waiting or agent', () => {
    for (const start of [row(), row({ status: 'waiting' }), held()]) {
      expect(decide(start, { action: 'complete', actor_id: AGENT })).toEqual({ kind: 'changed', status: 'completed', holderId: null });
    }
    expect(decide(row({ status: 'completed' }), { action: 'complete', actor_id: AGENT })).toEqual({ kind: 'unchanged' });
    expect(decide(row(), { action: 'provide_info', actor_id: AGENT, message: 'x' })).toEqual({ kind: 'conflict', reason: 'state' });
  });
});
