import type { Server } from 'node:http';
import { type LoggerService, RequestMethod } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import { DocumentBuilder, SwaggerModule } from '@nestjs/swagger';
import type { HelmetOptions } from 'helmet';
import { type HardeningSettings, readHardeningSettings, readTracingSettings } from '@prov/config';
import { httpMetricsMiddleware, httpTracingMiddleware } from '@prov/platform';
import { protectApiDocs } from './hardening/api-docs-access';
import { securityHeaders } from './hardening/security-headers';
import { HttpErrorsFilter } from './http/http-errors.filter';
import { installRequestLimits } from './http/request-limits';
import { keepTraceContext, resumeTraceContext } from './http/trace-context';
import { httpValidationPipe } from './http/validation';
import { serveConsole } from './web/console-static';

/**
 * The console's Content-Security-Policy: its own scripts only (Vite emits no inline script),
 * inline styles for Swagger UI's page, no frames, no plugins, API calls to this origin only.
 */
export const CONTENT_SECURITY_POLICY = {
  defaultSrc: ["'self'"],
  scriptSrc: ["'self'"],
  styleSrc: ["'self'", "'unsafe-inline'"],
  imgSrc: ["'self'", 'data:'],
  fontSrc: ["'self'", 'data:'],
  connectSrc: ["'self'"],
  objectSrc: ["'none'"],
  baseUri: ["'self'"],
  formAction: ["'self'"],
  frameAncestors: ["'none'"],
};

/** Helmet's settings: the console's policy above; no HSTS. */
export const HELMET_OPTIONS: HelmetOptions = {
  contentSecurityPolicy: { useDefaults: false, directives: CONTENT_SECURITY_POLICY },
  // The console runs on plain http://127.0.0.1 locally; HSTS belongs to the TLS terminator.
  strictTransportSecurity: false,
};

/**
 * Headers every answer gets unless its route sets its own (the console's files, live updates):
 * the API's answers say who has what and hold personal data, which no browser or proxy cache
 * should keep (OWASP ASVS 8.2.1: anti-caching headers on sensitive answers).
 */
export const ANSWER_HEADERS = [['Cache-Control', 'no-store']] as const;

/** The OpenAPI document's header; `npm run api:types` builds the same document without a server. */
export function openApiConfig() {
  return new DocumentBuilder()
    .setTitle('Provisioning engine API')
    .setDescription('Assignments, provisioning orders, review, manual fulfilment, jobs and audit.')
    .setVersion('1')
    .addBearerAuth()
    .build();
}

/** The routes outside the `/api` prefix: SCIM clients expect the service provider at /scim/v2. */
export const API_PREFIX_EXCLUDE = [{ path: 'scim/v2/{*path}', method: RequestMethod.ALL }];

/** Headers must be allowed to arrive on a kept connection until it times out, so a little longer. */
function keepIdleConnections(app: NestExpressApplication, timeoutMs: number): void {
  const server = app.getHttpServer() as Server;
  server.keepAliveTimeout = timeoutMs;
  server.headersTimeout = timeoutMs + 1_000;
}

/**
 * The gateway as it runs: security headers, request limits before any route, validation, one
 * error shape, rate limits (in the module), the OpenAPI document and the console. `main.ts`
 * listens on it; tests run it in-process.
 */
export async function createGatewayApp(
  logger: LoggerService | false,
  settings: HardeningSettings = readHardeningSettings(),
): Promise<NestExpressApplication> {
  const { GatewayModule } = await import('./gateway.module');
  const app = await NestFactory.create<NestExpressApplication>(GatewayModule, { logger, bodyParser: false });
  keepIdleConnections(app, settings.httpKeepAliveTimeoutMs);
  // Tracing off (no OTLP endpoint, ADR 0023) the API is a no-op: no span, no context, per request.
  const traced = readTracingSettings('gateway').endpoint !== undefined;
  if (traced) app.use(httpTracingMiddleware, keepTraceContext);
  app.use(httpMetricsMiddleware);
  // Helmet's headers, computed once by helmet itself (ADR 0059); Express then never sets X-Powered-By.
  app.disable('x-powered-by');
  // No ETag of every answer either: nothing may keep an answer to revalidate it, and the digest of
  // each body was CPU for nothing. SCIM sets its resources' versions itself.
  app.set('etag', false);
  app.use(securityHeaders(HELMET_OPTIONS, ANSWER_HEADERS));
  installRequestLimits(app, settings);
  if (traced) app.use(resumeTraceContext);
  // SCIM clients expect the service provider at /scim/v2 (docs/inbound.md), beside the API.
  app.setGlobalPrefix('api', { exclude: API_PREFIX_EXCLUDE });
  app.useGlobalPipes(httpValidationPipe());
  app.useGlobalFilters(new HttpErrorsFilter());
  const document = SwaggerModule.createDocument(app, openApiConfig());
  protectApiDocs(app, settings.apiDocsPublic);
  SwaggerModule.setup('api/docs', app, document, { jsonDocumentUrl: 'api/docs/json' });
  if (logger) serveConsole(app, logger);
  return app;
}
