import { collectDefaultMetrics, Counter, Histogram, Registry } from 'prom-client';
import type { EventData, EventStore } from '@prov/event-store';
import { observeCalls } from '../observed-calls';

/**
 * The process's Prometheus registry and the metrics every service shares. One registry per
 * process: `/metrics` of the health listener serves it; series are labelled by the scraper with
 * the instance, so two replicas never clash.
 */
export const metricsRegistry = new Registry();
let defaultsCollected = false;

/** Process metrics (CPU, memory, event loop lag, handles) with the service as a label. */
export function collectProcessMetrics(service: string): void {
  if (defaultsCollected) return;
  defaultsCollected = true;
  metricsRegistry.setDefaultLabels({ service });
  collectDefaultMetrics({ register: metricsRegistry, prefix: 'prov_' });
}

const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30];

export const httpRequestSeconds = new Histogram({
  name: 'prov_http_request_duration_seconds',
  help: 'HTTP requests by method, route (the pattern, not the path) and status',
  labelNames: ['method', 'route', 'status'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const eventStoreAppendSeconds = new Histogram({
  name: 'prov_event_store_append_duration_seconds',
  help: 'Appends to the event store, by outcome',
  labelNames: ['outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const orderTransitions = new Counter({
  name: 'prov_order_transitions_total',
  help: 'Provisioning order transitions appended by this process, by event (rate() gives transitions per second)',
  labelNames: ['event'] as const,
  registers: [metricsRegistry],
});

export const connectorCallSeconds = new Histogram({
  name: 'prov_connector_call_duration_seconds',
  help: 'Connector calls to managed systems, by connection, operation and outcome',
  labelNames: ['connection', 'operation', 'outcome'] as const,
  buckets: LATENCY_BUCKETS,
  registers: [metricsRegistry],
});

export const connectorErrors = new Counter({
  name: 'prov_connector_errors_total',
  help: 'Connector calls that failed, by connection, operation and error name',
  labelNames: ['connection', 'operation', 'error'] as const,
  registers: [metricsRegistry],
});

/** `ProvisioningOrderExecuted` -> `Executed`; undefined for events that are not order transitions. */
export function orderTransitionOf(eventType: string): string | undefined {
  return /^ProvisioningOrder([A-Z][A-Za-z]+)$/.exec(eventType)?.[1];
}

/** The store, with every append timed and its order transitions counted. */
export function instrumentEventStore(store: EventStore): EventStore {
  const timed = async <T>(events: readonly EventData[], run: () => Promise<T>): Promise<T> => {
    const end = eventStoreAppendSeconds.startTimer();
    try {
      const result = await run();
      end({ outcome: 'ok' });
      for (const event of events) {
        const transition = orderTransitionOf(event.type);
        if (transition) orderTransitions.inc({ event: transition });
      }
      return result;
    } catch (error) {
      end({ outcome: 'error' });
      throw error;
    }
  };
  const append = (...args: Parameters<EventStore['appendToStream']>) =>
    timed(args[1], () => store.appendToStream(...args));
  // An append over several streams (ADR 0061) is timed as one append, its parts' transitions counted.
  const appendTogether = (appends: Parameters<NonNullable<EventStore['appendToStreams']>>[0]) =>
    timed(
      appends.flatMap((part) => part.events),
      () => store.appendToStreams!(appends),
    );
  return new Proxy(store, {
    get: (target, property, receiver) => {
      if (property === 'appendToStream') return append;
      if (property === 'appendToStreams' && target.appendToStreams) return appendTogether;
      const value = Reflect.get(target, property, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** A connector whose every method call is timed and whose failures are counted. */
export function instrumentConnector<T extends object>(connector: T, connection: string): T {
  return observeCalls(connector, (operation) => {
    const end = connectorCallSeconds.startTimer({ connection, operation });
    return {
      ok: () => end({ outcome: 'ok' }),
      failed: (error) => {
        end({ outcome: 'error' });
        connectorErrors.inc({ connection, operation, error: error instanceof Error ? error.name : 'Error' });
      },
    };
  });
}
