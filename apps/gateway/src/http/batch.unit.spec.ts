import { CommandError } from '@prov/messaging';
import { RequestAssignmentBody } from '../assignments/assignment.dto';
import { BATCH_CONCURRENCY, runBatch, validateItem } from './batch';

describe('batch calls', () => {
  it('answers one result per item, in order: created, existing, or the command error', async () => {
    const items = [
      { identityId: 'a', entitlementId: 'new' },
      { identityId: 'b', entitlementId: 'held' },
      { identityId: 'c', entitlementId: 'missing' },
    ];
    const response = await runBatch(items, RequestAssignmentBody, async (item) => {
      if (item.entitlementId === 'missing')
        throw CommandError.of(
          'EntitlementNotFound',
          404,
          "entitlement 'missing' is not in the role model in force",
        );
      return { id: `id-${item.identityId}`, created: item.entitlementId === 'new' };
    });
    expect(response).toEqual({
      results: [
        { index: 0, result: 'created', id: 'id-a' },
        { index: 1, result: 'existing', id: 'id-b' },
        {
          index: 2,
          result: 'error',
          error: {
            status: 404,
            code: 'EntitlementNotFound',
            message: "entitlement 'missing' is not in the role model in force",
          },
        },
      ],
      created: 1,
      existing: 1,
      errors: 1,
    });
  });

  it('refuses an invalid item without a command, naming items[i].<field> and the rule', async () => {
    const sent: unknown[] = [];
    const response = await runBatch(
      [{ identityId: 'a', entitlementId: '' }, 'text', { identityId: 'b', entitlementId: 'x', extra: 1 }],
      RequestAssignmentBody,
      async (item) => {
        sent.push(item);
        return { id: 'never', created: true };
      },
    );
    expect(sent).toEqual([]);
    expect(response.errors).toBe(3);
    expect(response.results[0].error).toMatchObject({
      status: 400,
      code: 'ValidationFailed',
      details: [expect.objectContaining({ field: 'items[0].entitlementId', rule: 'minLength' })],
    });
    expect(response.results[1].error?.details).toEqual([
      { field: 'items[1]', rule: 'isObject', message: 'items[1] must be an object' },
    ]);
    expect(response.results[2].error?.details).toEqual([
      expect.objectContaining({ field: 'items[2].extra', rule: 'whitelistValidation' }),
    ]);
  });

  it('hides unexpected failures behind a 500 of the item, and keeps going with the others', async () => {
    const response = await runBatch(
      [
        { identityId: 'a', entitlementId: 'x' },
        { identityId: 'b', entitlementId: 'x' },
      ],
      RequestAssignmentBody,
      async (item) => {
        if (item.identityId === 'a') throw new Error('password=secret in a driver message');
        return { id: 'b', created: true };
      },
    );
    expect(response.results[0]).toEqual({
      index: 0,
      result: 'error',
      error: {
        status: 500,
        code: 'InternalError',
        message: 'the item could not be carried out; it may be retried',
      },
    });
    expect(response.results[1].result).toBe('created');
  });

  it(`runs at most ${BATCH_CONCURRENCY} commands at once`, async () => {
    let active = 0;
    let most = 0;
    const items = Array.from({ length: 200 }, (_, i) => ({ identityId: `i${i}`, entitlementId: 'x' }));
    const response = await runBatch(items, RequestAssignmentBody, async (item) => {
      most = Math.max(most, ++active);
      await Promise.resolve();
      active--;
      return { id: item.identityId, created: true };
    });
    expect(response.created).toBe(200);
    expect(most).toBe(BATCH_CONCURRENCY);
  });

  it('gives the validated item as an instance of the single call body', async () => {
    const checked = await validateItem(RequestAssignmentBody, { identityId: 'a', entitlementId: 'x' }, 0);
    expect('value' in checked && checked.value).toBeInstanceOf(RequestAssignmentBody);
  });
});
