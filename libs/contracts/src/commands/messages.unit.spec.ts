import { OmitType } from '@nestjs/swagger';
import { plainToInstance } from 'class-transformer';
import { validate } from 'class-validator';
import { CALLER_FIELDS } from './command-caller';
import { RequestAssignmentMessage } from './assignment.messages';
import { ORDER_PATH_FIELDS, ReportManualErrorMessage } from './order-decision.messages';

async function problems(type: new () => object, value: object): Promise<string[]> {
  const errors = await validate(plainToInstance(type, value), {
    whitelist: true,
    forbidNonWhitelisted: true,
  });
  return errors.flatMap((error) =>
    Object.keys(error.constraints ?? {}).map((rule) => `${error.property}: ${rule}`),
  );
}

describe('command messages', () => {
  const request = { identityId: 'alice', entitlementId: 'hr_app_reader' };

  it('hold the same limits on the bus as in the request body derived from them', async () => {
    class Body extends OmitType(RequestAssignmentMessage, CALLER_FIELDS) {}
    const tooLong = { ...request, entitlementId: 'x'.repeat(101) };
    expect(await problems(Body, tooLong)).toEqual(['entitlementId: maxLength']);
    expect(await problems(RequestAssignmentMessage, { ...tooLong, actor: 'rita' })).toEqual([
      'entitlementId: maxLength',
    ]);
  });

  it('need the caller on the bus, and refuse it in a body', async () => {
    class Body extends OmitType(RequestAssignmentMessage, CALLER_FIELDS) {}
    expect(await problems(RequestAssignmentMessage, request)).toContain('actor: isString');
    expect(await problems(Body, { ...request, actor: 'mallory' })).toEqual(['actor: whitelistValidation']);
  });

  it('leave what the path names out of the body', async () => {
    class Body extends OmitType(ReportManualErrorMessage, [...CALLER_FIELDS, ...ORDER_PATH_FIELDS]) {}
    expect(await problems(Body, { error: 'no badge printer' })).toEqual([]);
    expect(await problems(Body, { error: '' })).toEqual(['error: minLength']);
  });
});
