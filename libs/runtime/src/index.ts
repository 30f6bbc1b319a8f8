export * from './config';
export * from './logger';
export * from './errors';
export * from './metrics';
export * from './health';
export * from './ops-server';
export * from './lifecycle';
export * from './periodic';
