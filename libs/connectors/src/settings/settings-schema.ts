import {
  didYouMean,
  MissingSecretError,
  resolveConnectionSecret,
  type Environment,
  type RoleModelConnection,
} from '@prov/role-model';
import { ConnectorConfigurationError } from '../errors';

/**
 * The small engine the connectors' settings schemas are read with (ADR 0034). A connector
 * declares its settings as a shape: one rule per setting (type, default or required, format,
 * nested mapping). Reading reports each problem as `settings.<path> <rule>` and carries on with a
 * fallback, so a connection's every problem is listed at once; unknown keys come first in each
 * mapping, with the known ones and the closest one when it looks like a typo.
 */

export type Settings = Readonly<Record<string, unknown>>;

/** Where a rule reads, and where it reports its problems. */
export class At {
  constructor(
    readonly connection: RoleModelConnection,
    readonly env: Environment,
    private readonly problems: string[],
    readonly path = '',
  ) {}

  /** How messages name the setting: `settings.tls.caFileEnv`. */
  get name(): string {
    return `settings.${this.path}`;
  }

  child(key: string): At {
    return new At(this.connection, this.env, this.problems, this.path ? `${this.path}.${key}` : key);
  }

  /** The setting breaks `rule` ("must be ..."). */
  problem(rule: string): undefined {
    this.problems.push(`${this.name} ${rule}`);
    return undefined;
  }

  /** A problem that is not the setting's own rule: an environment variable, a file. */
  say(message: string): undefined {
    this.problems.push(message);
    return undefined;
  }
}

export interface Rule<T> {
  read(value: unknown, at: At): T;
  /** The name the connector knows the value by, when not the setting's (`tokenEnv` gives `token`). */
  readonly as?: string;
}

type Shape = Record<string, Rule<unknown>>;
type ValueOf<R> = R extends Rule<infer T> ? T : never;
type NameOf<K, R> = R extends { readonly as: infer A extends string } ? A : K;
type Flat<T> = { [K in keyof T]: T[K] };
/** What a shape reads into: settings that may be absent are optional properties. */
export type Read<S extends Shape> = Flat<
  { [K in keyof S as undefined extends ValueOf<S[K]> ? never : NameOf<K, S[K]>]: ValueOf<S[K]> } & {
    [K in keyof S as undefined extends ValueOf<S[K]> ? NameOf<K, S[K]> : never]?: Exclude<
      ValueOf<S[K]>,
      undefined
    >;
  }
>;

const absent = (value: unknown): value is undefined | null => value === undefined || value === null;

