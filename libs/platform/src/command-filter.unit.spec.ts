import { CommandExceptionFilter } from '@prov/messaging';
import { COMMAND_FILTER } from './bootstrap';

const quiet = { error: jest.fn(), warn: jest.fn(), debug: jest.fn() };
const filter = new CommandExceptionFilter({ ...COMMAND_FILTER, logger: quiet });

describe("the services' command filter", () => {
  it.each([
    ['the pool exhausted', new Error('timeout exceeded when trying to connect')],
    [
      'the server refusing',
      Object.assign(new Error('connect ECONNREFUSED 10.0.0.7:5432'), { code: 'ECONNREFUSED' }),
    ],
    ['the server shutting down', Object.assign(new Error('terminating connection'), { code: '57P01' })],
    [
      'a statement cancelled by its timeout',
      Object.assign(new Error('canceling statement'), { code: '57014' }),
    ],
  ])('answers 503 ServiceUnavailable for %s, without the driver text', (_case, error) => {
    const payload = filter.toPayload(error, 'prov.cmd.orders.report');
    expect(payload).toMatchObject({ status: 503, code: 'ServiceUnavailable' });
    expect(payload.message).not.toContain(error.message);
  });

  it('keeps domain errors and hides the rest behind a 500', () => {
    class JobAlreadyRunningError extends Error {
      override readonly name = 'JobAlreadyRunningError';
    }
    expect(filter.toPayload(new JobAlreadyRunningError('a job is running')).status).toBe(409);
    expect(filter.toPayload(new TypeError('x is undefined')).status).toBe(500);
  });
});
