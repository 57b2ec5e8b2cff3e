import { ROOT_CONTEXT, trace } from '@opentelemetry/api';
import type { OrderReportItem } from '@prov/contracts';
import { inSpan, SpanKind } from '@prov/messaging';
import { recordSpans } from '../../../../libs/messaging/src/testing/test-tracing';
import { OrderReports } from './order-reports';

const spans = recordSpans();

const report = (orderId: string): OrderReportItem => ({
  assignmentId: '4a1f3c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  orderId,
  attempt: 1,
  outcome: 'executed',
});

/** What the agent does for one order: applies it in the order's trace, then reports it. */
const applyAndReport = (reports: OrderReports, orderId: string) =>
  inSpan(`apply ${orderId}`, { kind: SpanKind.CONSUMER, parent: ROOT_CONTEXT }, () =>
    reports.report(report(orderId)),
  );

describe("OrderReports: a batch's trace", () => {
  it("sends a batch in a trace of its own, linked to every order's report span, not in the first order's", async () => {
    let sentIn: string | undefined;
    const send = jest.fn(async (_service: string, _command: string, body: { items: OrderReportItem[] }) => {
      sentIn = trace.getActiveSpan()?.spanContext().traceId;
      return { results: body.items.map(() => ({ value: { recorded: true, provisioningStateCode: 8 } })) };
    });
    const reports = new OrderReports({ send } as never);

    await Promise.all(['o-1', 'o-2', 'o-3'].map((id) => applyAndReport(reports, id)));

    expect(send).toHaveBeenCalledTimes(1);
    const finished = spans.getFinishedSpans();
    const orderTraces = finished
      .filter((s) => s.name.startsWith('apply '))
      .map((s) => s.spanContext().traceId);
    const creates = finished.filter((s) => s.name === 'create prov.cmd.orders.report-batch');
    const batch = finished.find((s) => s.name === 'send prov.cmd.orders.report-batch batch');
    expect(new Set(orderTraces).size).toBe(3);
    expect(creates.map((s) => s.spanContext().traceId).sort()).toEqual([...orderTraces].sort());
    expect(orderTraces).not.toContain(sentIn);
    expect(batch).toBeDefined();
    expect(sentIn).toBe(batch!.spanContext().traceId);
    expect(batch!.links.map((l) => l.context.spanId).sort()).toEqual(
      creates.map((s) => s.spanContext().spanId).sort(),
    );
  });
});
