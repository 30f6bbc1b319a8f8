import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { FieldMapping } from './mcp.config';
import { mapToolResult, pick } from './mcp.result-mapper';

const orders = {
  summary: '주문 2건',
  orders: [
    { order_id: 'A-1', items: [{ name: '이어폰' }, { name: '케이스' }] },
    { order_id: 'A-2', items: [{ name: '지갑' }] },
  ],
};

const structured = (data: Record<string, unknown>, text = JSON.stringify(data)): CallToolResult => ({
  content: [{ type: 'text', text }],
  structuredContent: data,
});

describe('pick', () => {
  it('follows dotted paths and maps over arrays marked []', () => {
    expect(pick(orders, 'summary')).toBe('주문 2건');
    expect(pick(orders, 'orders[].order_id')).toEqual(['A-1', 'A-2']);
    expect(pick(orders, 'orders[].items[].name')).toEqual(['이어폰', '케이스', '지갑']);
    expect(pick(orders, 'orders.order_id')).toBeUndefined();
    expect(pick(orders, 'missing[].x')).toEqual([]);
    expect(pick([{ a: 1 }, { a: 2 }], '[].a')).toEqual([1, 2]);
  });
});

describe('mapToolResult', () => {
  it('fills the declared frame fields from the structured content', () => {
    const mapping = FieldMapping.parse({
      message: 'summary',
      related_questions: { path: 'orders[].order_id', template: '주문 {} 자세히 보여줘', limit: 1 },
      card_list: 'orders[].items[].name',
    });
    const { fields, modelContent } = mapToolResult(structured(orders), mapping, 1_000);
    expect(fields).toEqual({ message: '주문 2건', login_required: false, related_questions: ['주문 A-1 자세히 보여줘'], card_list: ['이어폰', '케이스', '지갑'] });
    expect(JSON.parse(modelContent)).toEqual(orders);
  });

  it("keeps tool_name only when it names one of the frame's tools, and reads login_required as a boolean", () => {
    const mapping = FieldMapping.parse({ tool_name: 'tool', login_required: 'login' });
    expect(mapToolResult(structured({ tool: 'query_faq_database', login: true }), mapping, 1_000).fields).toMatchObject({ tool_name: 'query_faq_database', login_required: true });
    const other = mapToolResult(structured({ tool: 'list_orders', login: 'yes' }), mapping, 1_000).fields;
    expect(other).not.toHaveProperty('tool_name');
    expect(other.login_required).toBe(false);
  });

  it('reads JSON from a text-only result, and leaves the frame bare without a mapping', () => {
    const textOnly: CallToolResult = { content: [{ type: 'text', text: JSON.stringify(orders) }] };
    expect(mapToolResult(textOnly, FieldMapping.parse({ message: 'summary' }), 1_000).fields.message).toBe('주문 2건');
    const plain: CallToolResult = { content: [{ type: 'text', text: '맑음' }, { type: 'image', data: 'AA==', mimeType: 'image/png' }] };
    expect(mapToolResult(plain, undefined, 1_000)).toEqual({ fields: { message: '맑음', login_required: false }, modelContent: '맑음' });
  });

  it('gives the model a tool error as an error, with no frame metadata', () => {
    const failed: CallToolResult = { content: [{ type: 'text', text: 'order system down' }], isError: true };
    const { fields, modelContent } = mapToolResult(failed, FieldMapping.parse({ related_questions: 'x' }), 1_000);
    expect(JSON.parse(modelContent)).toEqual({ error: 'order system down' });
    expect(fields).toEqual({ message: 'order system down', login_required: false });
  });

  it('cuts what the model reads to the limit', () => {
    expect(mapToolResult(structured({ long: 'x'.repeat(50) }), undefined, 20).modelContent).toHaveLength(20);
  });
});
