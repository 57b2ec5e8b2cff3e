/** What an observer does with one method call it was told of. */
export interface ObservedCall {
  /** Runs the call (tracing runs it in its span's context); by default it is just called. */
  run?<R>(call: () => R): R;
  /** The call returned, or its promise resolved. */
  ok(): void;
  /** The call threw, or its promise rejected; the error is passed on to the caller after this. */
  failed(error: unknown): void;
}

/**
 * `target` with every method call observed: `begin(operation, args)` before it, then `ok` or
 * `failed` once it returns or throws (for an async method, once its promise settles). Results and
 * errors reach the caller unchanged. Used to time connector calls and to trace them.
 */
export function observeCalls<T extends object>(
  target: T,
  begin: (operation: string, args: unknown[]) => ObservedCall,
): T {
  return new Proxy(target, {
    get(object, property, receiver) {
      const value = Reflect.get(object, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor')
        return value;
      return (...args: unknown[]) => {
        const observed = begin(property, args);
        const failed = (error: unknown) => {
          observed.failed(error);
          throw error;
        };
        try {
          const call = () => (value as (...a: unknown[]) => unknown).apply(object, args);
          const result = observed.run ? observed.run(call) : call();
          if (!(result instanceof Promise)) {
            observed.ok();
            return result;
          }
          return result.then((settled) => {
            observed.ok();
            return settled;
          }, failed);
        } catch (error) {
          return failed(error);
        }
      };
    },
  });
}
