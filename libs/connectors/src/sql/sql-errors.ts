import { errorFields, messageOf, toConnectorError, TRANSIENT_NETWORK_CODES } from '../error-fields';
import type { ConnectorError } from '../errors';

/**
 * Sorting PostgreSQL failures into transient (retrying later can work) and permanent (someone
 * must fix data, rights or configuration). The SQLSTATE class says most of it; errors without
 * one come from the network or from `pg` itself and are about reaching the server.
 */

// SQLSTATE classes and codes where the server, not the statement, was the problem.
const TRANSIENT_CLASSES = new Set([
  '08', // connection exception
  '53', // insufficient resources: disk full, out of memory, too many connections
  '58', // system error (I/O) outside PostgreSQL
]);
const TRANSIENT_CODES = new Set([
  '40001', // serialization_failure
  '40P01', // deadlock_detected
  '55P03', // lock_not_available
  '57014', // query_canceled (statement_timeout)
  '57P01', // admin_shutdown
  '57P02', // crash_shutdown
  '57P03', // cannot_connect_now (server starting up)
  '57P05', // idle_session_timeout
]);

// Messages of `pg` itself about a connection lost or never made within the timeout.
const TRANSIENT_PG_MESSAGES =
  /connection terminated|timeout|not queryable|connection .*closed|the database system is (starting|shutting)/i;

/** */

export function isSqlState(code: unknown): code is string {
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code);
}

export function isTransientSqlError(error: unknown): boolean {
  const fields = errorFields(error);
  if (!fields) return false;
  const { code } = fields;
  if (isSqlState(code)) return TRANSIENT_CODES.has(code) || TRANSIENT_CLASSES.has(code.slice(0, 2));
  if (typeof code === 'string' && TRANSIENT_NETWORK_CODES.has(code)) return true;
  return TRANSIENT_PG_MESSAGES.test(messageOf(fields));
}

/**
 * The ConnectorError for a failure of PostgreSQL or of reaching it, with the server's message
 * (plus its detail line, which names the offending key or value) and secrets scrubbed.
 */
export function toSqlConnectorError(error: unknown, scrub: (message: string) => string): ConnectorError {
  return toConnectorError(error, scrub, {
    isTransient: isTransientSqlError,
    describe: (fields) => {
      const detail = typeof fields.detail === 'string' && fields.detail ? ` (${fields.detail})` : '';
      return `${messageOf(fields)}${detail}`;
    },
    code: (fields) => (typeof fields.code === 'string' ? fields.code : undefined),
  });
}
