import { ConfigError } from '@chatbot/runtime';
import { readConfig } from '../../config';

const read = (servers: unknown) => readConfig({ OPS_PORT: '0', MCP_SERVERS: typeof servers === 'string' ? servers : JSON.stringify(servers) });

function problems(servers: unknown): string[] {
  try {
    read(servers);
  } catch (error) {
    if (error instanceof ConfigError) return error.problems;
    throw error;
  }
  return [];
}

describe('MCP_SERVERS', () => {
  it('is empty when unset', () => {
    expect(readConfig({ OPS_PORT: '0' }).MCP_SERVERS).toEqual([]);
  });

  it('reads servers by URL and by command, with defaults', () => {
    const [web, local] = read([
      { name: 'orders', url: 'http://127.0.0.1:8011/mcp', identity: { customer_id: 'persona' } },
      { name: 'cards', command: 'node', args: ['cards.js'], toolPrefix: 'cards_', mapping: { '*': { message: 'message', related_questions: { path: 'qs', limit: 2 } } } },
    ]).MCP_SERVERS;
    expect(web).toMatchObject({ name: 'orders', url: 'http://127.0.0.1:8011/mcp', args: [], toolPrefix: '', identity: { customer_id: 'persona' }, mapping: {} });
    expect(local).toMatchObject({ command: 'node', args: ['cards.js'], mapping: { '*': { message: 'message', related_questions: { path: 'qs', limit: 2 } } } });
  });

  it('names what is wrong', () => {
    expect(problems('not json')).toEqual(['MCP_SERVERS: must be a JSON array of servers']);
    expect(problems([{ name: 'x' }])).toEqual(['MCP_SERVERS.0: give exactly one of url and command']);
    expect(problems([{ name: 'x', url: 'http://a/mcp', command: 'node' }])).toEqual(['MCP_SERVERS.0: give exactly one of url and command']);
    expect(problems([{ name: 'x', command: 'node' }, { name: 'x', command: 'node' }])).toEqual(['MCP_SERVERS: server names must be unique']);
    expect(problems([{ name: 'x', command: 'node', identity: { customer_id: 'model' } }])[0]).toMatch(/^MCP_SERVERS\.0\.identity\.customer_id: /);
    expect(problems([{ name: 'x', command: 'node', mapping: { '*': { colour: 'x' } } }])[0]).toMatch(/^MCP_SERVERS\.0\.mapping\.\*: /);
  });
});
