import { MAX_BATCH_COMMAND_ITEMS } from '@prov/contracts';
import { CommandError } from '@prov/messaging';
import { RequestAssignmentBody } from '../assignments/assignment.dto';
import { RegisterIdentityBody } from '../directory/identity.dto';
import {
  BATCH_COMMAND_BYTES,
  BATCH_COMMANDS_IN_FLIGHT,
  itemError,
  type ItemOutcome,
  runBatch,
  validateItem,
} from './batch';

/** A command per slice that answers each item as `run` does (its error as the item's error). */
function perItem(run: (item: RequestAssignmentBody) => Promise<{ id: string; created: boolean }>) {
  return (values: RequestAssignmentBody[]): Promise<ItemOutcome[]> =>
    Promise.all(values.map((value) => run(value).catch((error: unknown) => ({ error: itemError(error) }))));
}

describe('batch calls', () => {
  it('answers one result per item, in order: created, existing, or the command error', async () => {
    const items = [
      { identityId: 'a', entitlementId: 'new' },
      { identityId: 'b', entitlementId: 'held' },
      { identityId: 'c', entitlementId: 'missing' },
    ];
    const response = await runBatch(
      items,
      RequestAssignmentBody,
      perItem(async (item) => {
        if (item.entitlementId === 'missing')
          throw CommandError.of(
            'EntitlementNotFound',
            404,
            "entitlement 'missing' is not in the role model in force",
          );
        return { id: `id-${item.identityId}`, created: item.entitlementId === 'new' };
      }),
    );
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
      perItem(async (item) => {
        sent.push(item);
        return { id: 'never', created: true };
      }),
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
      perItem(async (item) => {
        if (item.identityId === 'a') throw new Error('password=secret in a driver message');
        return { id: 'b', created: true };
      }),
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

  it(`sends the valid items in commands of at most ${MAX_BATCH_COMMAND_ITEMS}, ${BATCH_COMMANDS_IN_FLIGHT} at once, in order`, async () => {
    let active = 0;
    let most = 0;
    const slices: string[][] = [];
    const items: unknown[] = Array.from({ length: 1000 }, (_, i) => ({
      identityId: `i${i}`,
      entitlementId: 'x',
    }));
    items[500] = { identityId: 'bad' };
    const response = await runBatch(items, RequestAssignmentBody, async (values) => {
      most = Math.max(most, ++active);
      slices.push(values.map((value) => value.identityId));
      await new Promise((resolve) => setImmediate(resolve));
      active--;
      return values.map((value) => ({ id: value.identityId, created: true }));
    });
    expect(response).toMatchObject({ created: 999, errors: 1 });
    expect(response.results[999]).toEqual({ index: 999, result: 'created', id: 'i999' });
    expect(slices).toHaveLength(Math.ceil(999 / MAX_BATCH_COMMAND_ITEMS));
    expect(Math.max(...slices.map((slice) => slice.length))).toBe(MAX_BATCH_COMMAND_ITEMS);
    expect(slices.flat()).toEqual(
      Array.from({ length: 1000 }, (_, i) => `i${i}`).filter((id) => id !== 'i500'),
    );
    expect(most).toBe(BATCH_COMMANDS_IN_FLIGHT);
  });

  it('keeps a command under BATCH_COMMAND_BYTES, and answers a failed command for each of its items', async () => {
    const notes = 'n'.repeat(20_000);
    const items = Array.from({ length: 100 }, (_, i) => ({
      id: `p${i}`,
      login: `p${i}`,
      firstName: 'P',
      lastName: `${i}`,
      email: `p${i}@example.test`,
      attributes: { notes },
    }));
    const sizes: number[] = [];
    const response = await runBatch(items, RegisterIdentityBody, async (values) => {
      sizes.push(JSON.stringify(values).length);
      if (values.some((value) => value.id === 'p0'))
        throw CommandError.of('CommandTimeout', 504, 'no answer within 5000 ms');
      return values.map((value) => ({ id: value.id!, created: false }));
    });
    expect(sizes.length).toBeGreaterThan(100 / MAX_BATCH_COMMAND_ITEMS + 1);
    expect(Math.max(...sizes)).toBeLessThanOrEqual(BATCH_COMMAND_BYTES);
    const failed = response.results.filter((r) => r.result === 'error');
    expect(failed.length).toBe(Math.floor(BATCH_COMMAND_BYTES / 20_100));
    expect(failed[0]).toEqual({
      index: 0,
      result: 'error',
      error: { status: 504, code: 'CommandTimeout', message: 'no answer within 5000 ms' },
    });
    expect(response.existing + response.errors).toBe(100);
  });

  it('gives the validated item as an instance of the single call body', async () => {
    const checked = await validateItem(RequestAssignmentBody, { identityId: 'a', entitlementId: 'x' }, 0);
    expect('value' in checked && checked.value).toBeInstanceOf(RequestAssignmentBody);
  });
});
