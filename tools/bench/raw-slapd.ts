import { Attribute, Change, Client } from 'ldapts';
import { startSlapd } from '@prov/testing';
import { inFlight } from './in-flight';
import { processCpuMs } from './process-cpu';

export interface RawSlapdOptions {
  baseDn: string;
  /** Accounts to add, each also added to one group. */
  count: number;
  /**
   * Accounts added the same way first, not measured: the group then holds as many members when
   * the measure starts as the engine's does after its warm-up, and the client's code is warm.
   */
  warmup?: number;
  /** Operations in flight over all connections. */
  inFlight: number;
  connections: number;
  group: string;
}

export interface RawSlapdResult {
  count: number;
  seconds: number;
  perSecond: number;
  /** CPU ms per account (add + membership) of slapd, and of the client (ldapts in this process). */
  slapdCpuMs: number;
  clientCpuMs: number;
}

/**
 * The directory's own rate for the engine's work, as the baseline of the e2e run: a fresh slapd
 * (same overlays: memberof, refint) and the client library the connector uses (ldapts), bound as
 * the same service account, adds each account (inetOrgPerson with the attributes the sample's
 * corp_ldap_account writes) and then its membership in one groupOfNames, `inFlight` accounts at a
 * time spread over `connections` connections. No engine in between: what the directory can take.
 */
export async function measureRawSlapd(options: RawSlapdOptions): Promise<RawSlapdResult> {
  const slapd = await startSlapd({ baseDn: options.baseDn });
  const clients = Array.from(
    { length: options.connections },
    () => new Client({ url: slapd.url, timeout: 30_000 }),
  );
  try {
    await Promise.all(clients.map((c) => c.bind(slapd.serviceDn, slapd.servicePassword)));
    const groupDn = `cn=${options.group},${slapd.groupsDn}`;
    // groupOfNames needs a member; the engine's group is created by its first order in the same way.
    await clients[0].add(groupDn, {
      objectClass: 'groupOfNames',
      cn: options.group,
      member: `uid=raw.seed,${slapd.peopleDn}`,
    });
    // Account i: its entry, then its membership, over the connection of its worker.
    const addAccounts = (from: number, count: number) =>
      inFlight(count, options.inFlight, async (index, worker) => {
        const client = clients[worker % clients.length];
        const login = `raw.${from + index}`;
        const dn = `uid=${login},${slapd.peopleDn}`;
        await client.add(dn, {
          objectClass: 'inetOrgPerson',
          uid: login,
          cn: `Bench User${login}`,
          sn: `User${login}`,
          givenName: 'Bench',
          displayName: `Bench User${login}`,
          mail: `${login}@example.test`,
        });
        await client.modify(
          groupDn,
          new Change({ operation: 'add', modification: new Attribute({ type: 'member', values: [dn] }) }),
        );
      });
    const warmup = options.warmup ?? 0;
    await addAccounts(0, warmup);
    const started = process.hrtime.bigint();
    const slapdCpu = processCpuMs(slapd.pid);
    const clientCpu = processCpuMs(process.pid);
    await addAccounts(warmup, options.count);
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const perAccount = (before: number, pid: number) => (processCpuMs(pid) - before) / options.count;
    return {
      count: options.count,
      seconds,
      perSecond: options.count / seconds,
      slapdCpuMs: perAccount(slapdCpu, slapd.pid),
      clientCpuMs: perAccount(clientCpu, process.pid),
    };
  } finally {
    await Promise.all(clients.map((c) => c.unbind().catch(() => undefined)));
    await slapd.stop();
  }
}
