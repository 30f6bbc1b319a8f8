import { hostname } from 'node:os';
import { z } from 'zod';
import { loadConfig, tracingEnv } from './config';
import { markTracingOn } from './tracing';

export interface Tracing {
  readonly on: boolean;
  /** Sends the spans still buffered and stops exporting. */
  shutdown(): Promise<void>;
}

/** `<base>/v1/traces`, as the OTLP specification derives it from OTEL_EXPORTER_OTLP_ENDPOINT. */
const tracesPathOf = (base: string | undefined) => (base === undefined ? undefined : `${base.replace(/\/+$/, '')}/v1/traces`);

const off: Tracing = { on: false, shutdown: async () => {} };

/**
 * Registers the OpenTelemetry SDK for this process when an OTLP endpoint is configured: spans
 * batched and sent as OTLP/HTTP JSON, W3C trace context for propagation, and an
 * AsyncLocalStorage context manager so the active span follows async work. Without an endpoint
 * nothing is loaded and the helpers of tracing.ts stay no-ops.
 */
export function startTracing(service: string, env: NodeJS.ProcessEnv = process.env): Tracing {
  const config = loadConfig(z.object(tracingEnv), env);
  const url = config.OTEL_EXPORTER_OTLP_TRACES_ENDPOINT ?? tracesPathOf(config.OTEL_EXPORTER_OTLP_ENDPOINT);
  if (url === undefined || config.OTEL_SDK_DISABLED === 'true') return off;
  // Loaded here, not at the top, so a process without tracing never loads the SDK.
  const { NodeTracerProvider, BatchSpanProcessor } = require('@opentelemetry/sdk-trace-node') as typeof import('@opentelemetry/sdk-trace-node');
  const { OTLPTraceExporter } = require('@opentelemetry/exporter-trace-otlp-http') as typeof import('@opentelemetry/exporter-trace-otlp-http');
  const { W3CTraceContextPropagator } = require('@opentelemetry/core') as typeof import('@opentelemetry/core');
  const { resourceFromAttributes } = require('@opentelemetry/resources') as typeof import('@opentelemetry/resources');
  const { ATTR_SERVICE_NAME } = require('@opentelemetry/semantic-conventions') as typeof import('@opentelemetry/semantic-conventions');
  const provider = new NodeTracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: service, 'service.instance.id': `${hostname()}:${process.pid}` }),
    spanProcessors: [new BatchSpanProcessor(new OTLPTraceExporter({ url }))],
  });
  provider.register({ propagator: new W3CTraceContextPropagator() });
  markTracingOn(true);
  return {
    on: true,
    async shutdown() {
      markTracingOn(false);
      await provider.shutdown();
    },
  };
}
