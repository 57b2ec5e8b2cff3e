import { parseDuration } from '../duration';
import { compileRuleExpression } from '../expressions/expression';
import { DEFAULT_RETRY_POLICY } from '../retry';
import {
  BACKOFFS,
  CONNECTOR_TYPES,
  DRIFT_RESPONSES,
  FULFILLMENTS,
  type RetryPolicy,
  type RoleModelConnection,
  type RoleModelEntitlement,
  type RoleModelResourceType,
  type RoleModelRule,
} from '../types';
import type { Checker, Mapping, Path } from './checker';
import { readGeneratePassword, WRITE_ONLY_ATTRIBUTE, WRITE_ONLY_RULE } from './write-only';

/**
 * Validation of each kind of entry in the file, one function per kind. Each returns the entry
 * with its defaults applied, or undefined when it is too broken to be used for cross-checks.
 * References between entries (a resource type's connection...) are checked by the caller once
 * every entry has been read.
 */

export const ID_PATTERN = /^[a-z0-9_]+$/;
const ID_RULE = 'must be an id of lowercase letters, digits and _ (pattern [a-z0-9_]+)';
const ENV_NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;
const ATTRIBUTE_NAME = /^[A-Za-z][A-Za-z0-9_.-]*$/;
// Setting names that would hold a secret if written inline; the value belongs in the environment.
const SECRET_LIKE = /(password|passwd|secret|token|apikey|api_key|credential|connectionstring|privatekey)$/i;

function id(check: Checker, map: Mapping, path: Path): string | undefined {
  return check.text(map, 'id', path, ID_PATTERN, ID_RULE);
}

export function readConnection(check: Checker, value: unknown, path: Path): RoleModelConnection | undefined {
  const map = check.mapping(
    value,
    path,
    ['id', 'name', 'connector', 'fulfillment', 'settings', 'onDrift', 'adoptExisting'],
    ['id', 'name', 'connector'],
  );
  if (!map) return undefined;
  const connectionId = id(check, map, path);
  const name = check.text(map, 'name', path);
  const connector = check.oneOf(map, 'connector', path, CONNECTOR_TYPES);
  let fulfillment = check.oneOf(map, 'fulfillment', path, FULFILLMENTS);
  if (connector === 'manual' && fulfillment === 'automatic') {
    check.problem(
      [...path, 'fulfillment'],
      'must be manual for a connection with connector manual (no agent can apply its orders)',
    );
  }
  fulfillment ??= connector === 'manual' ? 'manual' : 'automatic';
  const settings = readSettings(check, map.settings, [...path, 'settings']);
  const onDrift = check.oneOf(map, 'onDrift', path, DRIFT_RESPONSES) ?? 'report';
  const adoptExisting = check.boolean(map, 'adoptExisting', path, false);
  if (fulfillment === 'manual' && onDrift === 'restore') {
    // Nothing reads a manual connection back, so there is no drift to put back.
    check.problem([...path, 'onDrift'], 'must be report for a manual connection (nothing reads it back)');
  }
  if (connectionId === undefined || name === undefined || connector === undefined || !settings)
    return undefined;
  return { id: connectionId, name, connector, fulfillment, settings, onDrift, adoptExisting };
}

function readSettings(check: Checker, value: unknown, path: Path): Record<string, unknown> | undefined {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) return check.problem(path, 'must be a mapping');
  const settings = value as Mapping;
  for (const [key, setting] of Object.entries(settings)) {
    if (key.endsWith('Env')) {
      if (typeof setting !== 'string' || !ENV_NAME.test(setting)) {
        check.problem(
          [...path, key],
          'must be the NAME of an environment variable (e.g. APP_DB_PASSWORD), not a value',
        );
      }
    } else if (SECRET_LIKE.test(key)) {
      check.problem(
        [...path, key],
        `looks like a secret written into the file: put it in an environment variable and give its name as '${key}Env'`,
      );
    }
  }
  return settings;
}

function expression(
  check: Checker,
  map: Mapping,
  key: string,
  path: Path,
  fallback?: string,
): string | undefined {
  const source = check.expressionSource(map, key, path) ?? fallback;
  if (source === undefined) return undefined;
  const compiled = compileRuleExpression(source);
  if (!compiled.ok) return check.problem([...path, key], compiled.rule);
  return source;
}

function duration(
  check: Checker,
  map: Mapping,
  key: string,
  path: Path,
): { text: string; ms: number } | undefined {
  const text = check.text(map, key, path);
  if (text === undefined) return undefined;
  const parsed = parseDuration(text);
  if (!parsed.ok) return check.problem([...path, key], parsed.rule);
  return { text, ms: parsed.ms };
}

