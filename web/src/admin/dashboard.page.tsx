import type { DashboardResponse } from '@chatbot/proto';
import { useEffect, useState } from 'preact/hooks';
import { callAuthed } from '../lib/authed.api';
import type { AuthSession } from '../lib/auth.session';
import type { Lang } from '../lib/i18n';
import { consoleWords, type ConsoleWords } from './words';

const POLL_MS = 5_000;

interface Reading {
  at: number;
  dashboard: DashboardResponse;
}

/**
 * The live dashboard: every service's figures from `GET /api/admin/dashboard`, read every 5 s. Two
 * readings give the message rate; a figure whose service did not answer says so.
 */
export function DashboardPage({ lang, auth }: { lang: Lang; auth: AuthSession }) {
  const c = consoleWords[lang];
  const [readings, setReadings] = useState<Reading[]>([]);
  const [failed, setFailed] = useState<string | null>(null);
  useEffect(() => {
    const read = async () => {
      const answer = await callAuthed<DashboardResponse>(auth, 'GET', '/api/admin/dashboard');
      if (!answer.ok) return setFailed(answer.code);
      setFailed(null);
      setReadings((before) => [...before.slice(-1), { at: Date.parse(answer.body.at), dashboard: answer.body }]);
    };
    void read();
    const timer = setInterval(() => void read(), POLL_MS);
    return () => clearInterval(timer);
  }, [auth]);
  const now = readings.at(-1);
  return (
    <section aria-labelledby="dashboard-heading">
      <h2 id="dashboard-heading">{c.dashboard}</h2>
      <p class="muted">{c.dashboardNote}</p>
      {failed && <p role="alert">{c.requestFailed.replace('{code}', failed)}</p>}
      {now && <Figures c={c} now={now} before={readings.length > 1 ? readings[0]! : null} />}
    </section>
  );
}

function Figures({ c, now, before }: { c: ConsoleWords; now: Reading; before: Reading | null }) {
  const { gateway, chat_log: chatLog, llm } = now.dashboard;
  const rate = gateway && before?.dashboard.gateway
    ? (gateway.messages_total - before.dashboard.gateway.messages_total) / Math.max(1, (now.at - before.at) / 1000)
    : null;
  const ms = (value: number | null | undefined) => (value === null || value === undefined ? '—' : `${value} ms`);
  // a missing service shows as such, never as zero
  const of = <T,>(figures: T | null, show: (figures: T) => string) => (figures ? show(figures) : c.missing);
  const tiles: Array<[string, string, string]> = [
    ['rate', c.messagesPerSecond, gateway ? (rate === null ? '—' : rate.toFixed(2)) : c.missing],
    ['messages', c.messagesTotal, of(gateway, (g) => String(g.messages_total))],
    ['p50', c.replyP50, of(gateway, (g) => ms(g.reply_p50_ms))],
    ['p99', c.replyP99, of(gateway, (g) => ms(g.reply_p99_ms))],
    ['first-token', c.firstTokenP50, of(gateway, (g) => ms(g.first_token_p50_ms))],
    ['sockets', c.openSockets, of(gateway, (g) => String(g.open_sockets))],
    ['timeouts', c.timeouts, of(gateway, (g) => String(g.reply_timeouts_total))],
    ['tokens-in', c.promptTokens, of(llm, (l) => String(l.prompt_tokens_total))],
    ['tokens-out', c.completionTokens, of(llm, (l) => String(l.completion_tokens_total))],
    ['queue-pending', c.llmQueuePending, of(llm, (l) => String(l.queue_pending))],
    ['queue-in-flight', c.queueInFlight, of(llm, (l) => String(l.queue_ack_pending))],
    ['inbound-pending', c.inboundPending, of(chatLog, (l) => String(l.inbound_pending))],
    ['awaiting-reply', c.awaitingReply, of(chatLog, (l) => String(l.sessions_awaiting_reply))],
    ['waiting-agent', c.waitingForAgent, of(chatLog, (l) => String(l.waiting_for_agent))],
  ];
  return (
    <>
      <dl class="tiles">
        {tiles.map(([id, name, value]) => (
          <div key={id} class="tile" data-tile={id}><dt>{name}</dt><dd>{value}</dd></div>
        ))}
      </dl>
      <Services c={c} dashboard={now.dashboard} />
      {llm && <Breakers c={c} breakers={llm.breakers} />}
      <Incidents c={c} incidents={now.dashboard.incidents} />
      {gateway && <Counts c={c} caption={c.errorCodes} id="error-frames" counts={gateway.error_frames} />}
    </>
  );
}

function Services({ c, dashboard }: { c: ConsoleWords; dashboard: DashboardResponse }) {
  return (
    <>
      <h3>{c.services}</h3>
      <ul class="services">
        {dashboard.services.map(({ service, instances }) => (
          <li key={service} data-service={service} data-state={instances.length > 0 ? 'up' : 'missing'}>
            <strong>{service}</strong>{' '}
            {instances.length > 0 ? c.instances.replace('{n}', String(instances.length)) : <span class="missing">{c.missing}</span>}
          </li>
        ))}
      </ul>
    </>
  );
}

function Breakers({ c, breakers }: { c: ConsoleWords; breakers: NonNullable<DashboardResponse['llm']>['breakers'] }) {
  return (
    <table class="breakers">
      <caption>{c.breakers}</caption>
      <thead><tr><th scope="col">{c.instance}</th><th scope="col">{c.state}</th></tr></thead>
      <tbody>
        {breakers.map((b) => <tr key={b.instance} data-state={b.state}><th scope="row">{b.instance}</th><td>{c[b.state]}</td></tr>)}
      </tbody>
    </table>
  );
}

function Incidents({ c, incidents }: { c: ConsoleWords; incidents: DashboardResponse['incidents'] }) {
  return (
    <>
      <Counts c={c} caption={c.incidentsByCode} id="incident-codes" counts={incidents.by_code} />
      <table class="incidents">
        <caption>{c.recentIncidents}</caption>
        <thead>
          <tr><th scope="col">{c.when}</th><th scope="col">{c.service}</th><th scope="col">{c.code}</th><th scope="col">{c.incidentId}</th><th scope="col">{c.where}</th></tr>
        </thead>
        <tbody>
          {incidents.recent.map((i) => (
            <tr key={i.incident_id} data-incident={i.incident_id}>
              <td><time dateTime={i.at}>{new Date(i.at).toLocaleTimeString()}</time></td>
              <td>{i.service}</td>
              <td>{i.code}</td>
              <th scope="row"><code>{i.incident_id}</code></th>
              <td>{i.where}</td>
            </tr>
          ))}
        </tbody>
      </table>
      {incidents.recent.length === 0 && <p class="muted">{c.noIncidents}</p>}
    </>
  );
}

function Counts({ c, caption, id, counts }: { c: ConsoleWords; caption: string; id: string; counts: Record<string, number> }) {
  return (
    <table class="errors" data-table={id}>
      <caption>{caption}</caption>
      <thead><tr><th scope="col">{c.code}</th><th scope="col">{c.count}</th></tr></thead>
      <tbody>{Object.entries(counts).map(([code, count]) => <tr key={code}><th scope="row">{code}</th><td>{count}</td></tr>)}</tbody>
    </table>
  );
}
