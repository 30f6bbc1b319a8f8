/**
 * A new message id. `crypto.randomUUID` exists only in secure contexts (https, localhost); on a
 * plain-http address the id takes the seed client's `<Date.now()>-<hex>` form, which the protocol
 * also accepts.
 */
export function newMessageId(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(8));
  return `${Date.now()}-${Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('')}`;
}
