/**
 * Postgres rejects NUL in `text` and `\u0000` in `jsonb`; one such character in a user message
 * would fail its whole batch on every redelivery, so it is removed before storage.
 */
export function storable(value: string): string {
  return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
}

export function storableList(values: string[] | undefined): string[] | undefined {
  return values?.map(storable);
}

/** An ISO timestamp from another process; a value that does not parse falls back to now. */
export function timestampOr(value: string, fallback = new Date()): Date {
  const parsed = new Date(value);
  return Number.isNaN(parsed.getTime()) ? fallback : parsed;
}
