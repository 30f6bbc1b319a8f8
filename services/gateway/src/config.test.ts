import { readConfig } from './config';

test('defaults: port 8080, any origin, seed limits, no OPS_PORT needed', () => {
  const config = readConfig({});
  expect(config).toMatchObject({
    PORT: 8080,
    CORS_ORIGINS: ['*'],
    MAX_MESSAGE_CHARS: 4000,
    REPLY_TIMEOUT_MS: 30_000,
    REQUEST_TIMEOUT_MS: 5_000,
    PUBLISH_TIMEOUT_MS: 3_000,
    WS_MAX_PAYLOAD_BYTES: 65_536,
    WS_RATE_PER_CONN: 10,
    WS_BURST_PER_CONN: 20,
    WS_RATE_PER_IP: 50,
    WS_BURST_PER_IP: 100,
    WS_MAX_CONN_PER_IP: 50,
    WS_MAX_BUFFERED_BYTES: 1_048_576,
    WS_SLOW_READER_MS: 5_000,
    WS_PING_INTERVAL_MS: 30_000,
    WS_IDLE_TIMEOUT_MS: 600_000,
    TRUST_PROXY: 0,
  });
  expect(config).not.toHaveProperty('OPS_PORT');
  expect(config.GATEWAY_ID).toMatch(/^[A-Za-z0-9._-]+-[0-9a-f]{6}$/);
});

test('OPS_PORT is not read: the ops endpoints share PORT, so a stray value changes nothing', () => {
  expect(readConfig({ OPS_PORT: 'not a port' })).not.toHaveProperty('OPS_PORT');
});

test('reads the origin list and rejects a bad value naming the variable', () => {
  expect(readConfig({ CORS_ORIGINS: 'http://a.test, http://b.test' }).CORS_ORIGINS).toEqual(['http://a.test', 'http://b.test']);
  expect(() => readConfig({ REPLY_TIMEOUT_MS: 'soon' })).toThrow(/REPLY_TIMEOUT_MS/);
});

test('TRUST_PROXY is a number of proxy hops: false is none, true is one', () => {
  expect(readConfig({ TRUST_PROXY: 'false' }).TRUST_PROXY).toBe(0);
  expect(readConfig({ TRUST_PROXY: 'true' }).TRUST_PROXY).toBe(1);
  expect(readConfig({ TRUST_PROXY: '2' }).TRUST_PROXY).toBe(2);
  expect(() => readConfig({ TRUST_PROXY: 'yes' })).toThrow(/TRUST_PROXY/);
});

test('limits must be positive; a rate may be fractional', () => {
  expect(readConfig({ WS_RATE_PER_CONN: '0.5' }).WS_RATE_PER_CONN).toBe(0.5);
  for (const name of ['WS_RATE_PER_IP', 'WS_BURST_PER_CONN', 'WS_MAX_CONN_PER_IP', 'WS_MAX_BUFFERED_BYTES', 'WS_IDLE_TIMEOUT_MS']) {
    expect(() => readConfig({ [name]: '0' })).toThrow(new RegExp(name));
  }
  expect(() => readConfig({ WS_BURST_PER_IP: '1.5' })).toThrow(/WS_BURST_PER_IP/);
});

test('AUTH_REQUIRED is off by default and needs a verification key when on', () => {
  expect(readConfig({}).AUTH_REQUIRED).toBe(false);
  expect(readConfig({ AUTH_REQUIRED: 'true', JWT_SECRET: 'a-secret-of-at-least-32-characters!!' }).AUTH_REQUIRED).toBe(true);
  expect(() => readConfig({ AUTH_REQUIRED: 'true' })).toThrow(/AUTH_REQUIRED: needs JWT_SECRET or JWT_PUBLIC_KEY/);
  expect(() => readConfig({ AUTH_REQUIRED: 'yes' })).toThrow(/AUTH_REQUIRED/);
});
