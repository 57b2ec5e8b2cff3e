import { ConfigurationError } from './environment';

/**
 * Limits at the edges of the engine: what the HTTP API accepts, how long a database call may
 * take, how often a caller may write, how many live-update streams stay open. Each has a
 * default that suits one machine; every problem names the variable and the rule.
 */
export interface HardeningSettings {
  /** Largest JSON request body, bytes (larger: 413). */
  httpBodyLimitBytes: number;
  /** How long the gateway keeps an idle keep-alive connection open (longer than its clients do). */
  httpKeepAliveTimeoutMs: number;
  /** Deepest nesting of objects and arrays accepted in a body or a command (deeper: 400). */
  maxJsonDepth: number;
  /** Largest CSV import, bytes (larger: 413, refused before parsing). */
  csvImportMaxBytes: number;
  /** How long opening a PostgreSQL connection may take. */
  databaseConnectTimeoutMs: number;
  /** How long one SQL statement may run before PostgreSQL cancels it. */
  databaseStatementTimeoutMs: number;
  /** The window of both rate limits. */
  rateLimitWindowMs: number;
  /** Sign-in attempts (`GET /api/session`, failed authentications) per client address and window. */
  rateLimitSignIn: number;
  /** Writes (POST, PUT, PATCH, DELETE) per caller and window. */
  rateLimitWrites: number;
  /** `/api/docs` without a token (`true`) or only with a valid one (default). */
  apiDocsPublic: boolean;
  /** Live-update streams (`/api/events`) open at once, in total and per token. */
  sseMaxConnections: number;
  sseMaxPerToken: number;
  /**
   * Least time between the commands that carry one caller's concurrent single requests (ADR 0092);
   * 0: a command as soon as the one before is answered (ADR 0053). A caller whose requests come
   * one after another is never held.
   */
  edgeRoundIntervalMs: number;
}

interface IntegerSetting {
  variable: string;
  fallback: number;
  min: number;
  max: number;
  unit: string;
}

function integer(env: NodeJS.ProcessEnv, problems: string[], setting: IntegerSetting): number {
  const raw = env[setting.variable];
  if (raw === undefined || raw === '') return setting.fallback;
  const value = Number(raw);
  if (
    !/^\d+$/.test(raw.trim()) ||
    !Number.isSafeInteger(value) ||
    value < setting.min ||
    value > setting.max
  ) {
    problems.push(
      `${setting.variable} must be an integer from ${setting.min} to ${setting.max} (${setting.unit})`,
    );
    return setting.fallback;
  }
  return value;
}

function flag(env: NodeJS.ProcessEnv, problems: string[], variable: string): boolean {
  const raw = env[variable];
  if (raw === undefined || raw === '') return false;
  if (raw === 'true') return true;
  if (raw === 'false') return false;
  problems.push(`${variable} must be 'true' or 'false'`);
  return false;
}

export function readHardeningSettings(env: NodeJS.ProcessEnv = process.env): HardeningSettings {
  const problems: string[] = [];
  const MB = 1024 * 1024;
  const settings: HardeningSettings = {
    httpBodyLimitBytes: integer(env, problems, {
      variable: 'HTTP_BODY_LIMIT_BYTES',
      fallback: 100 * 1024,
      min: 1024,
      max: 10 * MB,
      unit: 'bytes',
    }),
    // Node closes idle connections after 5 s and fetch (undici) reuses them for 4 s: under load a
    // request can be written to a socket the server is closing ("fetch failed", undici #3141).
    // The server must outlast every client and proxy in front of it (load balancers: 60 s).
    httpKeepAliveTimeoutMs: integer(env, problems, {
      variable: 'HTTP_KEEP_ALIVE_TIMEOUT_MS',
      fallback: 65_000,
      min: 1_000,
      max: 600_000,
      unit: 'milliseconds',
    }),
    maxJsonDepth: integer(env, problems, {
      variable: 'MAX_JSON_DEPTH',
      fallback: 32,
      min: 4,
      max: 1000,
      unit: 'levels',
    }),
    csvImportMaxBytes: integer(env, problems, {
      variable: 'CSV_IMPORT_MAX_BYTES',
      fallback: 5 * MB,
      min: 1024,
      max: 100 * MB,
      unit: 'bytes',
    }),
    databaseConnectTimeoutMs: integer(env, problems, {
      variable: 'DATABASE_CONNECT_TIMEOUT_MS',
      fallback: 5_000,
      min: 100,
      max: 600_000,
      unit: 'milliseconds',
    }),
    databaseStatementTimeoutMs: integer(env, problems, {
      variable: 'DATABASE_STATEMENT_TIMEOUT_MS',
      fallback: 30_000,
      min: 100,
      max: 3_600_000,
      unit: 'milliseconds',
    }),
    rateLimitWindowMs: integer(env, problems, {
      variable: 'RATE_LIMIT_WINDOW_MS',
      fallback: 60_000,
      min: 1_000,
      max: 3_600_000,
      unit: 'milliseconds',
    }),
    rateLimitSignIn: integer(env, problems, {
      variable: 'RATE_LIMIT_SIGN_IN',
      fallback: 20,
      min: 1,
      max: 1_000_000,
      unit: 'attempts per window',
    }),
    rateLimitWrites: integer(env, problems, {
      variable: 'RATE_LIMIT_WRITES',
      fallback: 6_000,
      min: 1,
      max: 10_000_000,
      unit: 'requests per window',
    }),
    apiDocsPublic: flag(env, problems, 'API_DOCS_PUBLIC'),
    sseMaxConnections: integer(env, problems, {
      variable: 'SSE_MAX_CONNECTIONS',
      fallback: 500,
      min: 1,
      max: 100_000,
      unit: 'streams',
    }),
    sseMaxPerToken: integer(env, problems, {
      variable: 'SSE_MAX_PER_TOKEN',
      fallback: 10,
      min: 1,
      max: 10_000,
      unit: 'streams',
    }),
    edgeRoundIntervalMs: integer(env, problems, {
      variable: 'EDGE_ROUND_INTERVAL_MS',
      fallback: 80,
      min: 0,
      max: 1_000,
      unit: 'milliseconds',
    }),
  };
  if (problems.length) throw new ConfigurationError(problems);
  return settings;
}
