import { events, requests } from '../bus/subjects';
import { contractSchemas } from '../json-schema';

/** Which service sends and which receives each event (the README's table, as data). */
const eventParties: Record<string, { senders: string[]; receivers: string[] }> = {
  'chat.inbound.v1': { senders: ['gateway'], receivers: ['chat-log'] },
  'chat.stored.v1': { senders: ['chat-log'], receivers: ['qna-cache'] },
  'chat.reply.v1': { senders: ['qna-cache', 'llm-dispatch', 'persona', 'gateway', 'chat-log'], receivers: ['chat-log'] },
  'llm.job.v1': { senders: ['qna-cache'], receivers: ['llm-dispatch'] },
  'chat.usage.v1': { senders: ['chat-log'], receivers: ['persona'] },
  'gw.deliver.v1': { senders: ['chat-log', 'llm-dispatch'], receivers: ['gateway'] },
  'qna.catalogue.changed.v1': { senders: ['qna-cache'], receivers: ['llm-dispatch'] },
  'chat.status.changed.v1': { senders: ['chat-log'], receivers: ['chat-log'] },
  'llm.summary.v1': { senders: ['chat-log'], receivers: ['llm-dispatch'] },
  'agent.event.v1': { senders: ['chat-log'], receivers: ['gateway'] },
};

const ref = (name: string) => ({ $ref: `#/components/schemas/${name.replaceAll('/', '.')}` });
const address = (def: { name: string; token: 'session' | null }) =>
  def.token === 'session' ? `${def.name}.{session_id}` : def.name;
const sessionParameter = { session_id: { description: 'The session id (UUID) minted by the gateway.' } };

/** An AsyncAPI 3.0 document for every NATS subject and WebSocket frame, built from `proto`. */
export function asyncApiDocument(version: string): Record<string, unknown> {
  const channels: Record<string, unknown> = {};
  const operations: Record<string, unknown> = {};
  for (const def of Object.values(events)) {
    channels[def.name] = {
      address: address(def),
      description: `${def.description} ${def.stream ? `JetStream stream ${def.stream}.` : 'Core NATS.'}`,
      ...(def.token ? { parameters: sessionParameter } : {}),
      messages: { [def.name]: { payload: ref(`bus/${def.name}`) } },
    };
    const parties = eventParties[def.name];
    for (const sender of parties.senders) operations[`${sender}.send.${def.name}`] = op('send', def.name);
    for (const receiver of parties.receivers) operations[`${receiver}.receive.${def.name}`] = op('receive', def.name);
  }
  for (const def of Object.values(requests)) {
    channels[def.name] = {
      address: address(def),
      description: `${def.description} Request/reply, answered by ${def.owner}.`,
      ...(def.token ? { parameters: sessionParameter } : {}),
      messages: {
        request: { payload: ref(`bus/${def.name}.request`) },
        response: {
          payload: { oneOf: [{ type: 'object', properties: { ok: { const: true }, data: ref(`bus/${def.name}.response`) } }, errorEnvelope] },
        },
      },
    };
    operations[`${def.owner}.reply.${def.name}`] = {
      action: 'receive',
      channel: { $ref: `#/channels/${def.name}` },
      messages: [{ $ref: `#/channels/${def.name}/messages/request` }],
      reply: { channel: { $ref: `#/channels/${def.name}` }, messages: [{ $ref: `#/channels/${def.name}/messages/response` }] },
    };
  }
  channels.websocket = {
    address: '/api/chat/ws',
    description: 'The client WebSocket (protocol v1 by default, v2 with subprotocol chat.v2 or ?protocol=2).',
    messages: {
      clientMessage: { payload: ref('ws/client.message') },
      serverSessionV1: { payload: ref('ws/server.v1.session') },
      serverBotV1: { payload: ref('ws/server.v1.bot') },
      serverErrorV1: { payload: ref('ws/server.v1.error') },
      serverV2: { payload: ref('ws/server.v2') },
    },
  };
  operations['gateway.receive.websocket'] = { action: 'receive', channel: { $ref: '#/channels/websocket' }, messages: [{ $ref: '#/channels/websocket/messages/clientMessage' }] };
  operations['gateway.send.websocket'] = {
    action: 'send',
    channel: { $ref: '#/channels/websocket' },
    messages: ['serverSessionV1', 'serverBotV1', 'serverErrorV1', 'serverV2'].map((m) => ({ $ref: `#/channels/websocket/messages/${m}` })),
  };
  seedChannel(channels, operations, 'websocketSeed001', '/ws/chat', "Seed 001's chat (an access token in ?token=, closed with 4401 without a valid one).", 'seed001');
  seedChannel(channels, operations, 'websocketSeed002', '/ws/emotion', "Seed 002's emotion chat (a system_prompt is refused from anonymous callers).", 'seed002');
  channels.websocketAgents = {
    address: '/api/admin/ws',
    description: "The agents' socket (agent or admin credential; ?after=<seq> resumes): a ready frame, then every agent event with its seq. Clients send nothing.",
    messages: { serverFrame: { payload: ref('ws/server.agents') } },
  };
  operations['gateway.send.websocketAgents'] = { action: 'send', channel: { $ref: '#/channels/websocketAgents' }, messages: [{ $ref: '#/channels/websocketAgents/messages/serverFrame' }] };
  const schemas = Object.fromEntries(Object.entries(contractSchemas()).map(([name, schema]) => [name.replaceAll('/', '.'), schema]));
  return {
    asyncapi: '3.0.0',
    info: { title: 'chatbot-platform bus and WebSocket contracts', version, description: 'Generated from proto/ by `npm run proto:export`; do not edit by hand.' },
    defaultContentType: 'application/json',
    channels,
    operations,
    components: { schemas },
  };
}

const errorEnvelope = {
  type: 'object',
  properties: {
    ok: { const: false },
    error: { type: 'object', properties: { code: { type: 'string' }, message: { type: 'string' }, incident_id: { type: 'string' } }, required: ['code', 'message'] },
  },
};

function op(action: 'send' | 'receive', channel: string) {
  return { action, channel: { $ref: `#/channels/${channel}` }, messages: [{ $ref: `#/channels/${channel}/messages/${channel}` }] };
}

/** A seed client's WebSocket: one client frame, one union of server frames. */
function seedChannel(channels: Record<string, unknown>, operations: Record<string, unknown>, name: string, address: string, description: string, seed: string) {
  channels[name] = {
    address,
    description,
    messages: { clientMessage: { payload: ref(`ws/client.${seed}`) }, serverFrame: { payload: ref(`ws/server.${seed}`) } },
  };
  operations[`gateway.receive.${name}`] = { action: 'receive', channel: { $ref: `#/channels/${name}` }, messages: [{ $ref: `#/channels/${name}/messages/clientMessage` }] };
  operations[`gateway.send.${name}`] = { action: 'send', channel: { $ref: `#/channels/${name}` }, messages: [{ $ref: `#/channels/${name}/messages/serverFrame` }] };
}
