/**
 * The services announce readiness with one JSON log line, `{"msg":"ready","ports":{…}}`
 * (see `announceReady` in @chatbot/runtime). Returns its ports, or null for any other line.
 */
export function readyPorts(line: string): Record<string, number> | null {
  if (!line.includes('"ready"')) return null;
  try {
    const entry = JSON.parse(line) as { msg?: string; ports?: Record<string, number> };
    return entry.msg === 'ready' ? entry.ports ?? {} : null;
  } catch {
    return null;
  }
}
