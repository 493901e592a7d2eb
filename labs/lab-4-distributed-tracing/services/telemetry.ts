// Tracing for the lab's shop services, with the OpenTelemetry JavaScript SDK (3.x): a tracer
// provider whose sampler comes from the standard OTEL_TRACES_SAMPLER variables, spans batched
// and exported over OTLP/HTTP (protobuf) to OTEL_EXPORTER_OTLP_ENDPOINT, and W3C Trace Context
// propagation done by hand around fetch and node:http, so the bundle needs no monkey-patching
// instrumentation. SDK 3 no longer reads the sampler and batch variables itself (only the
// exporter reads its own), so this file reads them, as the SDK environment variable
// specification defines them.
import {
  context,
  defaultTextMapGetter,
  defaultTextMapSetter,
  diag,
  DiagConsoleLogger,
  DiagLogLevel,
  ROOT_CONTEXT,
  SpanKind,
  SpanStatusCode,
  trace,
  type Attributes,
  type Context,
  type Span,
  type TextMapPropagator,
  type Tracer,
} from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import { OTLPTraceExporter } from '@opentelemetry/exporter-trace-otlp-proto';
import { resourceFromAttributes } from '@opentelemetry/resources';
import {
  AlwaysOffSampler,
  AlwaysOnSampler,
  BatchSpanProcessor,
  ParentBasedSampler,
  TraceIdRatioBasedSampler,
  TracerProvider,
  type Sampler,
  type SpanProcessor,
} from '@opentelemetry/sdk-trace';
import {
  ATTR_HTTP_REQUEST_METHOD,
  ATTR_HTTP_RESPONSE_STATUS_CODE,
  ATTR_HTTP_ROUTE,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
  ATTR_SERVICE_NAME,
  ATTR_URL_FULL,
  ATTR_URL_PATH,
} from '@opentelemetry/semantic-conventions';

export type Env = Record<string, string | undefined>;

/**
 * The sampler named by OTEL_TRACES_SAMPLER and OTEL_TRACES_SAMPLER_ARG. Unset means the
 * specification's default, parentbased_always_on; an unknown name or a ratio outside [0, 1]
 * throws, so a typo is a startup error rather than a silent default.
 */
