/**
 * Encodings Active Directory insists on, kept apart from the connector so they can be unit tested
 * without a directory.
 */

/**
 * The value of `unicodePwd`: the password enclosed in double quotes, encoded as UTF-16LE. AD only
 * accepts it over an encrypted connection, and only as a whole replace (a set by an administrator)
 * or a delete-old/add-new pair (a change by the user).
 */
export function encodeUnicodePwd(password: string): Buffer {
  return Buffer.from(`"${password}"`, 'utf16le');
}

/**
 * Escapes an attribute value for use in a DN (RFC 4514 §2.4): the special characters get a
 * backslash, a leading '#' or space and a trailing space too, control characters become \XX.
 */
export function escapeDnValue(value: string): string {
  let out = '';
  for (let i = 0; i < value.length; i++) {
    const ch = value.charAt(i);
    const code = ch.charCodeAt(0);
    if (code < 0x20 || code === 0x7f) out += `\\${code.toString(16).padStart(2, '0').toUpperCase()}`;
    else if (',+"\\<>;='.includes(ch)) out += `\\${ch}`;
    else if ((i === 0 && (ch === '#' || ch === ' ')) || (i === value.length - 1 && ch === ' '))
      out += `\\${ch}`;
    else out += ch;
  }
  return out;
}

/** `CN=<value>,<parent>` with the value escaped. */
export function childDn(attribute: string, value: string, parentDn: string): string {
  return `${attribute}=${escapeDnValue(value)},${parentDn}`;
}

/** Undoes escapeDnValue (and the \XX hex form a server may return), for reading a CN back out of a DN. */
export function unescapeDnValue(value: string): string {
  const bytes: number[] = [];
  const text = Buffer.from(value, 'utf8');
  for (let i = 0; i < text.length; i++) {
    if (text[i] === 0x5c && i + 1 < text.length) {
      const hex = text.subarray(i + 1, i + 3).toString('latin1');
      if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
        bytes.push(parseInt(hex, 16));
        i += 2;
      } else {
        bytes.push(text[i + 1] as number);
        i += 1;
      }
    } else {
      bytes.push(text[i] as number);
    }
  }
  return Buffer.from(bytes).toString('utf8');
}

/** Where the first unescaped comma of a DN is (the end of its first RDN), or its length. */
function firstRdnEnd(dn: string): number {
  for (let i = 0; i < dn.length; i++) {
    if (dn[i] === '\\') i++;
    else if (dn[i] === ',') return i;
  }
  return dn.length;
}

/** The DN of the entry's container: `CN=a\, b,OU=x,DC=y` → `OU=x,DC=y`. */
export function parentDn(dn: string): string {
  return dn.slice(firstRdnEnd(dn) + 1).trim();
}

/** The first RDN's attribute type and (unescaped) value: `OU=Sales\, EMEA,DC=x` → ['OU', 'Sales, EMEA']. */
export function firstRdn(dn: string): { type: string; value: string } {
  const rdn = dn.slice(0, firstRdnEnd(dn));
  const eq = rdn.indexOf('=');
  return { type: rdn.slice(0, eq).trim(), value: unescapeDnValue(rdn.slice(eq + 1)) };
}

/** DNs compare case-insensitively in AD; servers also differ in spaces after commas. */
export function normalizeDn(dn: string): string {
  return dn.replace(/,\s+/g, ',').toLowerCase();
}

/**
 * The LDAP values for an order's attribute value: nothing for null/undefined/'' (the attribute
 * must be absent), the text otherwise. Numbers and booleans are written as text, which is how
 * readAll returns them and how isOrderObserved compares them.
 */
export function ldapValues(value: unknown): string[] {
  if (value === null || value === undefined || value === '') return [];
  if (Array.isArray(value)) return value.flatMap(ldapValues);
  return [typeof value === 'object' ? JSON.stringify(value) : String(value)];
}

/** userAccountControl bits the connector touches. */
export const UAC_ACCOUNTDISABLE = 0x2;
export const UAC_NORMAL_ACCOUNT = 0x200;
/** A security group with global scope: visible in the whole forest, members from its own domain. */
export const GLOBAL_SECURITY_GROUP = String(-2147483646);
