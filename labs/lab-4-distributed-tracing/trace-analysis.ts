// Trace analysis for Lab 4, as pure functions of what Jaeger's query API returns.
//
// Jaeger v2 serves traces at GET /api/v3/traces/{trace_id} (and searches at GET /api/v3/traces)
// as {"result": <OTLP JSON TracesData>}: resourceSpans[].resource.attributes (service.name) and
// scopeSpans[].spans[] with hex traceId/spanId/parentSpanId and startTimeUnixNano/
// endTimeUnixNano as decimal strings (proto3 JSON for 64-bit integers). Source: Jaeger v2.20.0,
// cmd/jaeger/internal/extension/jaegerquery/internal/apiv3/http_gateway.go (returnTrace) and
// internal/jptrace/traces.go (MarshalJSONPB uses pdata's ptrace.JSONMarshaler).
//
// The critical path follows the algorithm of Jaeger UI's "critical path" view: start at the
// root's end, repeatedly step into the child that finished last before the current point,
// attribute the gaps to the parent (its self time on the path), then continue before that
// child's start. Children that run in parallel with a later-finishing sibling are not on it.

export interface OtlpAnyValue {
  stringValue?: string;
  intValue?: string | number;
  doubleValue?: number;
  boolValue?: boolean;
}

export interface OtlpAttribute {
  key: string;
  value: OtlpAnyValue;
}

export interface OtlpSpan {
  traceId: string;
  spanId: string;
  parentSpanId?: string;
  name: string;
  kind?: number;
  startTimeUnixNano: string;
  endTimeUnixNano: string;
  attributes?: OtlpAttribute[];
  status?: { code?: number; message?: string };
}

export interface TracesData {
  resourceSpans?: {
    resource?: { attributes?: OtlpAttribute[] };
    scopeSpans?: { scope?: { name?: string; version?: string }; spans?: OtlpSpan[] }[];
  }[];
}

/** The body of a successful GET /api/v3/traces/{id} or GET /api/v3/traces. */
export interface JaegerV3Response {
  result?: TracesData;
}

export interface TraceSpan {
  traceId: string;
  spanId: string;
  parentSpanId: string | null;
  service: string;
  name: string;
  /** Microseconds since the epoch. */
  start: number;
  end: number;
  attributes: Record<string, string | number | boolean>;
  resource: Record<string, string | number | boolean>;
}

export interface Trace {
  traceId: string;
  spans: TraceSpan[];
}

const valueOf = (v: OtlpAnyValue): string | number | boolean =>
  v.stringValue ?? (v.intValue !== undefined ? Number(v.intValue) : undefined) ?? v.doubleValue ?? v.boolValue ?? '';

const attributeMap = (attributes: OtlpAttribute[] = []) => Object.fromEntries(attributes.map((a) => [a.key, valueOf(a.value)]));

/** Nanoseconds as a decimal string to microseconds (exact below 2^53 us, i.e. until year 2255). */
const micros = (nanos: string) => Number(BigInt(nanos) / 1000n);

/** All spans of a response, grouped into traces by trace ID. */
export function tracesFromResponse(response: JaegerV3Response): Trace[] {
  const byId = new Map<string, TraceSpan[]>();
  for (const rs of response.result?.resourceSpans ?? []) {
    const resource = attributeMap(rs.resource?.attributes);
    const service = String(resource['service.name'] ?? 'unknown_service');
    for (const ss of rs.scopeSpans ?? []) {
      for (const s of ss.spans ?? []) {
        const span: TraceSpan = {
          traceId: s.traceId.toLowerCase(),
          spanId: s.spanId.toLowerCase(),
          parentSpanId: s.parentSpanId ? s.parentSpanId.toLowerCase() : null,
          service,
          name: s.name,
          start: micros(s.startTimeUnixNano),
          end: micros(s.endTimeUnixNano),
          attributes: attributeMap(s.attributes),
          resource,
        };
        const list = byId.get(span.traceId) ?? [];
        list.push(span);
        byId.set(span.traceId, list);
      }
    }
  }
  return [...byId].map(([traceId, spans]) => ({ traceId, spans }));
}

