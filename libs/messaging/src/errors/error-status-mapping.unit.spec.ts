import { ErrorStatusMapping, identifyError } from './error-status-mapping';

class OrderNotFoundError extends Error {
  override readonly name = 'OrderNotFoundError';
  readonly code = 'OrderNotFound';
}
class InvalidTransitionError extends Error {
  readonly code = 'InvalidTransition';
}
class QuotaExceededError extends Error {}

describe('ErrorStatusMapping', () => {
  const mapping = new ErrorStatusMapping();

  it('maps the default domain errors', () => {
    expect(mapping.statusFor(new OrderNotFoundError('x'))).toBe(404);
    expect(mapping.statusFor(new InvalidTransitionError('x'))).toBe(409);
    expect(mapping.statusFor(Object.assign(new Error('x'), { name: 'WrongExpectedVersionError' }))).toBe(409);
    expect(mapping.statusFor(Object.assign(new Error('x'), { name: 'ConcurrencyError' }))).toBe(409);
    expect(mapping.statusFor(Object.assign(new Error('x'), { name: 'IdentityAlreadyExistsError' }))).toBe(
      409,
    );
    expect(mapping.statusFor(Object.assign(new Error('x'), { code: 'AlreadyExists' }))).toBe(409);
    expect(mapping.statusFor(Object.assign(new Error('x'), { name: 'ValidationError' }))).toBe(400);
  });

  it('does not know generic, driver or system errors even when they carry a code', () => {
    expect(mapping.statusFor(new Error('x'))).toBeUndefined();
    expect(mapping.statusFor(new TypeError('x'))).toBeUndefined();
    expect(
      mapping.statusFor(Object.assign(new Error('connect ECONNREFUSED'), { code: 'ECONNREFUSED' })),
    ).toBeUndefined();
    expect(mapping.statusFor(Object.assign(new Error('duplicate key'), { code: '23505' }))).toBeUndefined();
    expect(mapping.statusFor('a string')).toBeUndefined();
    expect(mapping.statusFor(null)).toBeUndefined();
  });

  it('uses the class name when a subclass did not set name, and knows the base classes', () => {
    expect(identifyError(new QuotaExceededError('x'))).toEqual({ names: ['QuotaExceededError'], bases: [] });
    class DomainError extends Error {
      override name = 'DomainError';
      constructor(readonly code: string) {
        super(code);
      }
    }
    class EndDateNotPassedError extends DomainError {}
    expect(identifyError(new EndDateNotPassedError('END_DATE_NOT_PASSED'))).toEqual({
      names: ['EndDateNotPassedError'],
      bases: ['DomainError'],
      code: 'END_DATE_NOT_PASSED',
    });
    class OrderNotFoundError extends DomainError {}
    expect(mapping.statusFor(new OrderNotFoundError('ORDER_NOT_FOUND'))).toBe(404);
    expect(mapping.statusFor(new EndDateNotPassedError('END_DATE_NOT_PASSED'))).toBe(409);
  });

  it('lets the most specific class decide, falling back to a base class', () => {
    class DomainError extends Error {
      constructor(readonly code: string) {
        super(code);
      }
    }
    class AssignmentWorkflowError extends DomainError {
      override readonly name = 'AssignmentWorkflowError';
    }
    class AssignmentNotFoundError extends DomainError {
      override readonly name = 'AssignmentNotFoundError';
    }
    class ServiceNotFoundError extends Error {}
    expect(identifyError(new AssignmentWorkflowError('X'))?.bases).toEqual(['DomainError']);
    expect(mapping.statusFor(new AssignmentWorkflowError('ASSIGNMENT_REVOKED'))).toBe(409);
    expect(mapping.statusFor(new AssignmentNotFoundError('ASSIGNMENT_NOT_FOUND'))).toBe(404);
    expect(mapping.statusFor(new ServiceNotFoundError('x'))).toBe(404);
    const own = mapping.clone().register('ASSIGNMENT_REVOKED', 422);
    expect(own.statusFor(new AssignmentWorkflowError('ASSIGNMENT_REVOKED'))).toBe(422);
  });

  it('can be extended by name or by code, and exact entries win over suffixes', () => {
    const own = mapping.clone().register('QuotaExceededError', 422);
    expect(own.statusFor(new QuotaExceededError('x'))).toBe(422);
    expect(mapping.statusFor(new QuotaExceededError('x'))).toBeUndefined();
    const override = new ErrorStatusMapping({ OrderNotFoundError: 422 });
    expect(override.statusFor(new OrderNotFoundError('x'))).toBe(422);
  });

  it('refuses statuses outside the contract', () => {
    expect(() => new ErrorStatusMapping().register('X', 418 as never)).toThrow(
      /unsupported command error status 418/,
    );
    expect(() => new ErrorStatusMapping().register('', 400)).toThrow(/non-empty/);
  });

  it('can start without the defaults', () => {
    expect(
      new ErrorStatusMapping({}, { defaults: false }).statusFor(new OrderNotFoundError('x')),
    ).toBeUndefined();
  });
});
