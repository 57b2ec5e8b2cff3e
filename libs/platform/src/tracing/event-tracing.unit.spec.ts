import { trace } from '@opentelemetry/api';
import { recordSpans } from '../../../messaging/src/testing/test-tracing';
import { InMemoryEventStore } from '@prov/event-store';
import { inSpan, SpanKind } from '@prov/messaging';
import { continueFromEvent, streamCategory, traceEventStore, withTraceMetadata } from './event-tracing';

const event = (metadata?: Record<string, unknown>) => ({
  id: '0b9e3c1a-4c2d-4e8f-9a6b-1c2d3e4f5a6b',
  type: 'AssignmentRequested',
  data: {},
  ...(metadata ? { metadata } : {}),
});

describe('the trace context in event metadata', () => {
  const exporter = recordSpans();

  afterEach(() => exporter.reset());

  it('adds the fields beside the metadata that is there, keeps a trace an event already carries, and changes nothing without one', () => {
    const fields = { traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01' };
    expect(withTraceMetadata([event({ actor: 'alice' })], fields)[0].metadata).toEqual({
      actor: 'alice',
      ...fields,
    });
    const copied = event({ traceparent: '00-11111111111111111111111111111111-2222222222222222-01' });
    expect(withTraceMetadata([copied], fields)[0]).toBe(copied);
    const plain = [event()];
    expect(withTraceMetadata(plain, {})).toBe(plain);
    expect(streamCategory('assignment-42')).toBe('assignment');
    expect(streamCategory('jobs')).toBe('jobs');
  });

  it('stores the append span in the events, and a reaction to them continues that trace', async () => {
    const store = traceEventStore(new InMemoryEventStore());
    const request = await inSpan(
      'process prov.cmd.requests.request-assignment',
      { kind: SpanKind.SERVER },
      async (span) => {
        await store.appendToStream('assignment-1', [event({ actor: 'alice' })]);
        return span.spanContext();
      },
    );
    const [stored] = await store.readStream('assignment-1');
    const append = exporter.getFinishedSpans().find((s) => s.name === 'append assignment')!;
    expect(append.parentSpanContext?.spanId).toBe(request.spanId);
    expect(stored.metadata).toEqual({
      actor: 'alice',
      traceparent: `00-${request.traceId}-${append.spanContext().spanId}-01`,
    });

    const inReaction = await continueFromEvent('orders.generation', stored, async () =>
      trace.getActiveSpan()?.spanContext(),
    );
    const reaction = exporter
      .getFinishedSpans()
      .find((s) => s.name === 'react orders.generation AssignmentRequested')!;
    expect(inReaction?.traceId).toBe(request.traceId);
    expect(reaction.parentSpanContext?.spanId).toBe(append.spanContext().spanId);
    expect(reaction.attributes).toMatchObject({
      'prov.stream.name': 'assignment-1',
      'prov.event.revision': '0',
    });
  });

  it('reacts to an event without a trace context without starting a trace', async () => {
    const store = new InMemoryEventStore();
    await store.appendToStream('assignment-2', [event()]);
    const [stored] = await store.readStream('assignment-2');
    expect(
      await continueFromEvent('orders.dispatch', stored, async () => trace.getActiveSpan()),
    ).toBeUndefined();
    expect(exporter.getFinishedSpans()).toEqual([]);
  });
});
