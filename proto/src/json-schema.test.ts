import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { contractSchemas } from './json-schema';
import { events, requests } from './bus/subjects';

const committed = (name: string) =>
  JSON.parse(readFileSync(join(__dirname, '..', 'json-schema', `${name}.json`), 'utf8')) as object;

describe('exported JSON Schemas', () => {
  const schemas = contractSchemas();

  test('cover every bus subject, both sides of every request', () => {
    for (const def of Object.values(events)) expect(schemas).toHaveProperty([`bus/${def.name}`]);
    for (const def of Object.values(requests)) {
      expect(schemas).toHaveProperty([`bus/${def.name}.request`]);
      expect(schemas).toHaveProperty([`bus/${def.name}.response`]);
    }
  });

  test('match the committed files (run `npm run proto:export` after changing a contract)', () => {
    for (const [name, schema] of Object.entries(schemas)) expect(committed(name)).toEqual(schema);
  });

  test('describe the chat frame the seed client sends', () => {
    const frame = schemas['ws/client.message'] as { required: string[]; properties: Record<string, unknown> };
    expect(frame.required).toEqual(expect.arrayContaining(['message_id', 'message']));
  });
});

describe('docs/asyncapi.yaml', () => {
  const { parse } = require('yaml') as typeof import('yaml');
  const { asyncApiDocument } = require('./docs/asyncapi') as typeof import('./docs/asyncapi');
  const version = (require('../../package.json') as { version: string }).version;

  test('is what `npm run proto:export` generates from the contracts', () => {
    const committed = parse(readFileSync(join(__dirname, '..', '..', 'docs', 'asyncapi.yaml'), 'utf8'));
    expect(committed).toEqual(asyncApiDocument(version));
  });

  test('has a channel for every subject and the WebSocket, with resolvable schema references', () => {
    const doc = asyncApiDocument(version) as { channels: Record<string, unknown>; components: { schemas: Record<string, unknown> } };
    for (const def of [...Object.values(events), ...Object.values(requests)]) expect(doc.channels).toHaveProperty([def.name]);
    expect(doc.channels).toHaveProperty(['websocket']);
    const refs = JSON.stringify(doc).match(/#\/components\/schemas\/[^"]+/g) ?? [];
    for (const r of refs) expect(doc.components.schemas).toHaveProperty([r.split('/').pop()!]);
  });
});
