/**
 * The shape of one entry of the configuration schema: enough to validate a value, to say what
 * the rule is when it is wrong, and to render the one table in docs/operations.md.
 */
export const SERVICE_NAMES = ['gateway', 'requests', 'review', 'orders', 'agent', 'projector'] as const;
export type ServiceName = (typeof SERVICE_NAMES)[number];

interface Common {
  name: string;
  /** The services that read it; `all` for every service. */
  services: 'all' | readonly ServiceName[];
  /** The default as documented (undefined: unset). Integers and enums also get it typed below. */
  default?: string;
  /** One sentence for operators. */
  doc: string;
  /** Its value is a credential: never echoed in a message. */
  secret?: boolean;
}

export type VariableSpec = Common &
  (
    | { type: 'integer'; min: number; max: number; unit: string }
    | { type: 'enum'; values: readonly string[] }
    | { type: 'boolean' }
    /** URLs whose scheme is one of `schemes`; `list` allows several, comma-separated. */
    | { type: 'url'; schemes: readonly string[]; list?: boolean }
    /** Free text checked by the service's own reader (keys, mappings, paths). */
    | { type: 'string'; pattern?: RegExp; rule?: string }
  );

export function rule(spec: VariableSpec): string {
  switch (spec.type) {
    case 'integer':
      return `an integer from ${spec.min} to ${spec.max} (${spec.unit})`;
    case 'enum':
      return `one of ${spec.values.join(', ')}`;
    case 'boolean':
      return "'true' or 'false'";
    case 'url':
      return `${spec.list ? 'a comma-separated list of URLs' : 'a URL'} with scheme ${spec.schemes.map((s) => `${s}://`).join(' or ')}`;
    case 'string':
      return spec.rule ?? 'text';
  }
}

/** The problem with `raw` for `spec`, or undefined when it is valid. Secrets are never echoed. */
export function checkValue(spec: VariableSpec, raw: string): string | undefined {
  const shown = spec.secret ? '' : `, got '${raw.length > 80 ? `${raw.slice(0, 80)}…` : raw}'`;
  const wrong = () => `${spec.name} must be ${rule(spec)}${shown}`;
  switch (spec.type) {
    case 'integer': {
      const value = Number(raw.trim());
      const ok =
        /^-?\d+$/.test(raw.trim()) && Number.isSafeInteger(value) && value >= spec.min && value <= spec.max;
      return ok ? undefined : wrong();
    }
    case 'enum':
      return spec.values.includes(raw) ? undefined : wrong();
    case 'boolean':
      return raw === 'true' || raw === 'false' ? undefined : wrong();
    case 'url': {
      const items = spec.list
        ? raw
            .split(',')
            .map((s) => s.trim())
            .filter(Boolean)
        : [raw];
      const ok = items.length > 0 && items.every((item) => validUrl(item, spec.schemes));
      return ok ? undefined : wrong();
    }
    case 'string':
      return spec.pattern && !spec.pattern.test(raw) ? wrong() : undefined;
  }
}

function validUrl(text: string, schemes: readonly string[]): boolean {
  if (/\s/.test(text)) return false;
  try {
    return schemes.includes(new URL(text).protocol.replace(/:$/, ''));
  } catch {
    return false;
  }
}

export function appliesTo(spec: VariableSpec, service: ServiceName | undefined): boolean {
  return spec.services === 'all' || service === undefined || spec.services.includes(service);
}
