import { fieldProblemsOf, plainMessage, readable } from '../src/api/messages';

describe("the console's error messages", () => {
  it('names the fields of a 400 as the form labels them, in plain words', () => {
    const details = [
      { field: 'endsAt', rule: 'isIso8601', message: 'endsAt must be a valid ISO 8601 date string' },
      {
        field: 'identityId',
        rule: 'minLength',
        message: 'identityId must be longer than or equal to 1 characters',
      },
    ];
    expect(fieldProblemsOf(details)).toEqual([
      { field: 'endsAt', message: 'Enter a valid date and time.' },
      { field: 'identityId', message: 'This field is required.' },
    ]);
    expect(plainMessage(400, 'ValidationFailed', 'invalid request: ...', details)).toBe(
      'Some fields need attention. End date: Enter a valid date and time. Identity: This field is required.',
    );
  });

  it("reads a domain error's single field problem", () => {
    const details = { command: 'RequestAssignment', field: 'endsAt', rule: 'must be after startsAt' };
    expect(fieldProblemsOf(details)).toEqual([{ field: 'endsAt', message: 'Must be after start date.' }]);
  });

  it('words conflicts, missing things, roles and outages for people', () => {
    expect(
      plainMessage(
        409,
        'INVALID_TRANSITION',
        'cannot ApproveProvisioningOrder: order o1 is in state 8 Executed',
      ),
    ).toBe('This cannot be done now. Cannot approve provisioning order: order o1 is in state 8 Executed.');
    expect(plainMessage(404, 'IdentityNotFound', 'identity bob does not exist')).toBe(
      'Not found. Identity bob does not exist.',
    );
    expect(
      plainMessage(
        403,
        'Forbidden',
        "the role 'requester' may not do this; it needs one of: admin, reviewer",
      ),
    ).toMatch(/^You are not allowed to do this\. Your role 'requester' may not do this/);
    expect(plainMessage(401, 'Unauthorized', 'the bearer token is not valid')).toMatch(
      /token was not accepted/,
    );
    expect(plainMessage(504, 'CommandTimeout', 'no answer')).toMatch(/did not answer in time/);
    expect(plainMessage(500, 'InternalError', 'internal error; see the gateway log')).not.toMatch(/[{}]/);
    expect(plainMessage(0, 'NetworkError', 'Failed to fetch')).toMatch(/cannot reach the gateway/);
  });

  it('makes command names readable', () => {
    expect(readable('invalid RequestAssignment: endsAt must be after startsAt')).toBe(
      'Request assignment: end date must be after start date.',
    );
  });
});
