import {
  context,
  propagation,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapGetter,
  type TextMapSetter,
} from '@opentelemetry/api';

/**
 * Spans and W3C trace context for the libraries and services, over the OpenTelemetry API. Until
 * `startTracing` (tracing.setup.ts) found an OTLP endpoint, every function here returns at its
 * first line: no span, no header, no context switch, so a process without tracing pays one
 * boolean test per call.
 */

/** Where a piece of work sits in its trace; opaque outside this module. */
export type TraceContext = Context;

/** The OpenTelemetry span kinds, by the names the code reads. */
export type SpanRole = 'internal' | 'server' | 'client' | 'producer' | 'consumer';

export interface SpanOptions {
  /** The span it continues; the active one (see `runIn`) when left out. */
  parent?: TraceContext;
  role?: SpanRole;
  attributes?: Attributes;
}

/** A started span: `context` carries it to the work it covers, `end` closes it once. */
export interface OpenSpan {
  readonly context: TraceContext;
  set(attributes: Attributes): void;
  rename(name: string): void;
  /** Ends the span; an error marks it failed. Later calls do nothing. */
  end(error?: unknown): void;
}

const state = { on: false };
const TRACER = 'chatbot';

const kinds: Record<SpanRole, SpanKind> = {
  internal: SpanKind.INTERNAL,
  server: SpanKind.SERVER,
  client: SpanKind.CLIENT,
  producer: SpanKind.PRODUCER,
  consumer: SpanKind.CONSUMER,
};

/** Whether spans are recorded and exported (set once by startTracing). */
export function tracingOn(): boolean {
  return state.on;
}

/** Called by startTracing once the SDK is registered; not meant for anything else. */
export function markTracingOn(on: boolean): void {
  state.on = on;
}

/** Starts a span; undefined with tracing off. */
export function openSpan(name: string, options: SpanOptions = {}): OpenSpan | undefined {
  if (!state.on) return undefined;
  const parent = options.parent ?? context.active();
  const span = trace.getTracer(TRACER).startSpan(name, { kind: kinds[options.role ?? 'internal'], attributes: options.attributes }, parent);
  return wrap(span, trace.setSpan(parent, span));
}

function wrap(span: Span, spanContext: Context): OpenSpan {
  let ended = false;
  return {
    context: spanContext,
    set: (attributes) => void span.setAttributes(attributes),
    rename: (name) => void span.updateName(name),
    end(error) {
      if (ended) return;
      ended = true;
      if (error !== undefined) {
        span.recordException(error instanceof Error ? error : String(error));
        span.setStatus({ code: SpanStatusCode.ERROR, message: (error as Error)?.message });
      }
      span.end();
    },
  };
}

/** Runs `work` with `traceContext` active, so the spans and messages it starts continue that trace. */
export function runIn<T>(traceContext: TraceContext | undefined, work: () => T): T {
  if (traceContext === undefined) return work();
  return context.with(traceContext, work);
}

/**
 * Runs `work` inside a new span, ended when `work` settles (failed when it throws). With tracing
 * off it returns `work()` itself: not even a promise more.
 */
export function inSpan<T>(name: string, options: SpanOptions, work: () => Promise<T>): Promise<T> {
  const span = openSpan(name, options);
  return span ? runInSpan(span, work) : work();
}

async function runInSpan<T>(span: OpenSpan, work: () => Promise<T>): Promise<T> {
  try {
    const result = await context.with(span.context, work);
    span.end();
    return result;
  } catch (error) {
    span.end(error);
    throw error;
  }
}

type SetHeader = (name: string, value: string) => void;
type GetHeader = (name: string) => string | undefined;

const setter: TextMapSetter<SetHeader> = { set: (set, key, value) => set(key, value) };
const getter: TextMapGetter<GetHeader> = {
  get: (get, key) => get(key) || undefined,
  keys: () => ['traceparent', 'tracestate'],
};

/** Writes the `traceparent` (and `tracestate`) of `parent`, or of the active span, as headers. */
export function injectTrace(setHeader: SetHeader, parent?: TraceContext): void {
  if (!state.on) return;
  propagation.inject(parent ?? context.active(), setHeader, setter);
}

/** The trace context that incoming headers carry (a root context when they carry none). */
export function extractTrace(getHeader: GetHeader): TraceContext | undefined {
  if (!state.on) return undefined;
  return propagation.extract(ROOT_CONTEXT, getHeader, getter);
}
