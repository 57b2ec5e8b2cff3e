import { type ChildProcess, execFileSync } from 'node:child_process';
import { createHash, randomBytes } from 'node:crypto';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Attribute, Change, Client } from 'ldapts';
import { startServerProcess, stopProcess } from './child-processes';
import { ensureDebianPackage } from './debian-packages';
import { freePort, waitForPort } from './free-port';

/**
 * A throwaway OpenLDAP server for tests: a private slapd.conf and mdb database in a temporary
 * directory, never /etc/ldap, on free loopback ports. The memberof and refint overlays are on,
 * as in the directories the LDAP connector is meant for: `memberOf` is maintained on accounts and
 * group `member` values follow renames and deletions.
 */

export interface SlapdOptions {
  /** Suffix of the single database; default dc=example,dc=test. */
  baseDn?: string;
  /** Password of the rootdn `cn=admin,<baseDn>`; default a random one. */
  adminPassword?: string;
  /** Password of the service account `cn=provisioning,<baseDn>`; default a random one. */
  servicePassword?: string;
  /** Also listen on ldaps:// with a fresh self-signed certificate for 127.0.0.1 (needs openssl). */
  tls?: boolean;
  /**
   * Keep the directory here across starts (npm start's .run/ldap) instead of a temporary one
   * removed on stop. The base entries are added once; the service account's password is set to
   * `servicePassword` at every start, so a caller need not store it.
   */
  dir?: string;
  /** Listen on this port; default a free one. */
  port?: number;
  /**
   * Record every write (the auditlog overlay, LDIF) in `auditLogFile`: tests count the adds and
   * modifies an entry received, to show that nothing was written twice.
   */
  auditLog?: boolean;
}

