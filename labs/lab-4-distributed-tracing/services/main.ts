// Entry point of the shop image (bundled by lib/app-image.ts): SHOP_SERVICE picks the service,
// OTEL_SERVICE_NAME names it in traces, PORT is where it listens (8080). On SIGTERM it stops
// accepting requests and flushes the spans it still holds before it exits.
import { configFromEnv, createShopServer, roles, type Role } from './shop.ts';
import { logExportProblems, startTelemetry } from './telemetry.ts';

const role = process.env.SHOP_SERVICE as Role;
if (!roles.includes(role)) {
  console.error(`SHOP_SERVICE must be one of ${roles.join(', ')}, not "${process.env.SHOP_SERVICE ?? ''}"`);
  process.exit(2);
}
logExportProblems();
const serviceName = process.env.OTEL_SERVICE_NAME ?? role;
const telemetry = startTelemetry(serviceName, process.env);
const server = createShopServer(role, telemetry, configFromEnv(process.env));
const port = Number(process.env.PORT ?? 8080);
server.listen(port, () => {
  console.log(
    `${serviceName}: listening on :${port}, sampler ${process.env.OTEL_TRACES_SAMPLER ?? 'parentbased_always_on (default)'}` +
      `${process.env.OTEL_TRACES_SAMPLER_ARG ? ` ${process.env.OTEL_TRACES_SAMPLER_ARG}` : ''}, exporting to ${process.env.OTEL_EXPORTER_OTLP_ENDPOINT ?? 'http://localhost:4318 (default)'}`,
  );
});

let stopping = false;
const stop = () => {
  if (stopping) return;
  stopping = true;
  server.close();
  void telemetry.provider.shutdown().finally(() => process.exit(0));
};
process.on('SIGTERM', stop);
process.on('SIGINT', stop);
