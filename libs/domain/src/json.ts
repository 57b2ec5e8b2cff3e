/** Small helpers for the JSON-safe values events carry. */
import type { CopyWith } from './copy-with';

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/**
 * Structural equality for JSON-safe values (what events and order changes carry): objects are
 * compared key by key regardless of key order, arrays element by element. A key whose value is
 * `undefined` counts as absent, as it would after a JSON round trip.
 */
export function jsonEqual(a: unknown, b: unknown): boolean {
  if (Object.is(a, b)) return true;
  if (typeof a !== 'object' || typeof b !== 'object' || a === null || b === null) return false;
  if (Array.isArray(a) !== Array.isArray(b)) return false;
  if (Array.isArray(a) && Array.isArray(b)) {
    return a.length === b.length && a.every((item, index) => jsonEqual(item, b[index]));
  }
  if (a instanceof Date || b instanceof Date) {
    return a instanceof Date && b instanceof Date && a.getTime() === b.getTime();
  }
  const left = a as Record<string, unknown>;
  const right = b as Record<string, unknown>;
  const keys = new Set([...Object.keys(left), ...Object.keys(right)]);
  for (const key of keys) {
    if (!jsonEqual(left[key], right[key])) return false;
  }
  return true;
}

/**
 * A copy of `value` without the keys whose value is `undefined`, so that optional event fields
 * are absent rather than present-and-undefined (events are compared and stored as JSON).
 */
export function withoutUndefined<T extends object>(value: T): T {
  // A loop, not entries/filter/fromEntries: every event the domain decides passes here, and the
  // key-value pairs those build were garbage at once.
  const copy: Record<string, unknown> = {};
  for (const key of Object.keys(value)) {
    const item = (value as Record<string, unknown>)[key];
    if (item !== undefined) put(copy, key, item);
  }
  return copy as T;
}

/** `target[key] = item`, except that a `__proto__` key (parsed JSON may hold one) stays a property. */
function put(target: Record<string, unknown>, key: string, item: unknown): void {
  if (key === '__proto__')
    Object.defineProperty(target, key, { value: item, enumerable: true, writable: true, configurable: true });
  else target[key] = item;
}

/**
 * An event's data: `withoutUndefined({ ...head, ...rest })`, built in one copy without the spread
 * (ADR 0089: in Node 20 a literal that adds fields after a spread takes V8's slow path). The keys
 * come in the spread's order: `head`'s first, where `rest` may replace their values, then `rest`'s own.
 */
export function eventData<T extends object, const U extends object>(head: T, rest: U): CopyWith<T, U> {
  const from = head as Record<string, unknown>;
  const over = rest as Record<string, unknown>;
  const data: Record<string, unknown> = {};
  for (const key of Object.keys(from)) {
    const item = Object.hasOwn(over, key) ? over[key] : from[key];
    if (item !== undefined) put(data, key, item);
  }
  for (const key of Object.keys(over)) {
    if (Object.hasOwn(from, key)) continue;
    const item = over[key];
    if (item !== undefined) put(data, key, item);
  }
  return data as CopyWith<T, U>;
}
