import type WebSocket from 'ws';
import { SessionHolders } from './session.holders';

const socket = () => ({}) as WebSocket;
const [alice, bob] = ['a1a1a1a1-0000-4000-8000-000000000001', 'b2b2b2b2-0000-4000-8000-000000000002'];

test('an account holds its session on several sockets at once', () => {
  const holders = new SessionHolders();
  const [tab, phone] = [socket(), socket()];
  expect(holders.admit('s', alice, tab)).toEqual({ admitted: true, evict: [] });
  expect(holders.admit('s', alice, phone)).toEqual({ admitted: true, evict: [] });
  holders.release('s', tab);
  expect(holders.size).toBe(1);
  holders.release('s', phone);
  expect(holders.size).toBe(0);
});

test('an anonymous session moves to its newest socket', () => {
  const holders = new SessionHolders();
  const [first, second] = [socket(), socket()];
  holders.admit('s', null, first);
  expect(holders.admit('s', null, second)).toEqual({ admitted: true, evict: [first] });
  holders.release('s', first); // the evicted socket's close comes later: it releases nothing
  expect(holders.size).toBe(1);
});

test('another identity is not admitted to a session held here, whichever came first', () => {
  const holders = new SessionHolders();
  holders.admit('owned', alice, socket());
  expect(holders.admit('owned', bob, socket())).toEqual({ admitted: false });
  expect(holders.admit('owned', null, socket())).toEqual({ admitted: false });
  holders.admit('anonymous', null, socket());
  expect(holders.admit('anonymous', alice, socket())).toEqual({ admitted: false });
});
