import { CommandErrorStatus, isCommandErrorStatus } from './command-error-payload';

/**
 * Which thrown errors are *domain* errors, and which status each one answers with.
 *
 * Only errors this mapping knows are passed to the caller with their message; everything else
 * is an internal error whose text stays in the server log. That is deliberate: a driver error
 * (`code: 'ECONNREFUSED'`, a PostgreSQL `code: '23505'` with the offending row in its message)
 * also carries a `code`, and its text must not reach an API client. A service registers its
 * own domain errors once at start-up (`registerErrorStatus('QuotaExceededError', 422)`).
 */

/** The part of a thrown value the mapping looks at. */
export interface ErrorIdentity {
  /** Its class name and `error.name` (one entry when they agree); never the bare `Error`. */
  names: string[];
  /** The names of its base classes, nearest first (`['DomainError']`), without `Error`. */
  bases: string[];
  code?: string;
}

/** Names and codes every service treats the same way, so callers can rely on them. */
export const DEFAULT_ERROR_STATUSES: Readonly<Record<string, CommandErrorStatus>> = {
  /**
   * Base class of the domain's rule violations (`libs/domain`): a subclass that nothing more
   * specific matches was refused by a business rule in the current state, which is a 409.
   */
  DomainError: 409,
  ValidationError: 400,
  InvalidTransitionError: 409,
  WrongExpectedVersionError: 409,
  ConcurrencyError: 409,
  AlreadyExistsError: 409,
  AlreadyExists: 409,
};

/** Families of errors recognised by the end of their name (`OrderNotFoundError`, ...). */
export const DEFAULT_ERROR_SUFFIXES: Readonly<Record<string, CommandErrorStatus>> = {
  NotFoundError: 404,
  AlreadyExistsError: 409,
};

function assertStatus(key: string, status: unknown): asserts status is CommandErrorStatus {
  if (typeof key !== 'string' || key.length === 0) {
    throw new Error(`an error name or code must be a non-empty string, got ${JSON.stringify(key)}`);
  }
  if (!isCommandErrorStatus(status)) {
    throw new Error(`unsupported command error status ${JSON.stringify(status)} for ${key}`);
  }
}

/** Reads the names and code of anything that was thrown; `undefined` for non-objects. */
export function identifyError(error: unknown): ErrorIdentity | undefined {
  if (typeof error !== 'object' || error === null) return undefined;
  const chain: string[] = [];
  for (let proto = Object.getPrototypeOf(error); proto && proto !== Object.prototype;) {
    const name = (proto.constructor as { name?: unknown } | undefined)?.name;
    if (typeof name === 'string' && name.length > 0) chain.push(name);
    proto = Object.getPrototypeOf(proto);
  }
  const usable = (n: unknown): n is string => typeof n === 'string' && n.length > 0 && n !== 'Error';
  // A `name` inherited from a base class (`DomainError` sets it, a subclass does not) describes
  // the base, not this error, so it must not outrank the class's own name.
  const ownName = (error as { name?: unknown }).name;
  const inherited = typeof ownName === 'string' && chain.slice(1).includes(ownName);
  const names = [chain[0], inherited ? undefined : ownName].filter(
    (n, i, all): n is string => usable(n) && all.indexOf(n) === i,
  );
  const bases = chain.slice(1).filter((n) => usable(n) && !names.includes(n));
  const rawCode = (error as { code?: unknown }).code;
  const code = typeof rawCode === 'string' && rawCode.length > 0 ? rawCode : undefined;
  return { names, bases, code };
}

export class ErrorStatusMapping {
  private readonly exact = new Map<string, CommandErrorStatus>();
  private readonly suffixes = new Map<string, CommandErrorStatus>();

  /**
   * @param statuses extra exact names/codes, applied over the defaults
   * @param options.defaults start from {@link DEFAULT_ERROR_STATUSES} and {@link DEFAULT_ERROR_SUFFIXES}
   */
  constructor(statuses: Record<string, CommandErrorStatus> = {}, options: { defaults?: boolean } = {}) {
    if (options.defaults ?? true) {
      for (const [key, status] of Object.entries(DEFAULT_ERROR_STATUSES)) this.register(key, status);
      for (const [suffix, status] of Object.entries(DEFAULT_ERROR_SUFFIXES))
        this.registerSuffix(suffix, status);
    }
    for (const [key, status] of Object.entries(statuses)) this.register(key, status);
  }

  /** Maps an error name (`OrderLockedError`) or code (`OrderLocked`) to a status. */
  register(nameOrCode: string, status: CommandErrorStatus): this {
    assertStatus(nameOrCode, status);
    this.exact.set(nameOrCode, status);
    return this;
  }

  /** Maps every error whose name ends with `suffix` to a status. */
  registerSuffix(suffix: string, status: CommandErrorStatus): this {
    assertStatus(suffix, status);
    this.suffixes.set(suffix, status);
    return this;
  }

  /** A copy that can be extended without changing this mapping. */
  clone(): ErrorStatusMapping {
    const copy = new ErrorStatusMapping({}, { defaults: false });
    for (const [key, status] of this.exact) copy.register(key, status);
    for (const [suffix, status] of this.suffixes) copy.registerSuffix(suffix, status);
    return copy;
  }

  /**
   * The status for a thrown value, or `undefined` when it is not a known domain error. The most
   * specific class decides: its exact name, then the error's code, then a suffix family; only
   * then its base classes (exact name, suffix). So `OrderNotFoundError extends DomainError` is a
   * 404 by its suffix, not a 409 by its base class, and a registration can override a family.
   */
  statusFor(error: unknown): CommandErrorStatus | undefined {
    const identity = identifyError(error);
    if (!identity) return undefined;
    for (const name of identity.names) {
      if (this.exact.has(name)) return this.exact.get(name);
    }
    if (identity.code !== undefined && this.exact.has(identity.code)) return this.exact.get(identity.code);
    for (const name of identity.names) {
      const status = this.bySuffix(name);
      if (status !== undefined) return status;
    }
    for (const name of identity.bases) {
      const status = this.exact.get(name) ?? this.bySuffix(name);
      if (status !== undefined) return status;
    }
    return undefined;
  }

  private bySuffix(name: string): CommandErrorStatus | undefined {
    for (const [suffix, status] of this.suffixes) {
      if (name.endsWith(suffix)) return status;
    }
    return undefined;
  }
}

/** The mapping a `CommandExceptionFilter` uses unless it is given its own. */
export const defaultErrorStatusMapping = new ErrorStatusMapping();

/**
 * Registers a domain error for every `CommandExceptionFilter` that uses the default mapping.
 * Call it at start-up, before the first command is handled.
 */
export function registerErrorStatus(nameOrCode: string, status: CommandErrorStatus): void {
  defaultErrorStatusMapping.register(nameOrCode, status);
}