function readRetryPolicy(check: Checker, value: unknown, path: Path): RetryPolicy {
  if (value === undefined || value === null) return { ...DEFAULT_RETRY_POLICY };
  const map = check.mapping(value, path, ['maxAttempts', 'backoff', 'initialDelay', 'maxDelay']);
  if (!map) return { ...DEFAULT_RETRY_POLICY };
  const maxAttempts = check.integer(map, 'maxAttempts', path, 1) ?? DEFAULT_RETRY_POLICY.maxAttempts;
  const backoff = check.oneOf(map, 'backoff', path, BACKOFFS) ?? DEFAULT_RETRY_POLICY.backoff;
  const initialDelayMs =
    duration(check, map, 'initialDelay', path)?.ms ?? DEFAULT_RETRY_POLICY.initialDelayMs;
  const maxDelay = duration(check, map, 'maxDelay', path);
  // Without an explicit maximum, a long initial delay raises the default cap rather than being cut by it.
  const maxDelayMs = maxDelay?.ms ?? Math.max(DEFAULT_RETRY_POLICY.maxDelayMs, initialDelayMs);
  if (maxDelay && maxDelay.ms < initialDelayMs) {
    check.problem([...path, 'maxDelay'], 'must not be shorter than initialDelay');
  }
  return { maxAttempts, backoff, initialDelayMs, maxDelayMs };
}

function readAttributes(check: Checker, value: unknown, path: Path): Record<string, string> {
  const attributes: Record<string, string> = {};
  if (value === undefined || value === null) return attributes;
  if (typeof value !== 'object' || Array.isArray(value)) {
    check.problem(path, 'must be a mapping of attribute name to expression');
    return attributes;
  }
  const map = value as Mapping;
  for (const [attribute, source] of Object.entries(map)) {
    if (!ATTRIBUTE_NAME.test(attribute)) {
      check.problem(
        [...path, attribute],
        'is not a valid attribute name (letters, digits, _, . and -, starting with a letter)',
      );
    } else if (WRITE_ONLY_ATTRIBUTE.test(attribute)) {
      check.problem([...path, attribute], WRITE_ONLY_RULE);
    } else if (source === null || source === undefined) {
      // YAML reads both `name:` and `name: null` as null: the attribute is written empty.
      attributes[attribute] = 'null';
    } else {
      const checked = expression(check, map, attribute, path);
      if (checked !== undefined) attributes[attribute] = checked;
    }
  }
  return attributes;
}

export function readResourceType(
  check: Checker,
  value: unknown,
  path: Path,
): RoleModelResourceType | undefined {
  const allowed = [
    'id',
    'name',
    'connection',
    'accountRule',
    'accountKey',
    'attributes',
    'requiresProvisioningReview',
    'transmittedValidityPeriod',
    'retryPolicy',
    'generatePassword',
  ];
  const map = check.mapping(value, path, allowed, ['id', 'name', 'connection']);
  if (!map) return undefined;
  const resourceTypeId = id(check, map, path);
  const name = check.text(map, 'name', path);
  const connectionId = check.text(map, 'connection', path);
  const accountRule = expression(check, map, 'accountRule', path, 'true');
  const accountKey = expression(check, map, 'accountKey', path, 'login');
  const attributes = readAttributes(check, map.attributes, [...path, 'attributes']);
  const requiresProvisioningReview = check.boolean(map, 'requiresProvisioningReview', path, false);
  const validity = duration(check, map, 'transmittedValidityPeriod', path);
  const retryPolicy = readRetryPolicy(check, map.retryPolicy, [...path, 'retryPolicy']);
  const generatePassword = readGeneratePassword(check, map.generatePassword, [...path, 'generatePassword']);
  if (resourceTypeId === undefined || name === undefined || connectionId === undefined) return undefined;
  return {
    id: resourceTypeId,
    name,
    connectionId,
    accountRule: accountRule ?? 'true',
    accountKey: accountKey ?? 'login',
    attributes,
    requiresProvisioningReview,
    transmittedValidityPeriod: validity?.text ?? null,
    retryPolicy,
    // Only when given: role models without it keep their content hash.
    ...(generatePassword ? { generatePassword } : {}),
  };
}

export function readEntitlement(
  check: Checker,
  value: unknown,
  path: Path,
): RoleModelEntitlement | undefined {
  const allowed = ['id', 'name', 'resourceType', 'group', 'requiresProvisioningReview'];
  const map = check.mapping(value, path, allowed, ['id', 'name', 'resourceType']);
  if (!map) return undefined;
  const entitlementId = id(check, map, path);
  const name = check.text(map, 'name', path);
  const resourceTypeId = check.text(map, 'resourceType', path);
  const group = check.text(map, 'group', path);
  const requiresProvisioningReview = check.boolean(map, 'requiresProvisioningReview', path, false);
  if (entitlementId === undefined || name === undefined || resourceTypeId === undefined) return undefined;
  return {
    id: entitlementId,
    name,
    resourceTypeId,
    ...(group !== undefined ? { group } : {}),
    requiresProvisioningReview,
  };
}

export function readRule(check: Checker, value: unknown, path: Path): RoleModelRule | undefined {
  const map = check.mapping(value, path, ['id', 'entitlement', 'when'], ['id', 'entitlement', 'when']);
  if (!map) return undefined;
  const ruleId = id(check, map, path);
  const entitlementId = check.text(map, 'entitlement', path);
  const when = expression(check, map, 'when', path);
  if (ruleId === undefined || entitlementId === undefined || when === undefined) return undefined;
  return { id: ruleId, entitlementId, when };
}
