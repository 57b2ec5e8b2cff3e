import type { OrderToApply } from '../connector';
import { checkOrder } from '../order-check';

/**
 * Distinguished names and attribute values, between the engine's terms (an account key, a group
 * name, attribute values computed by the role model) and LDAP's (RFC 4514 strings, lists of
 * text values), and the check of an order before anything is written. Pure functions, so the
 * rules are unit-tested without a server.
 */

/**
 * Escapes an RDN value (RFC 4514). Specials are written as hex pairs (`\2c`, not `\,`): ldapts
 * splits a new DN at its first comma not preceded by a backslash, which `\\,` would fool.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const c = value[i];
    const special =
      ',+"\\<>;=\u0000'.includes(c) ||
      (i === 0 && (c === ' ' || c === '#')) ||
      (i === value.length - 1 && c === ' ');
    out += special ? `\\${c.charCodeAt(0).toString(16).padStart(2, '0')}` : c;
  }
  return out;
}

export interface RdnPart {
  type: string;
  value: string;
}

/** Removes RFC 4514 escapes: `\,` and hex pairs, which may spell UTF-8 bytes of one character. */
function unescapeDnValue(raw: string): string {
  const bytes: number[] = [];
  let i = 0;
  const trimmed = raw.trim();
  if (trimmed.startsWith('"') && trimmed.endsWith('"') && trimmed.length >= 2) return trimmed.slice(1, -1);
  while (i < trimmed.length) {
    const c = trimmed[i];
    if (c === '\\' && /^[0-9a-fA-F]{2}$/.test(trimmed.slice(i + 1, i + 3))) {
      bytes.push(parseInt(trimmed.slice(i + 1, i + 3), 16));
      i += 3;
    } else {
      if (c === '\\' && i + 1 < trimmed.length) i += 1;
      // Whole code points, so that a character outside the BMP is not cut in two halves.
      const char = String.fromCodePoint(trimmed.codePointAt(i) as number);
      bytes.push(...Buffer.from(char, 'utf8'));
      i += char.length;
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Splits at separators not escaped by a backslash. */
function splitUnescaped(text: string, separator: string): string[] {
  const parts: string[] = [];
  let current = '';
  for (let i = 0; i < text.length; i++) {
    if (text[i] === '\\' && i + 1 < text.length) {
      current += text[i] + text[i + 1];
      i += 1;
    } else if (text[i] === separator) {
      parts.push(current);
      current = '';
    } else current += text[i];
  }
  parts.push(current);
  return parts;
}

/** A DN as its RDNs, each a list of type=value pairs (several for a multi-valued RDN). */
export function parseDn(dn: string): RdnPart[][] {
  if (dn.trim() === '') return [];
  return splitUnescaped(dn, ',').map((rdn) =>
    splitUnescaped(rdn, '+').map((pair) => {
      const at = pair.indexOf('=');
      return { type: pair.slice(0, at).trim(), value: unescapeDnValue(pair.slice(at + 1)) };
    }),
  );
}

/**
 * A comparable form of a DN: types and values lower-cased, escapes and spaces removed. DN
 * matching in directories is per attribute syntax; case-insensitive is right for the naming
 * attributes used here (uid, cn, ou, dc) and never matches two entries the server distinguishes.
 */
export function normalizeDn(dn: string | RdnPart[][]): string {
  const rdns = typeof dn === 'string' ? parseDn(dn) : dn;
  return rdns
    .map((rdn) =>
      rdn
        .map((p) => `${p.type.toLowerCase()}=${p.value.toLowerCase()}`)
        .sort()
        .join('+'),
    )
    .join(',');
}

/**
 * The value of `type` in the first RDN of `dn` when `dn` lies directly under `parentDn`
 * (`uid=jdoe,ou=people,...` → `jdoe`), otherwise undefined.
 */
export function childRdnValue(dn: string, type: string, parentDn: string): string | undefined {
  const rdns = parseDn(dn);
  if (rdns.length < 2 || normalizeDn(rdns.slice(1)) !== normalizeDn(parentDn)) return undefined;
  return rdns[0].find((p) => p.type.toLowerCase() === type.toLowerCase())?.value;
}

/**
 * The LDAP values of an attribute value computed by the role model: null, undefined and the empty
 * text mean "no value" (the attribute is removed), numbers and booleans are written as their text,
 * a list gives several values. Undefined for what cannot be written (objects).
 */
export function toLdapValues(value: unknown): string[] | undefined {
  if (value === null || value === undefined || value === '') return [];
  if (Array.isArray(value)) {
    const values: string[] = [];
    for (const item of value) {
      const converted = toLdapValues(item);
      if (converted === undefined || Array.isArray(item)) return undefined;
      values.push(...converted);
    }
    return values;
  }
  if (
    typeof value === 'string' ||
    typeof value === 'number' ||
    typeof value === 'boolean' ||
    typeof value === 'bigint'
  )
    return [String(value)];
  return undefined;
}

/** The values ldapts returned for one attribute, as text (binary values as base64). */
export function entryValues(raw: unknown): string[] {
  const list = Array.isArray(raw) ? raw : raw === undefined || raw === null ? [] : [raw];
  return list.map((v) => (Buffer.isBuffer(v) ? v.toString('base64') : String(v)));
}

/**
 * How synchronization reports an attribute: one value as a text, several as a list, none as
 * absent. The same shape a role model order has, so observation compares like with like.
 */
export function reportedValue(values: string[]): string | string[] | undefined {
  if (values.length === 0) return undefined;
  return values.length === 1 ? values[0] : values;
}

/** `Date` → LDAP GeneralizedTime in UTC (`20240131235959Z`), for modifyTimestamp filters. */
export function generalizedTime(date: Date): string {
  return date
    .toISOString()
    .replace(/[-:T]/g, '')
    .replace(/\.\d+Z$/, 'Z');
}

/** Finds an attribute in an ldapts entry whatever the case of its name (the server uses the schema's). */
export function entryAttribute(entry: Record<string, unknown>, name: string): unknown {
  const lower = name.toLowerCase();
  const key = Object.keys(entry).find((k) => k.toLowerCase() === lower);
  return key === undefined ? undefined : entry[key];
}

/** An attribute type with options (`cn`, `description;lang-de`, `userCertificate;binary`). */
const ATTRIBUTE_DESCRIPTION = /^[A-Za-z][A-Za-z0-9-]*(;[A-Za-z0-9-]+)*$/;

/**
 * The order's attributes as LDAP values, after checking the order is one this connection can
 * write; rejects (permanently: a retry sends the same order) with every problem at once.
 */
export function orderAttributes(order: OrderToApply, connectionId: string): Map<string, string[]> {
  const desired = new Map<string, string[]>();
  checkOrder(order, connectionId, {
    blankIsEmpty: true,
    attributeProblems: (attributes) => {
      const problems: string[] = [];
      for (const [name, value] of Object.entries(attributes)) {
        const values = toLdapValues(value);
        // A name with a space or a colon would be an encoding error, not the directory's message.
        if (!ATTRIBUTE_DESCRIPTION.test(name))
          problems.push(`attribute name '${name}' is not an LDAP attribute name`);
        else if (values === undefined)
          problems.push(`attribute ${name} must be a text, a number, a boolean or a list of them`);
        else desired.set(name, values);
      }
      return problems;
    },
  });
  return desired;
}
