export { migrate, type MigrateOptions } from './migrate';
export { ensureDatabase, connectionStringOf } from './database';
export { prismaAdapter } from './prisma';
export { retryWhileDatabaseDown, startingOps } from './startup.retry';
