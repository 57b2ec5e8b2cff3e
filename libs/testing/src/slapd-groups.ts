import { Attribute, Change, Client } from 'ldapts';
import type { RunningSlapd } from './slapd';

/** Members per write of a fill: one LDAP message of a few hundred KB. */
const FILL_PER_WRITE = 5000;

/**
 * Creates the groupOfNames `cn=<group>,<groupsDn>` holding `size` members, 5,000 per write: DNs
 * of the people container whose entries are never added (the memberof overlay skips them), so
 * that a group of tens of thousands costs seconds, not the minutes of as many accounts. Benches
 * and tests use it where slapd's work per modify grows with the group (ADR 0071, ADR 0077).
 */
export async function fillGroup(slapd: RunningSlapd, group: string, size: number): Promise<void> {
  if (size <= 0) return;
  const client = new Client({ url: slapd.url, timeout: 600_000 });
  const members = (from: number) =>
    Array.from(
      { length: Math.min(FILL_PER_WRITE, size - from) },
      (_, i) => `uid=filled.${from + i},${slapd.peopleDn}`,
    );
  const dn = `cn=${group},${slapd.groupsDn}`;
  try {
    await client.bind(slapd.adminDn, slapd.adminPassword);
    await client.add(dn, { objectClass: 'groupOfNames', cn: group, member: members(0) });
    for (let from = FILL_PER_WRITE; from < size; from += FILL_PER_WRITE) {
      const values = members(from);
      await client.modify(
        dn,
        new Change({ operation: 'add', modification: new Attribute({ type: 'member', values }) }),
      );
    }
  } finally {
    await client.unbind();
  }
}