export function isMapping(value: unknown): value is Settings {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function readShape<S extends Shape>(shape: S, value: Settings, at: At, what: string): Read<S> {
  const known = Object.keys(shape);
  for (const key of Object.keys(value)) {
    if (!known.includes(key))
      at.child(key).problem(`is not ${what} (known: ${known.join(', ')})${didYouMean(key, known)}`);
  }
  const read: Record<string, unknown> = {};
  for (const [key, rule] of Object.entries(shape)) {
    const setting = rule.read(value[key], at.child(key));
    if (setting !== undefined) read[rule.as ?? key] = setting;
  }
  return read as Read<S>;
}

/**
 * A connector's settings reader: reads `shape`, lets `finish` check what spans settings and build
 * the connector's settings, and throws one configuration error listing every problem.
 */
export function connectorSettings<S extends Shape, T>(
  connector: string,
  shape: S,
  finish: (read: Read<S>, at: At) => T,
): (connection: RoleModelConnection, env: Environment) => T {
  return (connection, env) => {
    const problems: string[] = [];
    const at = new At(connection, env, problems);
    const settings = finish(
      readShape(shape, connection.settings, at, `a setting of the ${connector} connector`),
      at,
    );
    if (problems.length > 0) {
      throw new ConnectorConfigurationError(
        `${connector} connection '${connection.id}' is misconfigured: ${problems.join('; ')}`,
        { code: 'CONFIGURATION' },
      );
    }
    return settings;
  };
}

/** A nested mapping of settings; `rule` says what it must be when it is not a mapping. */
export function mapping<S extends Shape>(
  shape: S,
  options: { rule: string; default: Read<S>; what?: string; check?: (read: Read<S>, at: At) => void },
): Rule<Read<S>> {
  return {
    read(value, at) {
      if (absent(value)) return options.default;
      if (!isMapping(value)) {
        at.problem(options.rule);
        return options.default;
      }
      const read = readShape(shape, value, at, options.what ?? `a setting of ${at.path}`);
      options.check?.(read, at);
      return read;
    },
  };
}

interface FieldOptions<T> {
  /** The value of an absent setting; without one the setting is required. */
  default?: T;
  /** A further rule on a well-formed value, reporting its own problem. */
  check?: (value: T, at: At) => void;
}

/** A setting that `accept` takes (giving its value) or refuses (undefined), as `rule` says. */
export function field<T>(
  accept: (value: unknown) => T | undefined,
  rule: string,
  fallback: T,
  { default: byDefault, check }: FieldOptions<T> = {},
): Rule<T> {
  // A list default is copied, so that no connector can change another's.
  const initial = () => (Array.isArray(byDefault) ? ([...byDefault] as T) : (byDefault as T));
  return {
    read(value, at) {
      if (absent(value) && byDefault !== undefined) return initial();
      const accepted = absent(value) ? undefined : accept(value);
      if (accepted === undefined) {
        at.problem(rule);
        return byDefault === undefined ? fallback : initial();
      }
      check?.(accepted, at);
      return accepted;
    },
  };
}

export function optional<T>(rule: Rule<T>): Rule<T | undefined> {
  return { read: (value, at) => (absent(value) ? undefined : rule.read(value, at)) };
}

/** The connector knows the setting by another name (`bindPasswordEnv` gives `bindPassword`). */
export function renamed<T, A extends string>(as: A, rule: Rule<T>): Rule<T> & { readonly as: A } {
  return { read: (value, at) => rule.read(value, at), as };
}

type Test = RegExp | ((text: string) => boolean);
const passes = (test: Test | undefined, text: string) =>
  test === undefined || (typeof test === 'function' ? test(text) : test.test(text));

/** A non-empty text passing `test`, trimmed. */
export function text(rule: string, options: FieldOptions<string> & { test?: Test } = {}): Rule<string> {
  const accept = (value: unknown) =>
    typeof value === 'string' && value.trim() !== '' && passes(options.test, value)
      ? value.trim()
      : undefined;
  return field(accept, rule, '', options);
}

export function wholeNumber(
  byDefault: number,
  { min = 1, max }: { min?: number; max?: number } = {},
): Rule<number> {
  const range = max === undefined ? `of at least ${min}` : `from ${min} to ${max}`;
  const accept = (value: unknown) =>
    typeof value === 'number' &&
    Number.isInteger(value) &&
    value >= min &&
    (max === undefined || value <= max)
      ? value
      : undefined;
  return field(accept, `must be a whole number ${range}`, byDefault, { default: byDefault });
}

export function flag(byDefault: boolean, check?: FieldOptions<boolean>['check']): Rule<boolean> {
  const accept = (value: unknown) => (typeof value === 'boolean' ? value : undefined);
  return field(accept, 'must be true or false', byDefault, { default: byDefault, check });
}

export function oneOf<T extends string>(
  values: readonly T[],
  byDefault: T,
  rule = `must be one of ${values.join(', ')}`,
): Rule<T> {
  const accept = (value: unknown) => values.find((v) => v === value);
  return field(accept, rule, byDefault, { default: byDefault });
}

/** A list of texts each passing `test`, without repeats. */
export function list(
  test: Test,
  rule: string,
  options: FieldOptions<string[]> & { nonEmpty?: boolean } = {},
): Rule<string[]> {
  const accept = (value: unknown) =>
    Array.isArray(value) &&
    !(options.nonEmpty && value.length === 0) &&
    value.every((item) => typeof item === 'string' && passes(test, item))
      ? [...new Set(value as string[])]
      : undefined;
  return field(accept, rule, [], options);
}

/** A mapping of names to texts each passing `test` (`itemRule` names the one that does not). */
export function record(test: Test, itemRule: string, rule: string): Rule<Readonly<Record<string, string>>> {
  return {
    read(value, at) {
      const read: Record<string, string> = {};
      if (!absent(value) && !isMapping(value)) at.problem(rule);
      for (const [key, item] of Object.entries(isMapping(value) ? value : {})) {
        if (key.trim() === '') at.problem('has an empty name');
        else if (typeof item === 'string' && passes(test, item)) read[key] = item;
        else at.child(key).problem(itemRule);
      }
      return Object.freeze(read);
    },
  };
}

/**
 * A secret named by a top-level `...Env` setting, read from the environment by the role model's
 * one reader of secrets. Its value is never put into a message, only the variable's name.
 */
export function secret(valueRule?: { test: (value: string) => boolean; rule: string }): Rule<string> {
  return {
    read(variable, at) {
      try {
        const value = resolveConnectionSecret(at.connection, at.path, at.env);
        if (valueRule && !valueRule.test(value))
          at.say(`the environment variable ${String(variable)} (${at.name}) ${valueRule.rule}`);
        return value;
      } catch (error) {
        if (!(error instanceof MissingSecretError)) throw error;
        at.say(error.message);
        return '';
      }
    },
  };
}
