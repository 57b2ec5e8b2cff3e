import { spansOfExport } from './otlp-receiver';

describe("the OTLP receiver's reading of an export", () => {
  it('gives each span its start and end in ms since the epoch, from OTLP/JSON nanoseconds', () => {
    const [span] = spansOfExport({
      resourceSpans: [
        {
          resource: { attributes: [{ key: 'service.name', value: { stringValue: 'prov-agent' } }] },
          scopeSpans: [
            {
              spans: [
                {
                  traceId: 't',
                  spanId: 's',
                  name: 'connector apply',
                  kind: 3,
                  startTimeUnixNano: '1764748800123456789',
                  endTimeUnixNano: '1764748800140000000',
                },
              ],
            },
          ],
        },
      ],
    });
    expect(span).toMatchObject({ service: 'prov-agent', name: 'connector apply' });
    expect(span.startMs).toBeCloseTo(1_764_748_800_123.456, 3);
    expect(span.endMs).toBe(1_764_748_800_140);
  });

  it('leaves the times out when the export has none', () => {
    const [span] = spansOfExport({ resourceSpans: [{ scopeSpans: [{ spans: [{ name: 'x' }] }] }] });
    expect(span.startMs).toBeUndefined();
    expect(span.endMs).toBeUndefined();
  });
});
