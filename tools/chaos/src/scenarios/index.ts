import { gatewayKill } from './gateway-kill';
import { handoff } from './handoff';
import { lateResend } from './late-resend';
import { natsKill } from './nats-kill';
import { orderUnderKills } from './order-under-kills';
import { postgresOutage } from './postgres-outage';
import { reconnectStorm } from './reconnect-storm';
import { storeKill } from './store-kill';
import type { Scenario } from './types';
import { workerKill } from './worker-kill';
import { workerStall } from './worker-stall';

export type { Scenario, ScenarioContext, ScenarioResult, Servers } from './types';
export { gatewayKill, handoff, lateResend, natsKill, orderUnderKills, postgresOutage, reconnectStorm, storeKill, workerKill, workerStall };

/** Every scenario, in the order the runner plays them. */
export const scenarios = [
  workerKill,
  workerStall,
  natsKill,
  postgresOutage,
  storeKill,
  gatewayKill,
  orderUnderKills,
  reconnectStorm,
  lateResend,
  handoff,
] as unknown as Scenario<unknown>[];
