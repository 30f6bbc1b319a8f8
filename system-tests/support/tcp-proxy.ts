import { createServer, connect, type Server, type Socket } from 'node:net';
import type { AddressInfo } from 'node:net';

/**
 * A TCP link between a browser and a gateway that a test can cut: `cut()` drops every open
 * connection at once (the browser sees its socket die, as on a lost network) and refuses new ones
 * until `restore()`. Only loopback.
 */
export interface CuttableLink {
  url: string;
  cut(): void;
  restore(): void;
  close(): Promise<void>;
}

/**
 * `target` may be a function read at each connection: a test that must name the link's address
 * before the gateway exists (an OpenID redirect URL given to persona at start) starts the link first.
 */
export async function startCuttableLink(target: string | (() => string)): Promise<CuttableLink> {
  const open = new Set<Socket>();
  let down = false;
  const server: Server = createServer((client) => {
    if (down) return void client.destroy();
    const { hostname, port } = new URL(typeof target === 'string' ? target : target());
    const upstream = connect(Number(port), hostname);
    for (const [a, b] of [[client, upstream], [upstream, client]] as const) {
      open.add(a);
      a.pipe(b);
      a.on('error', () => b.destroy());
      a.on('close', () => {
        open.delete(a);
        b.destroy();
      });
    }
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cutAll = () => open.forEach((socket) => socket.destroy());
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    cut() {
      down = true;
      cutAll();
    },
    restore() {
      down = false;
    },
    close: () => {
      cutAll();
      return new Promise((resolve) => server.close(() => resolve()));
    },
  };
}
