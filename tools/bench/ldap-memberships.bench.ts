/**
 * node tools/run-ts.js tools/bench/ldap-memberships.bench.ts — the LDAP connector alone, as the
 * agent drives it: `Added` orders of the e2e bench's entitlement (an inetOrgPerson account and its
 * membership in one group), a fixed number in flight, against a fresh slapd with the e2e bench's
 * overlays (memberof, refint). Prints orders/s, the latency of one `apply` (p50/p99/max) and the
 * CPU per order of slapd and of this process (the connector and ldapts).
 *
 * What it is for: the connector's part of generated → executed without the rest of the engine,
 * whose pace on a shared machine decides how many orders reach the agent at once and so hides what
 * the connector does with them (ADR 0058: members added to one group together share one modify;
 * ADR 0069 measured it here).
 *
 * Options (environment): LDAP_BENCH_ORDERS (orders measured, default 2000), LDAP_BENCH_IN_FLIGHT
 * (orders applied at once, default 16: the agent's AGENT_CONCURRENCY), LDAP_BENCH_WARM_UP (orders
 * applied first and not measured, default 200: the group exists and the connector knows it),
 * LDAP_BENCH_ROUNDS (measured rounds in one directory, default 1; the group keeps growing),
 * LDAP_BENCH_GROUP_SIZE (members the group holds before the warm-up, default 0: a sustained run's
 * group of tens of thousands, where slapd's work per member added showed, ADR 0071),
 * LDAP_BENCH_RATE (orders offered per second in the measured rounds, default 0: as fast as the
 * slots allow; at a rate the latency includes the wait for a slot, as the agent's queue).
 */
import { performance } from 'node:perf_hooks';
import { LdapConnector, type OrderToApply } from '@prov/connectors';
import { fillGroup, startSlapd } from '@prov/testing';
import { percentile } from './e2e-measurements';
import { processCpuMs } from './process-cpu';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
/** The e2e bench's directory suffix and group (the sample role model's `ldap_staff`). */
const BASE_DN = 'dc=example,dc=com';
const GROUP = 'staff';
const PASSWORD_ENV = 'BENCH_LDAP_PASSWORD';

let sequence = 0;
function added(accountKey: string): OrderToApply {
  sequence += 1;
  return {
    orderId: `o-${sequence}`,
    attempt: 1,
    changeType: 'Added',
    connectionId: 'corp_ldap',
    resourceTypeId: 'corp_account',
    identityId: `i-${accountKey}`,
    entitlementId: 'ldap_staff',
    changes: {
      accountKey,
      group: GROUP,
      attributes: {
        uid: accountKey,
        cn: `Bench ${accountKey}`,
        sn: accountKey,
        givenName: 'Bench',
        displayName: `Bench ${accountKey}`,
        mail: `${accountKey}@example.test`,
      },
    },
  };
}

/**
 * Applies `count` orders, `inFlight` at a time; answers each one's latency in ms. With a `rate`
 * (orders/s) the orders are offered at that pace, as the agent receives them, and an order's
 * latency runs from its offer: the wait for a free slot (the agent's queue) and its apply. As in
 * the agent, an order waiting for its group's modify gives its slot to the next (ADR 0077).
 */
async function applyAll(connector: LdapConnector, prefix: string, count: number, inFlight: number, rate = 0) {
  const latencies: number[] = [];
  const begun = performance.now();
  let free = inFlight;
  const freed: (() => void)[] = [];
  const release = () => {
    const next = freed.shift();
    if (next) next();
    else free += 1;
  };
  const slot = async () => {
    if (free > 0) free -= 1;
    else await new Promise<void>((resolve) => freed.push(resolve));
  };
  const applying: Promise<void>[] = [];
  for (let index = 0; index < count; index++) {
    const offered = rate > 0 ? begun + (index * 1000) / rate : performance.now();
    const early = offered - performance.now();
    if (early > 0) await new Promise((resolve) => setTimeout(resolve, early));
    await slot();
    let held = true;
    const freeSlot = () => {
      if (!held) return;
      held = false;
      release();
    };
    applying.push(
      connector.apply(added(`${prefix}.${index}`), { sharingWrite: freeSlot }).then(() => {
        latencies.push(performance.now() - offered);
        freeSlot();
      }),
    );
  }
  await Promise.all(applying);
  return latencies;
}

async function main(): Promise<void> {
  const orders = env('LDAP_BENCH_ORDERS', 2000);
  const inFlight = env('LDAP_BENCH_IN_FLIGHT', 16);
  const rounds = env('LDAP_BENCH_ROUNDS', 1);
  const rate = env('LDAP_BENCH_RATE', 0);
  const slapd = await startSlapd({ baseDn: BASE_DN });
  const groupSize = env('LDAP_BENCH_GROUP_SIZE', 0);
  const filling = performance.now();
  await fillGroup(slapd, GROUP, groupSize);
  if (groupSize > 0)
    console.log(
      `group filled with ${groupSize} members in ${((performance.now() - filling) / 1000).toFixed(1)} s`,
    );
  const connector = new LdapConnector(
    {
      id: 'corp_ldap',
      adoptExisting: false,
      name: 'Bench directory',
      connector: 'ldap',
      fulfillment: 'automatic',
      settings: {
        url: slapd.url,
        bindDn: slapd.serviceDn,
        bindPasswordEnv: PASSWORD_ENV,
        accountsDn: slapd.peopleDn,
        groupsDn: slapd.groupsDn,
        allowInsecure: true,
      },
    },
    { [PASSWORD_ENV]: slapd.servicePassword },
  );
  try {
    await applyAll(connector, 'warm', env('LDAP_BENCH_WARM_UP', 200), inFlight);
    for (let round = 1; round <= rounds; round++) {
      const slapdCpu = processCpuMs(slapd.pid);
      const ownCpu = processCpuMs(process.pid);
      const started = performance.now();
      const latencies = await applyAll(connector, `r${round}`, orders, inFlight, rate);
      const seconds = (performance.now() - started) / 1000;
      const sorted = latencies.sort((a, b) => a - b);
      const perOrder = (before: number, pid: number) => ((processCpuMs(pid) - before) / orders).toFixed(3);
      console.log(
        `round ${round}: ${orders} orders, ${inFlight} in flight, in ${seconds.toFixed(2)} s = ${(orders / seconds).toFixed(0)} orders/s; ` +
          `${rate > 0 ? `offered at ${rate}/s; offer → applied` : 'apply'} p50 ${percentile(sorted, 50).toFixed(1)} ms, p99 ${percentile(sorted, 99).toFixed(1)} ms, max ${sorted.at(-1)?.toFixed(1)} ms; ` +
          `CPU ms per order: slapd ${perOrder(slapdCpu, slapd.pid)}, connector ${perOrder(ownCpu, process.pid)}`,
      );
    }
  } finally {
    await connector.close();
    await slapd.stop();
  }
}

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
