/**
 * Malformed client frames for the fuzz test, generated with fast-check. Each kind is malformed by
 * construction; kinds that could come out well-formed by chance are filtered through
 * `acceptedByContract`, a restatement of the frame contract in docs/protocol.md (not the
 * gateway's code), so the test never sends a valid chat message by accident.
 */
import fc from 'fast-check';

export const MAX_PAYLOAD_BYTES = 65_536;
export const MAX_MESSAGE_CHARS = 4_000;

export type Kind =
  | 'not_json' | 'json_scalar' | 'array' | 'wrong_types' | 'missing_fields' | 'unknown_type'
  | 'prototype_keys' | 'deep_nesting' | 'oversize' | 'invalid_utf8' | 'binary' | 'empty_strings'
  | 'huge_numbers' | 'too_long' | 'bad_message_id' | 'foreign_message_id';

export interface MalformedFrame {
  kind: Kind;
  /** Text frames are strings; invalid UTF-8 text frames and binary frames are bytes. */
  data: string | Buffer;
  binary: boolean;
  /** foreign_message_id: which of the other session's stored message ids to reuse. */
  foreign?: number;
}

/** What the gateway must do with a frame: close the socket with a code, or send one error frame (v2 code). */
export type Outcome = { close: 1009 | 1007 } | { error: string };

const ID = /^[A-Za-z0-9_-]{1,64}$/;

/** Would the contract accept this text as a chat message? (docs/protocol.md, v1 client frame) */
export function acceptedByContract(text: string): boolean {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    return false;
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const f = value as Record<string, unknown>;
  if (f.type !== undefined && f.type !== 'message') return false;
  if (typeof f.message_id !== 'string' || !ID.test(f.message_id)) return false;
  if (typeof f.message !== 'string' || f.message.trim() === '' || [...f.message.trim()].length > MAX_MESSAGE_CHARS) return false;
  if (f.sender !== undefined && (typeof f.sender !== 'string' || f.sender.length > 32)) return false;
  return f.timestamp === undefined || (typeof f.timestamp === 'string' && f.timestamp.length <= 64);
}

const parses = (text: string) => {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
};