export interface RunningSlapd {
  url: string;
  /** Present when started with `tls: true`. */
  ldapsUrl?: string;
  /** PEM file of the self-signed certificate (its own CA), when started with `tls: true`. */
  caCertFile?: string;
  baseDn: string;
  adminDn: string;
  adminPassword: string;
  /** A non-root account, cn=provisioning,<baseDn>, allowed to write but held to the default size limit. */
  serviceDn: string;
  servicePassword: string;
  /** ou=people,<baseDn> and ou=groups,<baseDn>, created empty. */
  peopleDn: string;
  groupsDn: string;
  /** With `auditLog: true`: the LDIF of every write, in order. */
  auditLogFile?: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * jemalloc, where Debian's libjemalloc2 puts it. slapd runs with it instead of glibc's malloc (ADR
 * 0080): a modify of a large group decodes every member into values of its own, and with glibc's
 * allocator half of slapd's CPU went to allocating and freeing them.
 */
export const SLAPD_ALLOCATOR = `/usr/lib/${process.arch === 'arm64' ? 'aarch64' : 'x86_64'}-linux-gnu/libjemalloc.so.2`;

/** The rootpw as {SSHA}, so that the password is not written in clear even in a private file. */
function sshaHash(password: string): string {
  const salt = randomBytes(8);
  const digest = createHash('sha1').update(password).update(salt).digest();
  return `{SSHA}${Buffer.concat([digest, salt]).toString('base64')}`;
}

function selfSignedCertificate(dir: string): { cert: string; key: string } {
  ensureDebianPackage('openssl', 'openssl');
  const cert = join(dir, 'server.crt');
  const key = join(dir, 'server.key');
  // An EC key keeps generation at a few milliseconds; the SAN makes Node's hostname check pass.
  execFileSync(
    'openssl',
    [
      'req',
      '-x509',
      '-newkey',
      'ec',
      '-pkeyopt',
      'ec_paramgen_curve:prime256v1',
      '-nodes',
      '-days',
      '2',
      '-subj',
      '/CN=127.0.0.1',
      '-addext',
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      '-keyout',
      key,
      '-out',
      cert,
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  return { cert, key };
}

function firstRdnValue(dn: string): string {
  return dn.split(',')[0].split('=')[1];
}

/** Starts slapd and creates the base entry with ou=people and ou=groups; about a second. */
export async function startSlapd(options: SlapdOptions = {}): Promise<RunningSlapd> {
  ensureDebianPackage('slapd', 'slapd');
  ensureDebianPackage('ldapadd', 'ldap-utils');
  ensureDebianPackage(SLAPD_ALLOCATOR, 'libjemalloc2');
  const baseDn = options.baseDn ?? 'dc=example,dc=test';
  const adminDn = `cn=admin,${baseDn}`;
  const adminPassword = options.adminPassword ?? randomBytes(12).toString('hex');
  const serviceDn = `cn=provisioning,${baseDn}`;
  const servicePassword = options.servicePassword ?? randomBytes(12).toString('hex');
  const keep = options.dir !== undefined;
  const dir = options.dir ?? mkdtempSync(join(tmpdir(), 'prov-slapd-'));
  const dataDir = join(dir, 'data');
  mkdirSync(dataDir, { recursive: true, mode: 0o700 });
  const port = options.port ?? (await freePort());
  const tls = options.tls ? selfSignedCertificate(dir) : undefined;
  const ldapsPort = tls ? await freePort() : undefined;
  const conf = [
    ...['core', 'cosine', 'inetorgperson', 'nis'].map((s) => `include /etc/ldap/schema/${s}.schema`),
    `pidfile ${join(dir, 'slapd.pid')}`,
    `argsfile ${join(dir, 'slapd.args')}`,
    'modulepath /usr/lib/ldap',
    'moduleload back_mdb',
    'moduleload memberof',
    'moduleload refint',
    ...(options.auditLog ? ['moduleload auditlog'] : []),
    ...(tls ? [`TLSCertificateFile ${tls.cert}`, `TLSCertificateKeyFile ${tls.key}`] : []),
    // A group's members kept sorted: a modify's check that an added member is not there yet is a
    // binary search instead of a scan of every member (ADR 0071).
    'sortvals member',
    'database mdb',
    `suffix "${baseDn}"`,
    `rootdn "${adminDn}"`,
    `rootpw ${sshaHash(adminPassword)}`,
    `directory ${dataDir}`,
    // Sparse file; the 10 MB default is too small for the paging tests' thousands of entries.
    'maxsize 268435456',
    // A group's members past 100 stored as records of their own: a modify then writes the members
    // it adds, not the whole group entry again, which for a group of tens of thousands was most of
    // slapd's work per order (ADR 0071).
    'multival member 100,10',
    // A throwaway database: skipping the sync per write makes bulk test data ~10x faster to add.
    'dbnosync',
    'index objectClass eq',
    'index uid,cn,member eq',
    // The service account writes everything but passwords; anonymous users see nothing. It keeps
    // the default size limit of 500 per search, but paged searches may return everything: the
    // setting a directory needs for the connector's synchronization to read it whole.
    `limits dn.exact="${serviceDn}" size.soft=500 size.hard=500 size.prtotal=unlimited`,
    'access to attrs=userPassword by self write by anonymous auth by * none',
    `access to * by dn.exact="${serviceDn}" write by users read by * none`,
    'overlay memberof',
    'memberof-refint TRUE',
    'overlay refint',
    'refint_attributes member',
    ...(options.auditLog ? ['overlay auditlog', `auditlog ${join(dir, 'audit.ldif')}`] : []),
    '',
  ].join('\n');
  const confFile = join(dir, 'slapd.conf');
  writeFileSync(confFile, conf, { mode: 0o600 });

  const listen = [`ldap://127.0.0.1:${port}/`, ...(ldapsPort ? [`ldaps://127.0.0.1:${ldapsPort}/`] : [])];
  const cleanUp = async () => {
    await stopProcess(child, 'SIGTERM');
    if (!keep) rmSync(dir, { recursive: true, force: true });
  };
  const url = `ldap://127.0.0.1:${port}`;
  const peopleDn = `ou=people,${baseDn}`;
  const groupsDn = `ou=groups,${baseDn}`;
  let child: ChildProcess;
  try {
    // -d 0 keeps slapd in the foreground (a tracked child) without debug output. env(1) sets the
    // preload for slapd alone and then becomes slapd (same process, same pid).
    child = await startServerProcess(
      'slapd',
      'env',
      [`LD_PRELOAD=${SLAPD_ALLOCATOR}`, 'slapd', '-d', '0', '-f', confFile, '-h', listen.join(' ')],
      {},
      () => Promise.all([waitForPort(port), ...(ldapsPort ? [waitForPort(ldapsPort)] : [])]),
    );
  } catch (error) {
    if (!keep) rmSync(dir, { recursive: true, force: true });
    throw error;
  }
  try {
    const client = new Client({ url, timeout: 10_000, connectTimeout: 10_000 });
    try {
      await client.bind(adminDn, adminPassword);
      // A kept directory already has its entries (entryAlreadyExists, 68): added once only.
      const addOnce = (dn: string, attributes: Record<string, string | string[]>) =>
        client.add(dn, attributes).then(
          () => true,
          (error: { code?: unknown }) => {
            if (error?.code === 68) return false;
            throw error;
          },
        );
      const top = firstRdnValue(baseDn);
      await addOnce(baseDn, { objectClass: ['dcObject', 'organization'], dc: top, o: top });
      for (const ou of [peopleDn, groupsDn]) {
        await addOnce(ou, { objectClass: 'organizationalUnit', ou: firstRdnValue(ou) });
      }
      const userPassword = sshaHash(servicePassword);
      const added = await addOnce(serviceDn, {
        objectClass: ['organizationalRole', 'simpleSecurityObject'],
        cn: 'provisioning',
        userPassword,
      });
      if (!added) {
        await client.modify(
          serviceDn,
          new Change({
            operation: 'replace',
            modification: new Attribute({ type: 'userPassword', values: [userPassword] }),
          }),
        );
      }
    } finally {
      await client.unbind();
    }
  } catch (error) {
    await cleanUp();
    throw error;
  }
  return {
    url,
    ...(ldapsPort && tls ? { ldapsUrl: `ldaps://127.0.0.1:${ldapsPort}`, caCertFile: tls.cert } : {}),
    baseDn,
    adminDn,
    adminPassword,
    serviceDn,
    servicePassword,
    peopleDn,
    groupsDn,
    ...(options.auditLog ? { auditLogFile: join(dir, 'audit.ldif') } : {}),
    pid: child.pid!,
    stop: cleanUp,
  };
}
