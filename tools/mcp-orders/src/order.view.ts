import type { Order } from './order.store';

/** How the order system words a status for customers. */
const statusLabels: Record<Order['status'], string> = {
  received: '주문 접수',
  paid: '결제 완료',
  preparing: '상품 준비 중',
  shipping: '배송 중',
  out_for_delivery: '배송 출발 (오늘 도착 예정)',
  delivered: '배송 완료',
  cancelled: '주문 취소',
};

export type OrderView = Order & { status_label: string; total: number; summary: string };

export function orderView(order: Order): OrderView {
  const total = order.items.reduce((sum, item) => sum + item.quantity * item.unit_price, 0);
  return { ...order, status_label: statusLabels[order.status], total, summary: orderSummary(order) };
}

/** One line a person can read: what, where it is, when it arrives. */
export function orderSummary(order: Order): string {
  const [first, ...rest] = order.items;
  const what = rest.length > 0 ? `${first!.name} 외 ${rest.length}건` : first!.name;
  const { delivery } = order;
  const where = delivery.current_location ? `, 현재 위치: ${delivery.current_location}` : '';
  const pending = order.status !== 'delivered' && order.status !== 'cancelled';
  const when = pending && delivery.estimated_arrival ? `, 도착 예정일: ${delivery.estimated_arrival}` : '';
  const carrier = delivery.carrier && delivery.tracking_number ? ` (${delivery.carrier} ${delivery.tracking_number})` : '';
  return `주문 ${order.order_id} ${what}: ${statusLabels[order.status]}${where}${when}${carrier}`;
}

/** Questions a customer may ask next, offered as buttons. */
export function followUps(orders: Order[]): string[] {
  return orders.slice(0, 3).map((order) => `주문 ${order.order_id} 자세히 보여줘`);
}
