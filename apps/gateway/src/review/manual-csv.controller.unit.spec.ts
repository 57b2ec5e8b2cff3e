import { Readable } from 'node:stream';
import type { Request } from 'express';
import { CommandError, type CommandClient } from '@prov/messaging';
import type { OrderView, ReadModelQueries } from '@prov/read-models';
import type { RoleModel } from '@prov/role-model';
import { ManualCsvController } from './manual-csv.controller';

// The controller's own logic: how the body is read and how each line's decision is reported.
// The HTTP side (roles, routes, the review service) runs in provisioning-fulfilment-test-cases.ts of
// provisioning-flows.e2e.spec.ts.

const transmitted = (orderId: string): OrderView =>
  ({
    orderId,
    assignmentId: `a-${orderId}`,
    provisioningState: 'Transmitted',
    provisioningStateCode: 2,
    open: true,
  }) as OrderView;

function controller(send: (command: string, payload: Record<string, unknown>) => Promise<unknown>) {
  const queries = {
    order: async (id: string) => (id.startsWith('o-') ? transmitted(id) : undefined),
  } as unknown as ReadModelQueries;
  const commands = {
    send: (_service: string, command: string, payload: Record<string, unknown>) => send(command, payload),
  } as unknown as CommandClient;
  return new ManualCsvController(queries, commands, {} as RoleModel);
}

function csvRequest(text: string | Buffer, type = 'text/csv'): Request {
  const stream = Readable.from([Buffer.from(text)]) as unknown as Request;
  Object.assign(stream, {
    headers: { 'content-type': type },
    is: (types: string | string[]) => {
      const wanted = Array.isArray(types) ? types : [types];
      return wanted.some((t) => t === type || (t.endsWith('/*') && type.startsWith(t.slice(0, -1))))
        ? type
        : false;
    },
  });
  return stream;
}

const caller = { role: 'operator' as const, actor: 'operator:abcd' };

describe('ManualCsvController.importCsv', () => {
  it('sends each line as the review command, under one correlation id, and reports a 409 per line', async () => {
    const sent: Array<[string, Record<string, unknown>]> = [];
    const answer = await controller(async (command, payload) => {
      sent.push([command, payload]);
      if (payload.orderId === 'o-2')
        throw CommandError.of(
          'InvalidTransition',
          409,
          'cannot ReportProvisioningOrderErrored in state 8 Executed',
        );
      return { provisioningState: 'Executed', provisioningStateCode: 8 };
    }).importCsv(
      csvRequest('orderId,result,error,comment\r\no-1,confirm,,ok\r\no-2,error,jammed,\r\n'),
      caller,
    );

    expect(answer).toMatchObject({
      applied: 1,
      failed: 1,
      lines: [
        { line: 2, orderId: 'o-1', status: 200, provisioningState: 'Executed' },
        {
          line: 3,
          orderId: 'o-2',
          status: 409,
          code: 'InvalidTransition',
          message: expect.stringContaining('8 Executed'),
        },
      ],
    });
    expect(sent).toEqual([
      [
        'confirm',
        {
          assignmentId: 'a-o-1',
          orderId: 'o-1',
          actor: 'operator:abcd',
          correlationId: answer.importId,
          comment: 'ok',
        },
      ],
      [
        'report-error',
        {
          assignmentId: 'a-o-2',
          orderId: 'o-2',
          actor: 'operator:abcd',
          correlationId: answer.importId,
          error: 'jammed',
        },
      ],
    ]);
  });

  it('applies nothing when a line is wrong, answering 400 with every line', async () => {
    const send = jest.fn();
    const failure = await controller(send)
      .importCsv(csvRequest('orderId,result\no-1,confirm\nx-9,confirm\no-3,nope\n'), caller)
      .catch((e: { getStatus(): number; getResponse(): unknown }) => e);
    expect(send).not.toHaveBeenCalled();
    expect((failure as { getStatus(): number }).getStatus()).toBe(400);
    expect((failure as { getResponse(): unknown }).getResponse()).toEqual({
      code: 'CsvInvalid',
      message:
        'nothing was applied: line 3: order x-9 does not exist; line 4: result must be confirm or error',
      details: [
        { line: 3, message: 'order x-9 does not exist' },
        { line: 4, message: 'result must be confirm or error' },
      ],
    });
  });

  it('refuses a body that is not UTF-8, or not CSV at all', async () => {
    const latin1 = Buffer.from('orderId,result,error\no-1,error,caf\xe9 ferm\xe9\n', 'latin1');
    await expect(controller(jest.fn()).importCsv(csvRequest(latin1), caller)).rejects.toThrow(
      /must be UTF-8 encoded/,
    );
    await expect(
      controller(jest.fn()).importCsv(csvRequest('x', 'multipart/form-data'), caller),
    ).rejects.toThrow(/send the CSV as text\/csv/);
  });
});
