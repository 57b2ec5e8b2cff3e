import { readFileSync } from 'node:fs';
import { Attribute, Change, Client, NoSuchAttributeError } from 'ldapts';
import { SLAPD_ALLOCATOR, startSlapd, type RunningSlapd } from './slapd';

/**
 * The directory the tests, the benches and `npm start` run: a group's members are kept sorted
 * and, past 100, stored apart from the group entry (ADR 0071), slapd allocates with jemalloc (ADR
 * 0080), and the group still answers the result codes the LDAP connector relies on.
 */
describe('slapd started for tests and npm start', () => {
  let slapd: RunningSlapd;
  let client: Client;
  const memberDn = (n: number) => `uid=m${String(n).padStart(4, '0')},${slapd.peopleDn}`;
  const members = async (dn: string) => {
    const { searchEntries } = await client.search(dn, { scope: 'base', attributes: ['member'] });
    const values = searchEntries[0]?.member ?? [];
    return Array.isArray(values) ? values.map(String) : [String(values)];
  };
  const change = (operation: 'add' | 'delete', values: string[]) =>
    new Change({ operation, modification: new Attribute({ type: 'member', values }) });

  beforeAll(async () => {
    slapd = await startSlapd();
    client = new Client({ url: slapd.url });
    await client.bind(slapd.adminDn, slapd.adminPassword);
  });

  afterAll(async () => {
    await client?.unbind();
    await slapd?.stop();
  });

  it('runs slapd itself with jemalloc loaded (ADR 0080)', () => {
    // The pid is slapd's: env(1) set the preload and became it.
    expect(readFileSync(`/proc/${slapd.pid}/comm`, 'utf8').trim()).toBe('slapd');
    expect(readFileSync(`/proc/${slapd.pid}/maps`, 'utf8')).toContain(SLAPD_ALLOCATOR);
  });

  it("keeps a small group's members sorted, whatever order they were added in", async () => {
    const dn = `cn=small,${slapd.groupsDn}`;
    await client.add(dn, { objectClass: 'groupOfNames', cn: 'small', member: memberDn(3) });
    await client.modify(dn, change('add', [memberDn(1)]));
    await client.modify(dn, change('add', [memberDn(2)]));
    // Sorted values are what makes a modify's duplicate check a binary search (sortvals).
    expect(await members(dn)).toEqual([memberDn(1), memberDn(2), memberDn(3)]);
  });

  it('answers a large group as the connector expects: duplicates refused, absent values reported', async () => {
    const dn = `cn=large,${slapd.groupsDn}`;
    const descending = Array.from({ length: 300 }, (_, i) => memberDn(300 - i));
    await client.add(dn, { objectClass: 'groupOfNames', cn: 'large', member: descending.slice(0, 150) });
    await client.modify(dn, change('add', descending.slice(150)));
    expect(await members(dn)).toEqual([...descending].reverse());
    // The shared modify of ADR 0058 relies on all-or-nothing: one member there already refuses it.
    await expect(client.modify(dn, change('add', [memberDn(999), memberDn(150)]))).rejects.toMatchObject({
      code: 20,
    });
    expect(await members(dn)).not.toContain(memberDn(999));
    await expect(client.modify(dn, change('delete', [memberDn(999)]))).rejects.toBeInstanceOf(
      NoSuchAttributeError,
    );
    // Below the low mark the members move back into the entry; all of them still read back.
    await client.modify(dn, change('delete', descending.slice(5)));
    expect(await members(dn)).toEqual(descending.slice(0, 5).reverse());
    await expect(client.modify(dn, change('add', [memberDn(300)]))).rejects.toMatchObject({ code: 20 });
  });
});
