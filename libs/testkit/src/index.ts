export { resolveInfra, type Infra } from './infra';
export { isolate, type TestEnv } from './isolate';
export { startService, startAll, stopAll, allServices, type ServiceName, type RunningService } from './services';
export { TestSocket, isBotFrame } from './ws-client';
export { startStubLlm, sequence, type StubLlm, type StubBehaviour, type StubScript } from './stub-llm';
export { startSystem, type TestSystem, type SystemOptions } from './system';
export { isolateOn } from './isolate';
export { startPrivateNats, startPrivatePostgres, type PrivateServer } from './private-infra';
export { inspectWorkQueue, prefixedStream, setDuplicateWindow, type WorkQueueState } from './broker-admin';