const validId = fc.stringMatching(/^[A-Za-z0-9_-]{1,64}$/);
const someText = fc.string({ minLength: 1, maxLength: 40 });
const text = (kind: Kind, arb: fc.Arbitrary<string>) => arb.map((data): MalformedFrame => ({ kind, data, binary: false }));
const malformed = (arb: fc.Arbitrary<string>) => arb.filter((s) => !acceptedByContract(s));
const pairs = (entries: Array<[string, unknown]>) => `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${JSON.stringify(v)}`).join(',')}}`;

const notJson = fc
  .oneof(
    fc.string(),
    fc.string({ unit: 'binary', maxLength: 200 }),
    fc.constantFrom('{', "{'message_id': 'a', 'message': 'b'}", '{"message_id": "a", "message": "b"', 'undefined', 'NaN', '{message_id: 1}'),
    someText.map((s) => `{"message_id":"x","message":"${s}"}}`),
  )
  .filter((s) => !parses(s));

const jsonScalar = fc.oneof(fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.string()).map((v) => JSON.stringify(v));

const array = fc.oneof(
  fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 8 }).map((v) => JSON.stringify(v)),
  fc.tuple(validId, someText).map(([id, m]) => JSON.stringify([{ message_id: id, message: m }])),
);

const wrongValue = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.string(), { maxLength: 3 }), fc.dictionary(fc.string(), fc.string(), { maxKeys: 3 }));
const wrongTypes = malformed(
  fc
    .record({
      message_id: fc.oneof(validId, wrongValue),
      message: fc.oneof(someText, wrongValue),
      sender: fc.oneof(fc.constant(undefined), fc.integer(), fc.string({ minLength: 33, maxLength: 60 })),
      timestamp: fc.oneof(fc.constant(undefined), fc.integer(), fc.dictionary(fc.string(), fc.integer(), { maxKeys: 2 })),
    })
    .map((v) => JSON.stringify(v)),
);

const missingFields = malformed(
  fc
    .record(
      { message_id: validId, message: someText, sender: fc.constant('user'), timestamp: fc.date({ noInvalidDate: true }).map((d) => d.toISOString()) },
      { requiredKeys: [] },
    )
    .filter((r) => !('message_id' in r && 'message' in r))
    .map((v) => JSON.stringify(v)),
);

const unknownType = fc
  .record({
    type: fc.oneof(fc.string().filter((t) => t !== 'message'), fc.integer(), fc.constant(null), fc.constantFrom('MESSAGE', 'reply', 'ping', 'session', 'subscribe')),
    message_id: validId,
    message: someText,
  })
  .map((v) => JSON.stringify(v));

const dangerousKey = fc.constantFrom('__proto__', 'constructor', 'prototype', 'toString', 'hasOwnProperty', 'valueOf');
const prototypeKeys = malformed(
  fc
    .tuple(
      fc.array(fc.tuple(dangerousKey, fc.oneof(fc.jsonValue({ maxDepth: 2 }), fc.record({ message_id: validId, message: someText, polluted: fc.boolean() }))), { minLength: 1, maxLength: 4 }),
      fc.option(validId, { nil: undefined }),
      fc.option(fc.oneof(someText, wrongValue), { nil: undefined }),
    )
    .map(([dangerous, id, message]) => {
      const entries: Array<[string, unknown]> = [...dangerous];
      if (id !== undefined) entries.push(['message_id', id]);
      if (message !== undefined) entries.push(['message', message]);
      return pairs(entries);
    }),
);

const deepNesting = fc
  .tuple(fc.constantFrom('array', 'object', 'in_message', 'in_id'), fc.integer({ min: 64, max: 10_000 }))
  .map(([shape, n]) => {
    const arrays = '['.repeat(n) + ']'.repeat(n);
    if (shape === 'array') return arrays;
    if (shape === 'object') return '{"a":'.repeat(n) + '1' + '}'.repeat(n);
    if (shape === 'in_message') return `{"message_id":"deep","message":${arrays}}`;
    return `{"message_id":${'{"x":'.repeat(n)}1${'}'.repeat(n)},"message":"hi"}`;
  });

const oversize = fc
  .tuple(fc.integer({ min: MAX_PAYLOAD_BYTES + 1, max: MAX_PAYLOAD_BYTES * 2 }), validId)
  .map(([size, id]) => JSON.stringify({ message_id: id, message: 'x'.repeat(size) }));

/** Byte sequences no UTF-8 decoder accepts: stray continuation, overlong, surrogate, truncated, out of range. */
const INVALID_UTF8 = [[0x80], [0xff], [0xfe], [0xc0, 0x80], [0xed, 0xa0, 0x80], [0xe2, 0x82], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]];
const invalidUtf8 = fc
  .tuple(someText, fc.constantFrom(...INVALID_UTF8), fc.string({ maxLength: 20 }))
  .map(([before, bad, after]): MalformedFrame => ({
    kind: 'invalid_utf8',
    data: Buffer.concat([Buffer.from(`{"message_id":"u","message":"${before.replace(/["\\]/g, '')}`), Buffer.from(bad), Buffer.from(`${after.replace(/["\\]/g, '')}"}`)]),
    binary: false,
  }));

const binary = fc
  .oneof(
    fc.uint8Array({ maxLength: 2_000 }).map((bytes) => Buffer.from(bytes)),
    fc.tuple(validId, someText).map(([id, m]) => Buffer.from(JSON.stringify({ message_id: id, message: m }))),
  )
  .map((data): MalformedFrame => ({ kind: 'binary', data, binary: true }));

const blank = fc.stringMatching(/^[ \t\n\r]{0,8}$/);
const emptyStrings = malformed(
  fc.oneof(
    fc.constantFrom('', '""', '{}', '[]'),
    fc.tuple(fc.constantFrom('', ' ', '\t'), someText).map(([id, m]) => JSON.stringify({ message_id: id, message: m })),
    fc.tuple(validId, blank).map(([id, m]) => JSON.stringify({ message_id: id, message: m })),
  ),
);

const hugeNumber = fc.constantFrom('1e400', '-1e400', '123456789012345678901234567890', '9007199254740993', '1e-400', '-0', '0.' + '9'.repeat(400));
const hugeNumbers = fc
  .tuple(hugeNumber, hugeNumber, validId, fc.boolean())
  .map(([a, b, id, both]) => (both ? `{"message_id":${a},"message":${b}}` : `{"message_id":"${id}","message":${b}}`));

const tooLong = fc
  .tuple(validId, fc.integer({ min: MAX_MESSAGE_CHARS + 1, max: MAX_MESSAGE_CHARS * 2 }), fc.constantFrom('a', '가', '😀'))
  .map(([id, n, ch]) => JSON.stringify({ message_id: id, message: ch.repeat(n) }))
  .filter((s) => Buffer.byteLength(s) <= MAX_PAYLOAD_BYTES);

const badMessageId = malformed(
  fc
    .tuple(
      fc.oneof(
        fc.stringMatching(/^[A-Za-z0-9_-]{65,120}$/),
        fc.string({ minLength: 1, maxLength: 40 }).filter((s) => !ID.test(s)),
        fc.constantFrom('a b', 'a.b', '../etc', 'id\u0000', '메시지', 'a*', '>', 'x.y.>'),
      ),
      someText,
    )
    .map(([id, m]) => JSON.stringify({ message_id: id, message: m })),
);

const foreignMessageId = fc.nat().map((i): MalformedFrame => ({ kind: 'foreign_message_id', data: '', binary: false, foreign: i }));

/** Weights favour cheap kinds; the ones that close the socket stay rarer (each costs a reconnect). */
export const malformedFrame: fc.Arbitrary<MalformedFrame> = fc.oneof(
  { weight: 8, arbitrary: text('not_json', notJson) },
  { weight: 6, arbitrary: text('json_scalar', jsonScalar) },
  { weight: 6, arbitrary: text('array', array) },
  { weight: 8, arbitrary: text('wrong_types', wrongTypes) },
  { weight: 8, arbitrary: text('missing_fields', missingFields) },
  { weight: 6, arbitrary: text('unknown_type', unknownType) },
  { weight: 8, arbitrary: text('prototype_keys', prototypeKeys) },
  { weight: 3, arbitrary: text('deep_nesting', deepNesting) },
  { weight: 1, arbitrary: text('oversize', oversize) },
  { weight: 1, arbitrary: invalidUtf8 },
  { weight: 5, arbitrary: binary },
  { weight: 6, arbitrary: text('empty_strings', emptyStrings) },
  { weight: 5, arbitrary: text('huge_numbers', hugeNumbers) },
  { weight: 3, arbitrary: text('too_long', tooLong) },
  { weight: 6, arbitrary: text('bad_message_id', badMessageId) },
  { weight: 4, arbitrary: foreignMessageId },
);

const bytesOf = (data: string | Buffer) => (typeof data === 'string' ? Buffer.byteLength(data) : data.length);

/** What the gateway must answer, per docs/protocol.md and the gateway README's bounds table. */
export function outcomeOf(frame: MalformedFrame): Outcome {
  if (bytesOf(frame.data) > MAX_PAYLOAD_BYTES) return { close: 1009 };
  if (frame.kind === 'invalid_utf8') return { close: 1007 };
  if (frame.binary) return { error: 'E4009' };
  if (frame.kind === 'foreign_message_id') return { error: 'E4008' };
  const data = frame.data as string;
  let value: unknown;
  try {
    value = JSON.parse(data);
  } catch {
    return { error: 'E4001' };
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'E4001' };
  const type = (value as Record<string, unknown>).type;
  if (type !== undefined && type !== 'message') return { error: 'E4009' };
  return { error: frame.kind === 'too_long' ? 'E4003' : 'E4002' };
}
