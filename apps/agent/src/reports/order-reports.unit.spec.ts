import type { OrderReportItem } from '@prov/contracts';
import { CommandError } from '@prov/messaging';
import { OrderReports } from './order-reports';

const report = (orderId: string): OrderReportItem => ({
  assignmentId: '4a1f3c9e-1a2b-4c3d-8e9f-0a1b2c3d4e5f',
  orderId,
  attempt: 1,
  outcome: 'executed',
});

describe('OrderReports: the agent reports through prov.cmd.orders.report-batch', () => {
  it('sends the reports of one turn as one batch command, as the agent, and answers each', async () => {
    const send = jest.fn(async (_service: string, _command: string, body: { items: OrderReportItem[] }) => ({
      results: body.items.map((item) =>
        item.orderId === 'o-2'
          ? { error: { code: 'AssignmentWorkflowError', status: 409, message: 'no such order' } }
          : { value: { recorded: true, provisioningStateCode: 8 } },
      ),
    }));
    const reports = new OrderReports({ send } as never);
    const answers = await Promise.allSettled(['o-1', 'o-2', 'o-3'].map((id) => reports.report(report(id))));
    expect(send).toHaveBeenCalledTimes(1);
    expect(send).toHaveBeenCalledWith('orders', 'report-batch', {
      actor: 'agent',
      items: [report('o-1'), report('o-2'), report('o-3')],
    });
    expect(answers.map((a) => a.status)).toEqual(['fulfilled', 'rejected', 'fulfilled']);
    expect((answers[1] as PromiseRejectedResult).reason).toMatchObject({ status: 409 });
  });

  it('falls back to single reports when no orders instance serves the batch command yet', async () => {
    const send = jest.fn(async (_service: string, command: string, body: { orderId?: string }) => {
      if (command === 'report-batch') throw CommandError.of('NoResponders', 503, 'no service is listening');
      return { recorded: true, provisioningStateCode: 8, orderId: body.orderId };
    });
    const reports = new OrderReports({ send } as never);
    await expect(
      Promise.all([reports.report(report('o-1')), reports.report(report('o-2'))]),
    ).resolves.toEqual([
      { recorded: true, provisioningStateCode: 8, orderId: 'o-1' },
      { recorded: true, provisioningStateCode: 8, orderId: 'o-2' },
    ]);
    expect(send).toHaveBeenCalledWith('orders', 'report', { ...report('o-1'), actor: 'agent' });
  });

  it('sends the reports of a batch refused as a whole one by one, so that only the bad one is refused', async () => {
    // What `orders` answers when one item breaks the batch's validation (an error text too long).
    const tooLong = { ...report('o-2'), outcome: 'errored' as const, error: 'x'.repeat(5000) };
    const send = jest.fn(async (_service: string, command: string, body: { error?: string }) => {
      if (command === 'report-batch')
        throw CommandError.of(
          'ValidationError',
          400,
          'items.1.error must be shorter than or equal to 4000 characters',
        );
      if ((body.error?.length ?? 0) > 4000) throw CommandError.of('ValidationError', 400, 'error too long');
      return { recorded: true, provisioningStateCode: 8 };
    });
    const reports = new OrderReports({ send } as never);
    const answers = await Promise.allSettled([reports.report(report('o-1')), reports.report(tooLong)]);
    expect(answers[0]).toEqual({ status: 'fulfilled', value: { recorded: true, provisioningStateCode: 8 } });
    expect(answers[1]).toMatchObject({ status: 'rejected', reason: { status: 400 } });
    expect(send).toHaveBeenCalledWith('orders', 'report', { ...report('o-1'), actor: 'agent' });
  });

  it('sends a single report without the trace fields of a batch item, which its body may not hold', async () => {
    const send = jest.fn(async (_service: string, command: string) => {
      if (command === 'report-batch') throw CommandError.of('NoHandler', 503, 'no handler');
      return { recorded: true, provisioningStateCode: 8 };
    });
    const traced = {
      ...report('o-1'),
      traceparent: '00-0af7651916cd43dd8448eb211c80319c-b7ad6b7169203331-01',
    };
    await new OrderReports({ send } as never).report(traced);
    expect(send).toHaveBeenLastCalledWith('orders', 'report', { ...report('o-1'), actor: 'agent' });
  });

  it('passes any other failure of the batch on to every report, to be tried again', async () => {
    const timeout = CommandError.of('CommandTimeout', 504, 'no answer');
    const reports = new OrderReports({ send: jest.fn().mockRejectedValue(timeout) } as never);
    await expect(reports.report(report('o-1'))).rejects.toBe(timeout);
  });
});
