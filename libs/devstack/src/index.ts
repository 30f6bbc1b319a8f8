export { ManagedProcess, type ProcessSpec } from './managed-process';
export { findNatsServer, natsServerSpec, readNatsPorts, type NatsPorts } from './nats-server';
export { postgresSpec, postgresUrl } from './postgres';
export { freePort } from './free-port';
export { readyPorts } from './ready-line';
