import { context, trace } from '@opentelemetry/api';
import { engineTracer, failSpan, SpanKind } from '@prov/messaging';

/** What a connector call's span says about its first argument: the order's change, never its values. */
function orderAttributes(argument: unknown): Record<string, string> {
  if (typeof argument !== 'object' || argument === null) return {};
  const { changeType, orderId } = argument as { changeType?: unknown; orderId?: unknown };
  return {
    ...(typeof changeType === 'string' ? { 'prov.order.change_type': changeType } : {}),
    ...(typeof orderId === 'string' ? { 'prov.order.id': orderId } : {}),
  };
}

/**
 * A connector whose every call runs in a span `connector <operation>` naming the
 * connection and the operation (apply, readAll, test, close): the part of a trace spent in the
 * managed system. Attribute values and account data stay out of the span.
 */
export function traceConnector<T extends object>(connector: T, connection: string): T {
  return new Proxy(connector, {
    get(target, property, receiver) {
      const value = Reflect.get(target, property, receiver) as unknown;
      if (typeof value !== 'function' || typeof property !== 'string' || property === 'constructor')
        return value;
      return (...args: unknown[]) => {
        const attributes = {
          'prov.connection.id': connection,
          'prov.connector.operation': property,
          ...orderAttributes(args[0]),
        };
        const span = engineTracer().startSpan(`connector ${property}`, { kind: SpanKind.CLIENT, attributes });
        const failed = (error: unknown) => {
          failSpan(span, error);
          span.end();
          throw error;
        };
        try {
          const result = context.with(trace.setSpan(context.active(), span), () =>
            (value as (...a: unknown[]) => unknown).apply(target, args),
          );
          if (!(result instanceof Promise)) {
            span.end();
            return result;
          }
          return result.then((settled) => {
            span.end();
            return settled;
          }, failed);
        } catch (error) {
          return failed(error);
        }
      };
    },
  });
}