export function samplerFromEnv(env: Env): Sampler {
  const name = (env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on').trim().toLowerCase();
  const ratio = () => {
    const raw = env.OTEL_TRACES_SAMPLER_ARG;
    if (raw === undefined || raw.trim() === '') return 1;
    const value = Number(raw);
    if (!Number.isFinite(value) || value < 0 || value > 1) throw new Error(`OTEL_TRACES_SAMPLER_ARG="${raw}" is not a ratio between 0 and 1`);
    return value;
  };
  switch (name) {
    case 'always_on':
      return new AlwaysOnSampler();
    case 'always_off':
      return new AlwaysOffSampler();
    case 'traceidratio':
      return new TraceIdRatioBasedSampler(ratio());
    case 'parentbased_always_on':
      return new ParentBasedSampler({ root: new AlwaysOnSampler() });
    case 'parentbased_always_off':
      return new ParentBasedSampler({ root: new AlwaysOffSampler() });
    case 'parentbased_traceidratio':
      return new ParentBasedSampler({ root: new TraceIdRatioBasedSampler(ratio()) });
    default:
      throw new Error(
        `OTEL_TRACES_SAMPLER="${env.OTEL_TRACES_SAMPLER}" is not one of always_on, always_off, traceidratio, parentbased_always_on, parentbased_always_off, parentbased_traceidratio`,
      );
  }
}

/** OTEL_BSP_SCHEDULE_DELAY in milliseconds (the specification's default is 5000). */
export function batchDelayFromEnv(env: Env): number {
  const value = Number(env.OTEL_BSP_SCHEDULE_DELAY ?? 5000);
  return Number.isFinite(value) && value >= 0 ? value : 5000;
}

export interface Telemetry {
  tracer: Tracer;
  propagator: TextMapPropagator;
  provider: TracerProvider;
}

let contextManagerSet = false;

/** Async context across awaits, so a span started in a handler is the parent of later spans. */
export function ensureContextManager(): void {
  if (contextManagerSet) return;
  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  contextManagerSet = true;
}

/** A tracer for one service. `processor` defaults to batching OTLP/HTTP export. */
export function startTelemetry(serviceName: string, env: Env, processor?: SpanProcessor): Telemetry {
  ensureContextManager();
  const spanProcessor =
    processor ?? new BatchSpanProcessor({ exporter: new OTLPTraceExporter(), scheduledDelayMillis: batchDelayFromEnv(env) });
  const provider = new TracerProvider({
    resource: resourceFromAttributes({ [ATTR_SERVICE_NAME]: serviceName }),
    sampler: samplerFromEnv(env),
    spanProcessors: [spanProcessor],
  });
  return { tracer: provider.getTracer('module9-shop', '1.0.0'), propagator: new W3CTraceContextPropagator(), provider };
}

/** Export failures (a wrong endpoint, a collector that is down) go to stderr, so `docker logs` shows them. */
export function logExportProblems(): void {
  diag.setLogger(new DiagConsoleLogger(), DiagLogLevel.WARN);
}

/** Runs `work` inside a child span of the active context; the span records an exception and ends. */
export async function inSpan<T>(tracer: Tracer, name: string, attributes: Attributes, work: (span: Span) => Promise<T>): Promise<T> {
  return tracer.startActiveSpan(name, { kind: SpanKind.INTERNAL, attributes }, async (span) => {
    try {
      return await work(span);
    } catch (cause) {
      span.recordException(cause as Error);
      span.setStatus({ code: SpanStatusCode.ERROR, message: (cause as Error).message });
      throw cause;
    } finally {
      span.end();
    }
  });
}

export interface JsonResponse {
  status: number;
  body: unknown;
}

/**
 * An HTTP call as a CLIENT span named after the method (the HTTP semantic conventions' name
 * when no URL template is known), with `traceparent` injected into the request headers.
 */
export async function tracedFetch(t: Telemetry, method: 'GET' | 'POST', url: string, body?: unknown): Promise<JsonResponse> {
  const target = new URL(url);
  return t.tracer.startActiveSpan(
    method,
    {
      kind: SpanKind.CLIENT,
      attributes: {
        [ATTR_HTTP_REQUEST_METHOD]: method,
        [ATTR_URL_FULL]: target.toString(),
        [ATTR_SERVER_ADDRESS]: target.hostname,
        [ATTR_SERVER_PORT]: Number(target.port || 80),
      },
    },
    async (span) => {
      const headers: Record<string, string> = { accept: 'application/json' };
      if (body !== undefined) headers['content-type'] = 'application/json';
      t.propagator.inject(context.active(), headers, defaultTextMapSetter);
      try {
        const response = await fetch(target, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), signal: AbortSignal.timeout(10_000) });
        span.setAttribute(ATTR_HTTP_RESPONSE_STATUS_CODE, response.status);
        if (response.status >= 400) span.setStatus({ code: SpanStatusCode.ERROR });
        return { status: response.status, body: await response.json() };
      } catch (cause) {
        span.recordException(cause as Error);
        span.setStatus({ code: SpanStatusCode.ERROR, message: (cause as Error).message });
        throw cause;
      } finally {
        span.end();
      }
    },
  );
}

/** The parent context a request carries in its `traceparent` header (or none). */
export function extractContext(t: Telemetry, headers: Record<string, string | string[] | undefined>): Context {
  return t.propagator.extract(ROOT_CONTEXT, headers, defaultTextMapGetter);
}

/** Starts the SERVER span of an incoming request, named "<method> <route>". */
export function serverSpan(t: Telemetry, parent: Context, method: string, route: string, path: string): Span {
  return t.tracer.startSpan(
    `${method} ${route}`,
    { kind: SpanKind.SERVER, attributes: { [ATTR_HTTP_REQUEST_METHOD]: method, [ATTR_HTTP_ROUTE]: route, [ATTR_URL_PATH]: path } },
    parent,
  );
}

export { trace, context, SpanStatusCode, ATTR_HTTP_RESPONSE_STATUS_CODE };
