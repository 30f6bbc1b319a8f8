import http, { type IncomingMessage } from 'node:http';
import https from 'node:https';

/** How long a finished answer's connection may take to end its response before it is closed. */
const DRAIN_GRACE_MS = 1_000;
/**
 * An idle kept-alive connection is closed after this long, before the server's own idle close
 * (5 s in Node and uvicorn): a request sent as the server closes fails, and would cost a retry and
 * count against the breaker. Only idle connections: a slow stream is bounded by the call's timeout.
 */
const IDLE_CLOSE_MS = 4_000;

/**
 * POSTs JSON to one URL over kept-alive connections, with Node's own HTTP client. A job's model
 * call is its only HTTP request, so a client that adds a layer of its own (redirects, proxies,
 * interceptors, a connection per call) costs a measurable share of a worker's CPU per job, and a
 * TCP connect before each time to first token. Redirects are not followed: an API endpoint that
 * redirects is misconfigured, and its 3xx is reported as an HTTP error.
 */
export class JsonPoster {
  private readonly options: http.RequestOptions;
  private readonly send: typeof http.request;

  constructor(url: string) {
    const target = new URL(url);
    const secure = target.protocol === 'https:';
    this.send = secure ? https.request : http.request;
    this.options = {
      protocol: target.protocol,
      hostname: target.hostname.replace(/^\[|\]$/g, ''),
      port: target.port || undefined,
      path: `${target.pathname}${target.search}`,
      method: 'POST',
      agent: secure ? new https.Agent({ keepAlive: true, timeout: IDLE_CLOSE_MS }) : new http.Agent({ keepAlive: true, timeout: IDLE_CLOSE_MS }),
    };
  }

  /** Resolves with the response once its headers arrived; `signal` aborts the request and its body. */
  post(body: string, headers: Record<string, string>, signal: AbortSignal): Promise<IncomingMessage> {
    return new Promise((resolve, reject) => {
      const request = this.send({ ...this.options, signal, headers: { ...headers, 'Content-Length': String(Buffer.byteLength(body)) } });
      request.once('response', resolve);
      // `on`: a request can fail again after its response arrived (an abort mid-body).
      request.on('error', reject);
      request.end(body);
    });
  }
}

/**
 * After the call: a response read to its end leaves its connection to the next call. One the
 * caller stopped reading (a failure) is closed now; one that said all it had to say but has not
 * ended yet (text after `[DONE]`, the last chunk still on its way) is read to its end in the
 * background, and closed if that takes longer than DRAIN_GRACE_MS.
 */
export function release(response: IncomingMessage, finished: boolean): void {
  if (response.complete || response.destroyed) return;
  if (!finished) return void response.destroy();
  const timer = setTimeout(() => response.destroy(), DRAIN_GRACE_MS);
  timer.unref();
  const ended = () => clearTimeout(timer);
  response.once('end', ended).once('close', ended);
  response.resume();
}
