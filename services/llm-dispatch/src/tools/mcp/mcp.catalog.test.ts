import type { Tool } from '@modelcontextprotocol/sdk/types.js';
import { exposeTools, validationDetails } from './mcp.catalog';
import { McpServerConfig } from './mcp.config';

const server = McpServerConfig.parse({ name: 'orders', command: 'node', toolPrefix: 'orders_', identity: { customer_id: 'persona' }, mapping: { '*': { message: 'summary' }, get_order: { message: 'order.summary' } } });

const tools: Tool[] = [
  {
    name: 'get_order',
    description: 'One order',
    inputSchema: {
      type: 'object',
      properties: { customer_id: { type: 'string' }, order_id: { type: 'string', minLength: 1 } },
      required: ['customer_id', 'order_id'],
      additionalProperties: false,
    },
    annotations: { readOnlyHint: true },
  },
  { name: 'cancel_order', title: 'Cancel', inputSchema: { type: 'object', properties: { order_id: { type: 'string' } } } },
  { name: 'bad name!', inputSchema: { type: 'object' } },
];

describe('exposeTools', () => {
  const skipped: string[] = [];
  const [getOrder, cancel, ...rest] = exposeTools(server, tools, (tool, reason) => skipped.push(`${tool}: ${reason}`));

  it('hides the identity arguments from the model but validates against the whole declared schema', () => {
    expect(getOrder!.definition.function).toEqual({
      name: 'orders_get_order',
      description: 'One order',
      parameters: { type: 'object', properties: { order_id: { type: 'string', minLength: 1 } }, required: ['order_id'], additionalProperties: false },
    });
    expect(getOrder!.identity).toEqual({ customer_id: 'persona' });
    expect(getOrder!.validate({ customer_id: '1', order_id: 'A' })).toBe(true);
    expect(getOrder!.validate({ order_id: 'A' })).toBe(false);
    expect(validationDetails(getOrder!.validate)).toEqual(["(root): must have required property 'customer_id'"]);
    expect(getOrder!.validate({ customer_id: '1', order_id: 'A', extra: 1 })).toBe(false);
    expect(validationDetails(getOrder!.validate)).toEqual(['(root): must NOT have additional properties (extra)']);
  });

  it('takes a tool-specific mapping over the server-wide one, and identity only where the schema has it', () => {
    expect(getOrder!.mapping).toEqual({ message: 'order.summary' });
    expect(cancel!.mapping).toEqual({ message: 'summary' });
    expect(cancel!.identity).toEqual({});
    expect(cancel!.definition.function.description).toBe('Cancel');
  });

  it('retries only tools that say they are read-only or idempotent', () => {
    expect(getOrder!.retryable).toBe(true);
    expect(cancel!.retryable).toBe(false);
  });

  it('leaves out a tool whose name the model could not call', () => {
    expect(rest).toEqual([]);
    expect(skipped).toEqual(['bad name!: "orders_bad name!" is not a valid function name for the model']);
  });
});
