import { McpServer } from '@modelcontextprotocol/sdk/server/mcp.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { z } from 'zod';
import { OrderStatus, type OrderStore } from './order.store';
import { followUps, orderView } from './order.view';

/**
 * The customer is an argument, but not one a model fills: the assistant platform sets it from the
 * signed-in session (llm-dispatch: `identity` in MCP_SERVERS) and hides it from the model, so a
 * user cannot ask for another customer's orders.
 */
const customerId = z.string().trim().min(1).max(64)
  .describe('The signed-in customer. Set by the assistant platform from the session, never from the conversation.');

export const SERVER_NAME = 'chatbot-orders';

/** Structured result and the same data as JSON text, for clients that read only text. */
function result(structured: Record<string, unknown>): CallToolResult {
  return { content: [{ type: 'text', text: JSON.stringify(structured) }], structuredContent: structured };
}

export function createOrdersServer(store: OrderStore, version: string): McpServer {
  const server = new McpServer({ name: SERVER_NAME, version });
  server.registerTool('list_orders', {
    title: '내 주문 목록',
    description: "Lists the signed-in customer's orders, newest first, with items, status and delivery state (주문 내역, 배송 조회).",
    inputSchema: { customer_id: customerId, status: OrderStatus.optional().describe('Only orders in this status') },
  }, ({ customer_id, status }) => {
    const orders = store.listFor(customer_id, status);
    const summary = orders.length === 0 ? '조회되는 주문이 없어요.' : orders.map((order) => orderView(order).summary).join('\n');
    return result({ customer_id, orders: orders.map(orderView), summary, follow_ups: followUps(orders) });
  });
  server.registerTool('get_order', {
    title: '주문 상세',
    description: "One order of the signed-in customer by its number (e.g. ORD-20261201-0001): items, status, carrier, tracking number, where the parcel is.",
    inputSchema: { customer_id: customerId, order_id: z.string().trim().min(1).max(64).describe('The order number') },
  }, ({ customer_id, order_id }) => {
    const order = store.getFor(customer_id, order_id);
    if (!order) return result({ customer_id, order: null, summary: `주문 ${order_id}을(를) 찾지 못했어요. 주문 번호를 확인해 주세요.`, follow_ups: [] });
    const view = orderView(order);
    return result({ customer_id, order: view, summary: view.summary, follow_ups: [] });
  });
  return server;
}
