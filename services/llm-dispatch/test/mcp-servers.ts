import { readFile, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { ManagedProcess, readyPorts } from '@chatbot/devstack';

/**
 * The real MCP servers the specs start: the example order server, and the cards server that
 * llm-dispatch's build contains. Both run as their own processes, over stdio or streamable HTTP.
 */
const repoRoot = resolve(__dirname, '..', '..', '..');
export const ordersServerPath = join(repoRoot, 'tools', 'mcp-orders', 'dist', 'main.js');
export const cardsServerPath = join(repoRoot, 'services', 'llm-dispatch', 'dist', 'tools', 'mcp-serve', 'cards.main.js');
const sampleOrders = join(repoRoot, 'tools', 'mcp-orders', 'data', 'orders.json');

export interface HttpMcpServer {
  url: string;
  process: ManagedProcess;
  logs: string[];
}

/** Starts a server over streamable HTTP on `port` (0: a free one) and waits for its ready line. */
export async function startHttpMcpServer(name: string, script: string, env: Record<string, string>, port = 0): Promise<HttpMcpServer> {
  const logs: string[] = [];
  const ports: Record<string, number> = {};
  const proc = new ManagedProcess({
    name,
    command: process.execPath,
    args: [script],
    env: { ...process.env, ...env, MCP_TRANSPORT: 'http', MCP_PORT: String(port) },
    restart: false,
    startTimeoutMs: 30_000,
    isReady: (line) => {
      const ready = readyPorts(line);
      if (ready) Object.assign(ports, ready);
      return ready !== null;
    },
    onLine: (_, line) => void logs.push(line),
  });
  try {
    await proc.start();
  } catch (error) {
    await proc.stop('SIGKILL', 1_000);
    throw new Error(`${name} did not start: ${(error as Error).message}\n${logs.slice(-20).join('\n')}`);
  }
  return { url: `http://127.0.0.1:${ports['http']}/mcp`, process: proc, logs };
}

/**
 * The sample orders, re-owned: the orders of customer "1" belong to `mine`, those of customer "2"
 * to `theirs`. Returns the file to give the server as ORDERS_FILE.
 */
export async function writeOrders(dir: string, mine: string, theirs: string): Promise<string> {
  const data = JSON.parse(await readFile(sampleOrders, 'utf8')) as { orders: Array<{ customer_id: string }> };
  const owners: Record<string, string> = { '1': mine, '2': theirs };
  const orders = data.orders.filter((order) => order.customer_id in owners).map((order) => ({ ...order, customer_id: owners[order.customer_id]! }));
  const path = join(dir, 'orders.json');
  await writeFile(path, JSON.stringify({ orders }));
  return path;
}
