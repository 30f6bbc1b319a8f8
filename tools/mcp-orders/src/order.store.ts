import { readFile } from 'node:fs/promises';
import { z } from 'zod';

export const OrderStatus = z.enum(['received', 'paid', 'preparing', 'shipping', 'out_for_delivery', 'delivered', 'cancelled']);
export const DeliveryState = z.enum(['not_shipped', 'in_transit', 'out_for_delivery', 'delivered', 'cancelled']);

export const Order = z.object({
  order_id: z.string().min(1),
  customer_id: z.string().min(1),
  ordered_at: z.string(),
  status: OrderStatus,
  items: z.array(z.object({ name: z.string(), quantity: z.number().int().positive(), unit_price: z.number().int().nonnegative() })).min(1),
  delivery: z.object({
    carrier: z.string().nullable(),
    tracking_number: z.string().nullable(),
    state: DeliveryState,
    current_location: z.string().nullable(),
    estimated_arrival: z.string().nullable(),
    updated_at: z.string(),
  }),
});
export type Order = z.infer<typeof Order>;

const OrderFile = z.object({ orders: z.array(Order) });

/**
 * The order system this example stands for: a JSON file read once. Every read is scoped to one
 * customer, so no call can return another customer's order.
 */
export class OrderStore {
  constructor(private readonly orders: Order[]) {}

  static async load(path: string): Promise<OrderStore> {
    const parsed = OrderFile.safeParse(JSON.parse(await readFile(path, 'utf8')));
    if (!parsed.success) throw new Error(`${path}: ${parsed.error.issues.map((i) => `${i.path.join('.')}: ${i.message}`).join('; ')}`);
    return new OrderStore(parsed.data.orders);
  }

  /** The customer's orders, newest first. */
  listFor(customerId: string, status?: Order['status']): Order[] {
    return this.orders
      .filter((order) => order.customer_id === customerId && (status === undefined || order.status === status))
      .sort((a, b) => b.ordered_at.localeCompare(a.ordered_at));
  }

  /** One of the customer's orders; another customer's order is as absent as an unknown one. */
  getFor(customerId: string, orderId: string): Order | undefined {
    return this.orders.find((order) => order.order_id === orderId && order.customer_id === customerId);
  }
}
