import { RpcException } from '@nestjs/microservices';
import type { AssignmentCommands } from './assignment-commands';
import type { OrderDispatcher } from './order-dispatcher';
import { MissingReadBackPagesError } from './read-back-pages.store';
import { ReportsHandler } from './reports.handler';
import type { SynchronizationReportDto } from './reports.dto';
import {
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
      `synchronization ${report.synchronizationId} is still being recorded by another replica of orders after 600 s; send the report again to get its outcome`,
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

  it('passes any other failure on as it is', async () => {
    const lost = new Error('connection terminated');
    await expect(handlerWhoseRecording(lost).synchronize(report)).rejects.toBe(lost);
  });
});
