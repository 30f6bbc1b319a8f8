/**
 * Prisma's errors and its driver adapter's (Postgres down, a query failing): worth a retry for the
 * caller (E5003). Anything else a handler throws is a fault of ours, not the storage's.
 */
export function isStorageFailure(error: unknown): boolean {
  const name = (error as Error | undefined)?.name ?? '';
  return name.startsWith('PrismaClient') || name === 'DriverAdapterError';
}
