import { RpcException } from '@nestjs/microservices';
import type { AssignmentCommands } from './assignment-commands';
import type { OrderDispatcher } from './order-dispatcher';
import { MissingReadBackPagesError } from './read-back-pages.store';
import { ReportsHandler } from './reports.handler';
import type { SynchronizationReportDto } from './reports.dto';
import {
  SynchronizationBusyError,
  SynchronizationInProgressError,
  SynchronizationOfAnotherConnectionError,
} from './synchronization-claims';
import type { SynchronizationService } from './synchronization.service';

const report = {
  connectionId: 'corp_ldap',
  synchronizationId: '6f1c2a5e-8a43-4d0b-9a57-2f6a1f1d9c01',
  pages: 3,
  accounts: [],
  memberships: [],
} as SynchronizationReportDto;

function handlerWhoseRecording(fails: Error): ReportsHandler {
  const synchronization = { record: () => Promise.reject(fails) } as unknown as SynchronizationService;
  return new ReportsHandler({} as AssignmentCommands, synchronization, {} as OrderDispatcher);
}

describe('a synchronization report that cannot be recorded', () => {
  it("whose read-back's pages are gone is answered 422 naming the pages, not an internal error", async () => {
    const gone = new MissingReadBackPagesError(
      `pages 0, 1, 2 of 3 of synchronization ${report.synchronizationId} did not arrive`,
    );

    const answer = await handlerWhoseRecording(gone)
      .synchronize(report)
      .catch((error: unknown) => error);

    expect(answer).toBeInstanceOf(RpcException);
    expect((answer as RpcException).getError()).toEqual({
      code: 'ValidationError',
      status: 422,
      message: `pages: ${gone.message}`,
    });
  });

  it("answers 422 naming synchronizationId when the id is another connection's, 409 while another replica records it", async () => {
    const another = new SynchronizationOfAnotherConnectionError(
      `synchronization ${report.synchronizationId} is connection hr_app's, not corp_ldap's`,
    );
    const busy = new SynchronizationInProgressError(
      `synchronization ${report.synchronizationId} is still being recorded by another replica of orders after 45 s; send the report again to get its outcome`,
    );

    const answers = await Promise.all(
      [another, busy].map((error) =>
        handlerWhoseRecording(error)
          .synchronize(report)
          .catch((thrown: unknown) => (thrown as RpcException).getError()),
      ),
    );

    expect(answers).toEqual([
      { code: 'ValidationError', status: 422, message: `synchronizationId: ${another.message}` },
      { code: 'SynchronizationInProgress', status: 409, message: busy.message },
    ]);
  });

  it('answers 503 when the replica is busy or its database does not answer, never an internal error', async () => {
    const noSlot = new SynchronizationBusyError(
      `this replica of orders had no free recording slot (of 2) for synchronization ${report.synchronizationId} within 45 s; send the report again`,
    );
    // What node-postgres throws when no pooled connection came free within the connect timeout.
    const poolExhausted = new Error('timeout exceeded when trying to connect');
    const refused = Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' });

    const answers = await Promise.all(
      [noSlot, poolExhausted, refused].map((error) =>
        handlerWhoseRecording(error)
          .synchronize(report)
          .catch((thrown: unknown) => (thrown as RpcException).getError()),
      ),
    );

    const noConnection = `orders has no database connection for synchronization ${report.synchronizationId} right now; send the report again shortly`;
    expect(answers).toEqual([
      { code: 'SynchronizationBusy', status: 503, message: noSlot.message },
      { code: 'SynchronizationBusy', status: 503, message: noConnection },
      { code: 'SynchronizationBusy', status: 503, message: noConnection },
    ]);
  });

  it('passes any other failure on as it is', async () => {
    const fault = new TypeError("Cannot read properties of undefined (reading 'accountKey')");
    await expect(handlerWhoseRecording(fault).synchronize(report)).rejects.toBe(fault);
  });
});
