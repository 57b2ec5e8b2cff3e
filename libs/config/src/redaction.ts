/**
 * Credentials inside URLs (`nats://user:secret@host`, `postgres://u:pw@db/x`, `ldaps://cn=x:pw@dc`)
 * are replaced by `***` wherever a URL may end up in a log line: configuration, driver errors,
 * connection failures. The user name stays (it says which account failed), the password goes.
 */
const URL_CREDENTIALS = /\b([a-z][a-z0-9+.-]*:\/\/)([^\s/?#@:'"]*):([^\s/?#@'"]*)@/gi;
/** `scheme://token@host`: a lone user part is often a token (nats://<token>@host). */
const URL_TOKEN = /\b((?:nats|tls|ws|wss):\/\/)([^\s/?#@:'"]+)@/gi;

export function redactCredentials(text: string): string {
  return text.replace(URL_CREDENTIALS, '$1$2:***@').replace(URL_TOKEN, '$1***@');
}

/**
 * The same for a value about to be logged: strings are redacted, objects and arrays copied with
 * their strings redacted (errors keep their name, message and stack). Depth-bounded, cycles cut.
 */
export function redactValue(value: unknown, depth = 0, seen = new WeakSet<object>()): unknown {
  if (typeof value === 'string') return redactCredentials(value);
  if (typeof value !== 'object' || value === null) return value;
  if (depth > 8 || seen.has(value)) return '[…]';
  seen.add(value);
  if (value instanceof Error) {
    const copy = new Error(redactCredentials(value.message));
    copy.name = value.name;
    copy.stack = value.stack === undefined ? undefined : redactCredentials(value.stack);
    return copy;
  }
  if (Array.isArray(value)) return value.map((item) => redactValue(item, depth + 1, seen));
  const copy: Record<string, unknown> = {};
  for (const [key, item] of Object.entries(value)) copy[key] = redactValue(item, depth + 1, seen);
  return copy;
}
