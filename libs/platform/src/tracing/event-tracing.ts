import type { EventData, EventStore, RecordedEvent } from '@prov/event-store';
import { contextFromFields, inSpan, SpanKind, traceFields } from '@prov/messaging';

/** `assignment-<id>` -> `assignment`: a span attribute with few values (the id is in the stream name). */
export function streamCategory(streamName: string): string {
  const dash = streamName.indexOf('-');
  return dash > 0 ? streamName.slice(0, dash) : streamName;
}

/**
 * The events with the trace context of the append stored in their metadata (`traceparent`,
 * `tracestate`): a reaction reading the event later continues the trace from it. Metadata that
 * carries a trace context already (an event copied from another) keeps its own; without an
 * active trace the events are returned as they are.
 */
export function withTraceMetadata(events: EventData[], fields: Record<string, string>): EventData[] {
  if (!fields.traceparent) return events;
  return events.map((event) =>
    typeof event.metadata?.traceparent === 'string'
      ? event
      : { ...event, metadata: { ...(event.metadata ?? {}), ...fields } },
  );
}

/**
 * The store, with every append in a span whose context goes into the appended events' metadata
 * (ADR 0023). The metadata is part of the hashed content of the chain (ADR 0016), which is what
 * we want: the trace id of a change is as tamper-evident as the change.
 */
export function traceEventStore(store: EventStore): EventStore {
  const append = (...[streamName, events, options]: Parameters<EventStore['appendToStream']>) =>
    inSpan(
      `append ${streamCategory(streamName)}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.operation.name': 'append',
          'prov.stream.name': streamName,
          'prov.event.types': [...new Set(events.map((event) => event.type))],
        },
      },
      () => store.appendToStream(streamName, withTraceMetadata(events, traceFields()), options),
    );
  // One span for the parts of an append over several streams (ADR 0061), each part traced as above.
  const appendTogether = (appends: Parameters<NonNullable<EventStore['appendToStreams']>>[0]) =>
    inSpan(
      `append ${[...new Set(appends.map((part) => streamCategory(part.streamName)))].join('+')}`,
      {
        kind: SpanKind.CLIENT,
        attributes: {
          'db.system.name': 'postgresql',
          'db.operation.name': 'append',
          'prov.stream.names': appends.map((part) => part.streamName),
          'prov.event.types': [...new Set(appends.flatMap((part) => part.events.map((event) => event.type)))],
        },
      },
      () => {
        const fields = traceFields();
        return store.appendToStreams!(
          appends.map((part) => ({ ...part, events: withTraceMetadata(part.events, fields) })),
        );
      },
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

/**
 * Runs a reaction to `event` in a span that continues the trace stored in the event's metadata,
 * so what the reaction appends or publishes joins the trace of the change it reacts to. An event
 * without a trace context (written with tracing off, or before it existed) starts no trace: a
 * catch-up over old events must not flood the collector with root spans.
 */
export function continueFromEvent<T>(
  reaction: string,
  event: RecordedEvent,
  work: () => Promise<T>,
): Promise<T> {
  const parent = contextFromFields(event.metadata);
  if (!parent) return work();
  return inSpan(
    `react ${reaction} ${event.type}`,
    {
      kind: SpanKind.CONSUMER,
      parent,
      attributes: {
        'prov.reaction': reaction,
        'prov.event.type': event.type,
        'prov.stream.name': event.streamName,
        'prov.event.revision': event.revision.toString(),
        'prov.event.id': event.id,
      },
    },
    work,
  );
}
