import { chatUrl, parseOptions } from './options';

test('the default URL is the local gateway on PORT (8080 when unset)', () => {
  expect(parseOptions([], {})).toEqual({ url: 'ws://127.0.0.1:8080/api/chat/ws' });
  expect(parseOptions([], { PORT: '9000' })).toEqual({ url: 'ws://127.0.0.1:9000/api/chat/ws' });
});

test('--url takes a ws URL as it is, or an http origin, which means its chat endpoint', () => {
  expect(parseOptions(['--url', 'ws://h:1/api/chat/ws'], {})).toEqual({ url: 'ws://h:1/api/chat/ws' });
  expect(parseOptions(['--url=https://chat.example.com'], {})).toEqual({ url: 'wss://chat.example.com/api/chat/ws' });
  expect(chatUrl('http://127.0.0.1:8080/?protocol=2')).toBe('ws://127.0.0.1:8080/api/chat/ws');
});

test('unknown arguments and other schemes are refused', () => {
  expect(() => parseOptions(['--nope'], {})).toThrow('unknown argument --nope');
  expect(() => parseOptions(['--url'], {})).toThrow('--url needs a value');
  expect(() => chatUrl('ftp://x')).toThrow('use ws://, wss://, http:// or https://');
  expect(parseOptions(['--help'], {})).toBe('help');
});
