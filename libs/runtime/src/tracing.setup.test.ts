import { ConfigError } from './config';
import { tracingOn } from './tracing';
import { startTracing } from './tracing.setup';

test('without an OTLP endpoint tracing is off, and an empty one counts as unset', () => {
  expect(startTracing('unit', {}).on).toBe(false);
  expect(startTracing('unit', { OTEL_EXPORTER_OTLP_ENDPOINT: '' }).on).toBe(false);
  expect(tracingOn()).toBe(false);
});

test('a malformed endpoint stops the start with the variable named', () => {
  expect(() => startTracing('unit', { OTEL_EXPORTER_OTLP_ENDPOINT: 'otel collector' })).toThrow(ConfigError);
  expect(() => startTracing('unit', { OTEL_EXPORTER_OTLP_ENDPOINT: 'otel collector' })).toThrow(/OTEL_EXPORTER_OTLP_ENDPOINT/);
});
