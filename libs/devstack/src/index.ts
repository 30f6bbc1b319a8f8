export { ManagedProcess, type ProcessSpec } from './managed-process';
export { findNatsServer, natsServerSpec, readNatsPorts, type NatsPorts } from './nats-server';
export { postgresSpec, postgresUrl, type PostgresOptions, type PostgresSpec } from './postgres';
export { binariesFor, binariesIn, installedBinaries, stage, type PostgresBinaries } from './postgres-binaries';
export { canRun, canWriteFolder, postgresUser, type RunAs } from './run-as';
export { startLocalNats, startLocalPostgres, type LocalServer, type LocalServerOptions } from './local-servers';
export { Teardown, startAllOrNothing } from './teardown';
export { freePort } from './free-port';
export { readyPorts } from './ready-line';
