import { RpcException } from '@nestjs/microservices';
import { acceptedBody, natsValidationPipe } from '@prov/messaging';
import { SynchronizationPageDto, SynchronizationReportDto } from './reports.dto';

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

describe("a synchronization report's synchronizationId in upper case", () => {
  const upper = '6F1C2A5E-8A43-4D0B-9A57-2F6A1F1D9C01';

  it('passes validation as it is, by the compiled plan: the service lower-cases it before claiming (ADR 0074)', () => {
    // No @Transform on the read-back DTOs: one would send every report and page through
    // class-transformer and class-validator again (ADR 0072), the largest messages of all.
    const report = { connectionId: 'corp_ldap', synchronizationId: upper, accounts: [], memberships: [] };
    expect(acceptedBody(SynchronizationReportDto, report)).toMatchObject({ synchronizationId: upper });
    expect(acceptedBody(SynchronizationPageDto, { ...report, page: 0 })).toBeInstanceOf(
      SynchronizationPageDto,
    );
  });
});
