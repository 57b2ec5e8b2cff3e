import { readBackPages } from './read-back-pages';

const account = (i: number) => ({
  accountKey: `user${i}`,
  attributes: { cn: `User ${i}`, mail: `user${i}@example.test` },
});
const membership = (i: number) => ({ accountKey: `user${i}`, group: 'staff' });

describe('readBackPages', () => {
  it('keeps a small read-back in one page', () => {
    const resources = { accounts: [account(1)], memberships: [membership(1)] };
    expect(readBackPages(resources, 64 * 1024)).toEqual([resources]);
    expect(readBackPages({ accounts: [], memberships: [] }, 1024)).toEqual([
      { accounts: [], memberships: [] },
    ]);
  });

  it('splits a large one into pages under the limit that concatenate to the read-back, in order', () => {
    const resources = {
      accounts: Array.from({ length: 20_000 }, (_, i) => account(i)),
      memberships: Array.from({ length: 20_000 }, (_, i) => membership(i)),
    };
    const limit = 256 * 1024;
    const pages = readBackPages(resources, limit);
    expect(Buffer.byteLength(JSON.stringify(resources))).toBeGreaterThan(2 * 1024 * 1024);
    expect(pages.length).toBeGreaterThan(8);
    // Room is left for the command's envelope (connection, synchronization id, page number).
    for (const page of pages)
      expect(Buffer.byteLength(JSON.stringify(page))).toBeLessThanOrEqual(limit - 400);
    expect(pages.flatMap((p) => p.accounts)).toEqual(resources.accounts);
    expect(pages.flatMap((p) => p.memberships)).toEqual(resources.memberships);
  });

  it('gives an item larger than a page a page of its own', () => {
    const big = { accountKey: 'big', attributes: { photo: 'x'.repeat(5000) } };
    const pages = readBackPages({ accounts: [account(1), big, account(2)], memberships: [] }, 2048);
    expect(pages.map((p) => p.accounts.map((a) => a.accountKey))).toEqual([['user1'], ['big'], ['user2']]);
  });
});
