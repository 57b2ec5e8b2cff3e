import { RpcException } from '@nestjs/microservices';
import { natsValidationPipe } from '@prov/messaging';
import { SynchronizationReportDto } from './reports.dto';

const metadata = { type: 'body' as const, metatype: SynchronizationReportDto, data: undefined };

describe('a synchronization report without its synchronizationId', () => {
  it('is refused with a 400 naming synchronizationId: a report is recorded once by its id (ADR 0074)', async () => {
    const error = await natsValidationPipe()
      .transform({ connectionId: 'corp_ldap', accounts: [], memberships: [] }, metadata)
      .catch((thrown: unknown) => thrown);

    expect(error).toBeInstanceOf(RpcException);
    expect((error as RpcException).getError()).toMatchObject({
      status: 400,
      message: 'invalid synchronizationId: synchronizationId must be a UUID',
    });
  });
});
