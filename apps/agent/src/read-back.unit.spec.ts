import type { Connector, SynchronizedResources } from '@prov/connectors';
import { mergeChanges, ReadBack, type ResourceChanges } from './read-back';

const snapshot: SynchronizedResources = {
  accounts: [
    { accountKey: 'ann', attributes: { mail: 'ann@x' } },
    { accountKey: 'bob', attributes: { mail: 'bob@x' } },
  ],
  memberships: [
    { accountKey: 'ann', group: 'staff' },
    { accountKey: 'bob', group: 'staff' },
    { accountKey: 'bob', group: 'admins' },
  ],
};

const changes = (partial: Partial<ResourceChanges>): ResourceChanges => ({
  accounts: [],
  memberships: [],
  changedGroups: [],
  deletedAccountKeys: [],
  nextUsn: 100,
  ...partial,
});

describe('mergeChanges', () => {
  it('replaces changed accounts and adds new ones', () => {
    const merged = mergeChanges(
      snapshot,
      changes({
        accounts: [
          { accountKey: 'ann', attributes: { mail: 'a@y' } },
          { accountKey: 'cid', attributes: {} },
        ],
      }),
    );
    expect(merged.accounts).toEqual([
      { accountKey: 'ann', attributes: { mail: 'a@y' } },
      { accountKey: 'bob', attributes: { mail: 'bob@x' } },
      { accountKey: 'cid', attributes: {} },
    ]);
  });

  it('drops deleted accounts with their memberships', () => {
    const merged = mergeChanges(snapshot, changes({ deletedAccountKeys: ['bob'] }));
    expect(merged.accounts.map((a) => a.accountKey)).toEqual(['ann']);
    expect(merged.memberships).toEqual([{ accountKey: 'ann', group: 'staff' }]);
  });

  it("replaces a changed group's members, also when it was emptied", () => {
    const merged = mergeChanges(
      snapshot,
      changes({ changedGroups: ['staff', 'admins'], memberships: [{ accountKey: 'bob', group: 'staff' }] }),
    );
    expect(merged.memberships).toEqual([{ accountKey: 'bob', group: 'staff' }]);
  });
});

describe('ReadBack', () => {
  it('reads a plain connector in full every time', async () => {
    const connector = { readAll: jest.fn().mockResolvedValue(snapshot) } as unknown as Connector;
    const readBack = new ReadBack();
    expect((await readBack.read('hr_app', connector)).incremental).toBe(false);
    expect((await readBack.read('hr_app', connector)).incremental).toBe(false);
    expect(connector.readAll).toHaveBeenCalledTimes(2);
  });
});
