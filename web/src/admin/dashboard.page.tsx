import { useEffect, useState } from 'preact/hooks';
import type { Lang } from '../lib/i18n';
import { parseMetrics, quantile, total, type Sample } from '../lib/prometheus';
import { consoleWords } from './words';

const POLL_MS = 5_000;
const G = 'chatbot_gateway_';

interface Reading {
  at: number;
  samples: Sample[];
}

/** A small live dashboard from the gateway's Prometheus metrics: two readings give the rates. */
export function DashboardPage({ lang }: { lang: Lang }) {
  const c = consoleWords[lang];
  const [readings, setReadings] = useState<Reading[]>([]);
  useEffect(() => {
    const read = async () => {
      const res = await fetch('/metrics').catch(() => null);
      if (!res?.ok) return;
      const reading = { at: Date.now(), samples: parseMetrics(await res.text()) };
      setReadings((before) => [...before.slice(-1), reading]);
    };
    void read();
    const timer = setInterval(() => void read(), POLL_MS);
    return () => clearInterval(timer);
  }, []);
  const now = readings.at(-1);
  if (!now) return null;
  const before = readings.length > 1 ? readings[0]! : null;
  const messages = (r: Reading) => total(r.samples, `${G}frames_in_total`, (l) => l.type === 'message');
  const rate = before ? (messages(now) - messages(before)) / ((now.at - before.at) / 1000) : null;
  const ms = (seconds: number | null) => (seconds === null ? '—' : `${Math.round(seconds * 1000)} ms`);
  const errors = now.samples.filter((s) => s.name === `${G}error_frames_total` && s.value > 0);
  const tiles: Array<[string, string, string]> = [
    ['rate', c.messagesPerSecond, rate === null ? '—' : rate.toFixed(2)],
    ['messages', c.messagesTotal, String(messages(now))],
    ['sockets', c.openSockets, String(total(now.samples, `${G}ws_connections`))],
    ['p50', c.replyP50, ms(quantile(now.samples, `${G}reply_latency_seconds`, 0.5))],
    ['p99', c.replyP99, ms(quantile(now.samples, `${G}reply_latency_seconds`, 0.99))],
    ['first-token', c.firstTokenP50, ms(quantile(now.samples, `${G}time_to_first_token_seconds`, 0.5))],
    ['timeouts', c.timeouts, String(total(now.samples, `${G}reply_timeouts_total`))],
  ];
  return (
    <section aria-labelledby="dashboard-heading">
      <h2 id="dashboard-heading">{c.dashboard}</h2>
      <p class="muted">{c.dashboardNote}</p>
      <dl class="tiles">
        {tiles.map(([id, name, value]) => (
          <div key={id} class="tile" data-tile={id}><dt>{name}</dt><dd>{value}</dd></div>
        ))}
      </dl>
      <h3>{c.errorCodes}</h3>
      <table class="errors">
        <thead><tr><th scope="col">{c.code}</th><th scope="col">{c.count}</th></tr></thead>
        <tbody>{errors.map((s) => <tr key={s.labels.code}><th scope="row">{s.labels.code}</th><td>{s.value}</td></tr>)}</tbody>
      </table>
    </section>
  );
}
