import { join } from 'node:path';
import { OrderStore } from './order.store';
import { followUps, orderSummary } from './order.view';

const sample = join(__dirname, '..', 'data', 'orders.json');

describe('the example order system', () => {
  let store: OrderStore;
  beforeAll(async () => {
    store = await OrderStore.load(sample);
  });

  it("lists one customer's orders, newest first, optionally by status", () => {
    expect(store.listFor('1').map((order) => order.order_id)).toEqual(['ORD-20261201-0001', 'ORD-20261118-0042']);
    expect(store.listFor('1', 'delivered').map((order) => order.order_id)).toEqual(['ORD-20261118-0042']);
    expect(store.listFor('nobody')).toEqual([]);
  });

  it("treats another customer's order as absent", () => {
    expect(store.getFor('2', 'ORD-20261205-0107')?.status).toBe('preparing');
    expect(store.getFor('1', 'ORD-20261205-0107')).toBeUndefined();
  });

  it('words where an order is and when it arrives', () => {
    expect(orderSummary(store.getFor('1', 'ORD-20261201-0001')!)).toBe(
      '주문 ORD-20261201-0001 무선 이어폰 외 1건: 배송 중, 현재 위치: 대전 허브 터미널, 도착 예정일: 2026-12-08 (CJ대한통운 6890-1234-5678)');
    expect(orderSummary(store.getFor('2', 'ORD-20261120-0333')!)).toBe('주문 ORD-20261120-0333 블루투스 스피커: 주문 취소');
    expect(followUps(store.listFor('1'))).toEqual(['주문 ORD-20261201-0001 자세히 보여줘', '주문 ORD-20261118-0042 자세히 보여줘']);
  });

  it('refuses a data file that does not describe orders', async () => {
    await expect(OrderStore.load(join(__dirname, '..', 'package.json'))).rejects.toThrow(/orders: /);
  });
});
