import { randomUUID } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Bus } from '@chatbot/bus';
import { freePort } from '@chatbot/devstack';
import { createLogger } from '@chatbot/runtime';
import { isolate, mcpFixtureServerPath, waitFor, type TestEnv } from '@chatbot/testkit';
import { ordersServerPath, startHttpMcpServer, writeOrders, type HttpMcpServer } from '../../../test/mcp-servers';
import { McpServerConfig } from './mcp.config';
import { McpToolbox } from './mcp.toolbox';

/**
 * The MCP client against real server processes: the example order server (stdio and HTTP) and
 * testkit's fixture server (a tool that never answers, a tool list that changes).
 */
let env: TestEnv;
let bus: Bus;
let dir: string;
let ordersFile: string;
const customer = randomUUID();
const otherCustomer = randomUUID();
const toolboxes: McpToolbox[] = [];
const servers: HttpMcpServer[] = [];
const logger = createLogger('mcp-toolbox-itest', 'silent');

beforeAll(async () => {
  env = await isolate();
  bus = await Bus.connect({ url: env.natsUrl, prefix: env.prefix, name: 'mcp-toolbox-itest', logger });
  dir = await mkdtemp(join(tmpdir(), 'mcp-toolbox-'));
  ordersFile = await writeOrders(dir, customer, otherCustomer);
});

afterAll(async () => {
  await Promise.all(toolboxes.map((toolbox) => toolbox.stop()));
  await Promise.all(servers.map((server) => server.process.stop('SIGTERM', 5_000)));
  await bus?.close();
  await env?.cleanup();
  await rm(dir, { recursive: true, force: true });
});

interface Limits {
  timeoutMs?: number;
  maxRetries?: number;
  breakerFailures?: number;
}

function toolbox(servers: unknown[], limits: Limits = {}): McpToolbox {
  const created = new McpToolbox(
    {
      servers: servers.map((server) => McpServerConfig.parse(server)),
      connection: { requestTimeoutMs: 10_000, reconnectBaseMs: 100, reconnectMaxMs: 300 },
      invoker: {
        timeoutMs: limits.timeoutMs ?? 10_000,
        maxRetries: limits.maxRetries ?? 1,
        backoffBaseMs: 10,
        backoffMaxMs: 50,
        breaker: { failureThreshold: limits.breakerFailures ?? 5, cooldownMs: 60_000 },
      },
      reservedNames: ['query_faq_database'],
      identityTimeoutMs: 1_000,
    },
    { bus, logger },
  );
  toolboxes.push(created);
  created.start();
  return created;
}

const ordersOverStdio = (name: string) => ({
  name,
  command: process.execPath,
  args: [ordersServerPath],
  env: { ORDERS_FILE: ordersFile, LOG_LEVEL: 'silent' },
  toolPrefix: `${name}_`,
  identity: { customer_id: 'session' },
});

const fixture = (name: string) => ({ name, command: process.execPath, args: [mcpFixtureServerPath], toolPrefix: `${name}_` });

const names = (box: McpToolbox) => box.definitions().map((definition) => definition.function.name).sort();

async function call(box: McpToolbox, name: string, args: unknown, sessionId = customer) {
  const run = await box.run({ id: `call_${randomUUID()}`, name, arguments: JSON.stringify(args) }, { sessionId, correlationId: randomUUID() }, logger);
  return { ...run, content: readContent(run.message.content) };
}

/** A tool message is JSON when it carries data or an error; a plain text result stays text. */
function readContent(text: string): Record<string, unknown> {
  try {
    return JSON.parse(text) as Record<string, unknown>;
  } catch {
    return { text };
  }
}

