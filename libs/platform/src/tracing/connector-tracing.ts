import { context, trace } from '@opentelemetry/api';
import { engineTracer, failSpan, SpanKind } from '@prov/messaging';
import { observeCalls } from '../observed-calls';

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
  return observeCalls(connector, (operation, args) => {
    const attributes = {
      'prov.connection.id': connection,
      'prov.connector.operation': operation,
      ...orderAttributes(args[0]),
    };
    const span = engineTracer().startSpan(`connector ${operation}`, { kind: SpanKind.CLIENT, attributes });
    return {
      run: (call) => context.with(trace.setSpan(context.active(), span), call),
      ok: () => span.end(),
      failed: (error) => {
        failSpan(span, error);
        span.end();
      },
    };
  });
}
