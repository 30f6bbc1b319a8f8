export { migrate, type MigrateOptions } from './migrate';
export { prismaAdapter, sharedPoolAdapter, type PoolOptions, type SqlPool } from './prisma';
export { retryWhileDatabaseDown, startingOps } from './startup.retry';
export { isStorageFailure } from './storage-failure';