describe('MCP tool servers', () => {
  it('lists the order server tools over stdio, without the argument the worker fills', async () => {
    const box = toolbox([ordersOverStdio('orders')]);
    await waitFor('the orders tools', () => box.has('orders_list_orders'), 20_000);
    expect(names(box)).toEqual(['orders_get_order', 'orders_list_orders']);
    const getOrder = box.definitions().find((definition) => definition.function.name === 'orders_get_order')!;
    expect(getOrder.function.parameters).toMatchObject({ type: 'object', properties: { order_id: { type: 'string' } }, required: ['order_id'] });
    expect(getOrder.function.parameters['properties']).not.toHaveProperty('customer_id');
    expect(box.describe()).toEqual([{ name: 'orders', state: 'ready', tools: ['orders_list_orders', 'orders_get_order'], circuit: 'closed' }]);
  });

  it("answers with the session's own orders, whatever customer the model names", async () => {
    const box = toolbox([ordersOverStdio('mine')]);
    await waitFor('the orders tools', () => box.has('mine_list_orders'), 20_000);
    const { content, outcome } = await call(box, 'mine_list_orders', { customer_id: otherCustomer });
    const orders = (content['orders'] as Array<{ order_id: string; customer_id: string }>);
    expect(orders.map((order) => order.order_id)).toEqual(['ORD-20261201-0001', 'ORD-20261118-0042']);
    expect(new Set(orders.map((order) => order.customer_id))).toEqual(new Set([customer]));
    expect(outcome).toMatchObject({ tool: 'mine_list_orders', found: true });
    const theirs = await call(box, 'mine_get_order', { order_id: 'ORD-20261205-0107' });
    expect(theirs.content).toMatchObject({ order: null });
  });

  it('lists the same tools over streamable HTTP', async () => {
    const server = await startHttpMcpServer('mcp-orders', ordersServerPath, { ORDERS_FILE: ordersFile, LOG_LEVEL: 'silent' });
    servers.push(server);
    const box = toolbox([{ name: 'web', url: server.url, identity: { customer_id: 'session' } }]);
    await waitFor('the orders tools over HTTP', () => box.has('get_order'), 20_000);
    expect(names(box)).toEqual(['get_order', 'list_orders']);
    const { content } = await call(box, 'get_order', { order_id: 'ORD-20261201-0001' });
    expect(content).toMatchObject({ order: { order_id: 'ORD-20261201-0001', status: 'shipping', delivery: { current_location: '대전 허브 터미널' } } });
  });

  it('refuses arguments that break the declared input schema, without calling the server', async () => {
    const box = toolbox([ordersOverStdio('strict')]);
    await waitFor('the orders tools', () => box.has('strict_get_order'), 20_000);
    const wrongType = await call(box, 'strict_get_order', { order_id: 42 });
    expect(wrongType.content).toEqual({ error: 'invalid arguments', details: ['order_id: must be string'] });
    expect(wrongType.outcome).toBeUndefined();
    const missing = await call(box, 'strict_get_order', {});
    expect(missing.content).toEqual({ error: 'invalid arguments', details: ["(root): must have required property 'order_id'"] });
    const notAnObject = await box.run({ id: 'c', name: 'strict_list_orders', arguments: '[1]' }, { sessionId: customer, correlationId: 'x' }, logger);
    expect(JSON.parse(notAnObject.message.content)).toEqual({ error: 'arguments are not a JSON object' });
  });

  it('times out a call to a server that never answers, retries it, then opens the circuit and fails fast', async () => {
    const box = toolbox([fixture('hang')], { timeoutMs: 300, maxRetries: 1, breakerFailures: 2 });
    await waitFor('the fixture tools', () => box.has('hang_wait_forever'), 20_000);
    const started = Date.now();
    const first = await call(box, 'hang_wait_forever', {});
    const firstMs = Date.now() - started;
    expect(first.content).toEqual({ error: 'tool unavailable', code: 'MCP_TIMEOUT' });
    expect(firstMs).toBeGreaterThanOrEqual(600); // two attempts of 300 ms
    expect(box.describe()[0]).toMatchObject({ name: 'hang', state: 'ready', circuit: 'open' });
    const again = Date.now();
    const refused = await call(box, 'hang_echo', { text: 'hello' });
    expect(refused.content).toEqual({ error: 'tool unavailable', code: 'MCP_CIRCUIT_OPEN' });
    expect(Date.now() - again).toBeLessThan(300);
  });

  it('lists the tools again when the server says its list changed', async () => {
    const box = toolbox([fixture('fx')]);
    await waitFor('the fixture tools', () => box.has('fx_add_tool'), 20_000);
    expect(box.has('fx_fresh_tool')).toBe(false);
    const added = await call(box, 'fx_add_tool', { name: 'fresh_tool' });
    expect(added.content).toEqual({ text: 'added fresh_tool' });
    await waitFor('the new tool listed', () => box.has('fx_fresh_tool'), 10_000);
    expect(names(box)).toEqual(['fx_add_tool', 'fx_echo', 'fx_fresh_tool', 'fx_wait_forever']);
  });

  it('keeps running while a server is down, and offers its tools once it comes up', async () => {
    const port = await freePort();
    const box = toolbox([{ name: 'late', url: `http://127.0.0.1:${port}/mcp`, toolPrefix: 'late_', identity: { customer_id: 'session' } }]);
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(box.describe()[0]).toMatchObject({ state: 'connecting', tools: [] });
    const meanwhile = await call(box, 'late_list_orders', {});
    expect(meanwhile.content).toEqual({ error: 'unknown tool "late_list_orders"' });
    servers.push(await startHttpMcpServer('mcp-orders-late', ordersServerPath, { ORDERS_FILE: ordersFile, LOG_LEVEL: 'silent' }, port));
    await waitFor('the late server tools', () => box.has('late_list_orders'), 20_000);
    const { content } = await call(box, 'late_list_orders', {});
    expect((content['orders'] as unknown[]).length).toBe(2);
  });

  it('reconnects to a server that went away and came back', async () => {
    const port = await freePort();
    const serverEnv = { ORDERS_FILE: ordersFile, LOG_LEVEL: 'silent' };
    const first = await startHttpMcpServer('mcp-orders-restarted', ordersServerPath, serverEnv, port);
    const box = toolbox([{ name: 'flaky', url: `http://127.0.0.1:${port}/mcp`, identity: { customer_id: 'session' } }], { maxRetries: 0 });
    await waitFor('the tools', () => box.has('list_orders'), 20_000);
    await first.process.stop('SIGTERM', 5_000);
    const whileDown = await call(box, 'list_orders', {});
    expect(whileDown.content).toMatchObject({ error: 'tool unavailable' });
    servers.push(await startHttpMcpServer('mcp-orders-restarted', ordersServerPath, serverEnv, port));
    await waitFor('a call that succeeds again', async () => (await call(box, 'list_orders', {})).outcome?.found === true, 20_000, 200);
    expect(box.describe()[0]).toMatchObject({ state: 'ready', circuit: 'closed' });
  });
});
