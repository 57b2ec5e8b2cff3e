import type { RoleModelIssue } from '../errors';

/**
 * The small toolkit the file validation is written with. Every check records a problem and
 * carries on (returning undefined), so one pass over the file reports all of its mistakes.
 */

export type Path = ReadonlyArray<string | number>;

/** `['resourceTypes', 1, 'attributes', 'displayName']` → `resourceTypes[1].attributes.displayName`. */
export function formatPath(path: Path): string {
  let out = '';
  for (const segment of path) {
    if (typeof segment === 'number') out += `[${segment}]`;
    else if (/^[A-Za-z_$][\w$]*$/.test(segment)) out += out ? `.${segment}` : segment;
    else out += `[${JSON.stringify(segment)}]`;
  }
  return out;
}

export type Mapping = Record<string, unknown>;

function describe(value: unknown): string {
  if (value === null || value === undefined) return 'nothing';
  if (Array.isArray(value)) return 'a list';
  if (typeof value === 'object') return 'a mapping';
  return `${typeof value} ${JSON.stringify(value)}`;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0];
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j];
      row[j] = Math.min(row[j] + 1, row[j - 1] + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length];
}

/** The closest allowed key, when the unknown one looks like a typo of it. */
export function suggestion(key: string, allowed: readonly string[]): string {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of allowed) {
    const d = editDistance(key.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) [best, bestDistance] = [candidate, d];
  }
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(key.length / 3))
    ? `; did you mean '${best}'?`
    : '';
}

export class Checker {
  readonly issues: RoleModelIssue[] = [];

  constructor(
    readonly file: string,
    private readonly lineOf: (path: Path) => number | undefined,
  ) {}

  problem(path: Path, rule: string): undefined {
    const line = this.lineOf(path);
    this.issues.push({ file: this.file, path: formatPath(path), rule, ...(line ? { line } : {}) });
    return undefined;
  }

  /** A mapping with only the allowed keys (unknown keys are typos until proven otherwise) and the required ones. */
  mapping(
    value: unknown,
    path: Path,
    allowed: readonly string[],
    required: readonly string[] = [],
  ): Mapping | undefined {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) {
      return this.problem(path, `must be a mapping, got ${describe(value)}`);
    }
    const map = value as Mapping;
    for (const key of Object.keys(map)) {
      if (!allowed.includes(key)) {
        this.problem(
          [...path, key],
          `unknown key (allowed: ${allowed.join(', ')})${suggestion(key, allowed)}`,
        );
      }
    }
    for (const key of required) {
      if (map[key] === undefined || map[key] === null) this.problem([...path, key], 'is required');
    }
    return map;
  }

  list(value: unknown, path: Path): unknown[] | undefined {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) return this.problem(path, `must be a list, got ${describe(value)}`);
    return value;
  }

  /** A non-empty text; `pattern` adds a format rule, stated in `patternRule`. */
  text(map: Mapping, key: string, path: Path, pattern?: RegExp, patternRule?: string): string | undefined {
    const value = map[key];
    if (value === undefined || value === null) return undefined; // reported by mapping() when required
    if (typeof value !== 'string' || value.trim() === '') {
      return this.problem([...path, key], `must be a non-empty text, got ${describe(value)}`);
    }
    if (pattern && !pattern.test(value))
      return this.problem([...path, key], patternRule ?? `must match ${pattern}`);
    return value;
  }

  oneOf<T extends string>(map: Mapping, key: string, path: Path, values: readonly T[]): T | undefined {
    const value = map[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'string' || !values.includes(value as T)) {
      return this.problem([...path, key], `must be one of ${values.join(', ')}, got ${describe(value)}`);
    }
    return value as T;
  }

  boolean(map: Mapping, key: string, path: Path, fallback: boolean): boolean {
    const value = map[key];
    if (value === undefined || value === null) return fallback;
    if (typeof value !== 'boolean') {
      this.problem([...path, key], `must be true or false, got ${describe(value)}`);
      return fallback;
    }
    return value;
  }

  integer(map: Mapping, key: string, path: Path, min: number): number | undefined {
    const value = map[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value !== 'number' || !Number.isInteger(value) || value < min) {
      return this.problem(
        [...path, key],
        `must be a whole number of at least ${min}, got ${describe(value)}`,
      );
    }
    return value;
  }

  /**
   * An expression's source. YAML scalars that are not texts (`true`, `42`) are taken as the
   * expression they spell, so `accountRule: true` works as one would expect.
   */
  expressionSource(map: Mapping, key: string, path: Path): string | undefined {
    const value = map[key];
    if (value === undefined || value === null) return undefined;
    if (typeof value === 'boolean' || typeof value === 'number') return String(value);
    if (typeof value !== 'string') {
      return this.problem([...path, key], `must be an expression (a text), got ${describe(value)}`);
    }
    return value;
  }
}