/** The root span: the one whose parent is not in the trace (the earliest, if several). */
export function rootOf(trace: Trace): TraceSpan | null {
  const ids = new Set(trace.spans.map((s) => s.spanId));
  const roots = trace.spans.filter((s) => !s.parentSpanId || !ids.has(s.parentSpanId));
  return roots.sort((a, b) => a.start - b.start)[0] ?? null;
}

export const servicesOf = (trace: Trace) => [...new Set(trace.spans.map((s) => s.service))].sort();

export interface PathSegment {
  span: TraceSpan;
  /** Microseconds; the part of `span` itself (not its children) on the critical path. */
  start: number;
  end: number;
}

/** The critical path of a trace, latest segment first; the segments tile the root span. */
export function criticalPath(trace: Trace): PathSegment[] {
  const root = rootOf(trace);
  if (!root) return [];
  const children = new Map<string, TraceSpan[]>();
  for (const s of trace.spans) {
    if (s.parentSpanId) children.set(s.parentSpanId, [...(children.get(s.parentSpanId) ?? []), s]);
  }
  const segments: PathSegment[] = [];
  const walk = (span: TraceSpan, until: number) => {
    // Children are clipped to their parent, as Jaeger UI does before it walks the path.
    const kids = (children.get(span.spanId) ?? [])
      .map((k) => ({ k, start: Math.max(k.start, span.start), end: Math.min(k.end, span.end) }))
      .filter((c) => c.end > c.start);
    let cursor = Math.min(until, span.end);
    for (;;) {
      const next = kids.filter((c) => c.end <= cursor).sort((a, b) => b.end - a.end)[0];
      if (!next) {
        if (cursor > span.start) segments.push({ span, start: span.start, end: cursor });
        return;
      }
      if (next.end < cursor) segments.push({ span, start: next.end, end: cursor });
      walk(next.k, next.end);
      cursor = next.start;
    }
  };
  walk(root, root.end);
  return segments;
}

export interface Contribution {
  service: string;
  name: string;
  /** Microseconds on the critical path. */
  micros: number;
}

/** Time on the critical path per service and span name, largest first. */
export function contributions(path: PathSegment[]): Contribution[] {
  const totals = new Map<string, Contribution>();
  for (const seg of path) {
    const key = `${seg.span.service}\u0000${seg.span.name}`;
    const c = totals.get(key) ?? { service: seg.span.service, name: seg.span.name, micros: 0 };
    c.micros += seg.end - seg.start;
    totals.set(key, c);
  }
  return [...totals.values()].sort((a, b) => b.micros - a.micros);
}

export interface TraceSummary {
  traceId: string;
  services: string[];
  /** Root span duration, milliseconds. */
  totalMs: number;
  /** The largest contribution to the critical path. */
  bottleneck: Contribution | null;
  /** Milliseconds on the critical path for one "service/span" key. */
  onPathMs: (service: string, name: string) => number;
  /** Resource attribute values seen on the trace's spans, e.g. what the collector added. */
  resourceValues: (key: string) => (string | number | boolean | undefined)[];
  spanCount: number;
}

export function summarise(trace: Trace): TraceSummary {
  const root = rootOf(trace);
  const parts = contributions(criticalPath(trace));
  return {
    traceId: trace.traceId,
    services: servicesOf(trace),
    totalMs: root ? (root.end - root.start) / 1000 : 0,
    bottleneck: parts[0] ?? null,
    onPathMs: (service, name) => (parts.find((p) => p.service === service && p.name === name)?.micros ?? 0) / 1000,
    resourceValues: (key) => trace.spans.map((s) => s.resource[key]),
    spanCount: trace.spans.length,
  };
}

export const median = (values: number[]) => {
  if (values.length === 0) return NaN;
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};

/** How the learner may write "<service>/<span>": with a slash, a colon or a space between. */
export function answerForms(service: string, span: string): string[] {
  return [`${service}/${span}`, `${service} / ${span}`, `${service}: ${span}`, `${service} ${span}`];
}

export const formatMs = (ms: number) => `${Math.round(ms)} ms`;
