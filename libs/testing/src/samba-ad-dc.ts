import { execFile, spawn, type ChildProcess } from 'node:child_process';
import {
  closeSync,
  mkdirSync,
  mkdtempSync,
  openSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
  writeSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { track } from './child-processes';
import { ensureDebianPackage } from './debian-packages';
import { waitForPort } from './free-port';

const run = promisify(execFile);

export interface SambaAdDcOptions {
  realm?: string;
  domain?: string;
  /** The domain's default policy applies: at least 7 characters, three character classes. */
  adminPassword?: string;
}

export interface RunningSambaAdDc {
  ldapsUrl: string;
  /** Plain LDAP: simple binds need StartTLS here (`ldap server require strong auth` stays at its default). */
  ldapUrl: string;
  /** The loopback address this instance alone listens on (LDAP ports cannot be chosen). */
  host: string;
  baseDn: string;
  adminDn: string;
  adminPassword: string;
  realm: string;
  domain: string;
  dir: string;
  pid: number;
  stop(): Promise<void>;
}

/**
 * Removes paths once this process is gone, however it ends: a shell waits for EOF on a pipe from
 * this process, which the kernel closes even on SIGKILL. (An 'exit' handler does not do: inside
 * Jest's sandbox it never ran, and it cannot run on SIGKILL.) dispose() removes them now.
 */
function removeWhenThisProcessEnds(paths: string[]): { dispose(): void } {
  const janitor = spawn('sh', ['-c', 'cat >/dev/null; rm -rf -- "$@"', 'janitor', ...paths], {
    stdio: ['pipe', 'ignore', 'ignore'],
    detached: true, // its own process group: a Ctrl-C to the test run does not stop it before it cleans
  });
  janitor.unref();
  (janitor.stdin as unknown as { unref?: () => void } | null)?.unref?.();
  return { dispose: () => janitor.stdin?.end() };
}

/**
 * Provisioning takes ~7 s; starting a copy of a provisioned directory takes under a second. One
 * template per realm/domain/password per process, removed when the process exits. Only
 * smb.conf names the directory, and each instance writes its own.
 */
const templates = new Map<string, Promise<string>>();
const PROVISION_TIMEOUT_MS = 240_000;

function template(realm: string, domain: string, adminPassword: string): Promise<string> {
  const key = JSON.stringify([realm, domain, adminPassword]);
  let dir = templates.get(key);
  if (!dir) {
    dir = provision(realm, domain, adminPassword);
    templates.set(key, dir);
    dir.catch(() => templates.delete(key));
  }
  return dir;
}

async function provision(realm: string, domain: string, adminPassword: string): Promise<string> {
  const dir = mkdtempSync(join(tmpdir(), 'prov-samba-template-'));
  removeWhenThisProcessEnds([dir]);
  // DNS is left out (no backend, no service): tests reach the DC by address, and the internal
  // DNS server would want port 53.
  const args = ['domain', 'provision', `--realm=${realm}`, `--domain=${domain}`, '--server-role=dc'];
  args.push('--dns-backend=NONE', '--host-name=dc1', `--adminpass=${adminPassword}`, `--targetdir=${dir}`);
  args.push('--option=interfaces=lo', '--option=bind interfaces only=yes');
  try {
    // ~7 s when quiet; one CI run under load 25 spent 94 s in its schema step alone.
    await run('samba-tool', args, { timeout: PROVISION_TIMEOUT_MS, maxBuffer: 16 * 1024 * 1024 });
  } catch (error) {
    const { stderr, stdout, killed } = error as { stderr?: string; stdout?: string; killed?: boolean };
    const output = `${stderr ?? ''}\n${stdout ?? ''}`.trim().split('\n').slice(-15).join('\n');
    const why = killed ? `killed after ${PROVISION_TIMEOUT_MS / 1000} s` : 'failed';
    throw new Error(`samba-tool domain provision ${why}: ${output.split(adminPassword).join('***')}`);
  }
  return dir;
}

/** Nothing (another test, the system's Samba) listens on host:port: binding it succeeds. */
function canBind(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(false));
    server.listen(port, host, () => server.close(() => resolve(true)));
  });
}

/** A lock file left by a process that died; an empty one is being written, unless it is old. */
function staleLock(lock: string): boolean {
  try {
    const owner = Number(readFileSync(lock, 'utf8').trim()) || 0;
    return owner > 0 ? !processAlive(owner) : Date.now() - statSync(lock).mtimeMs > 10_000;
  } catch {
    return false; // gone already: the next attempt may take it
  }
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/**
 * Picks 127.0.0.X with the LDAP and global catalog ports free, and holds a lock file for it, so
 * that parallel Jest workers (each of which probes before its Samba binds) never pick the same one.
 */
async function reserveLoopbackAddress(): Promise<{ host: string; release(): void }> {
  for (let attempt = 0; attempt < 50; attempt++) {
    const host = `127.0.0.${2 + Math.floor(Math.random() * 249)}`;
    const lock = join(tmpdir(), `prov-samba-${host}.lock`);
    let fd: number;
    try {
      fd = openSync(lock, 'wx');
    } catch {
      // Held: by a live process, or left by a run that died (then freed for a next attempt).
      if (staleLock(lock)) rmSync(lock, { force: true });
      continue;
    }
    writeSync(fd, String(process.pid));
    closeSync(fd);
    const release = () => rmSync(lock, { force: true });
    const ports = [389, 636, 3268, 3269];
    if ((await Promise.all(ports.map((p) => canBind(host, p)))).every(Boolean)) return { host, release };
    release();
  }
  throw new Error('found no loopback address 127.0.0.X with ports 389/636/3268/3269 free');
}

/**
 * Only the `ldap` service runs: it serves LDAP/LDAPS and password sets (unicodePwd) and simple
 * binds; Kerberos, SMB, NetBIOS, RPC and DNS are not needed by an LDAP connector and are slow or
 * need more fixed ports. Every runtime path points into the instance's directory, so that
 * instances never share a pid file or a socket.
 */
function smbConf(dir: string, host: string, realm: string, domain: string): string {
  const lines = [
    '[global]',
    'netbios name = DC1',
    `workgroup = ${domain}`,
    `realm = ${realm}`,
    'server role = active directory domain controller',
    'server services = ldap',
    // An address given as address/mask is used even when no interface carries it; lo answers
    // for all of 127.0.0.0/8 on Linux.
    `interfaces = ${host}/8`,
    'bind interfaces only = yes',
    `private dir = ${dir}/private`,
    `lock directory = ${dir}`,
    `state directory = ${dir}/state`,
    `cache directory = ${dir}/cache`,
    `binddns dir = ${dir}/bind-dns`,
    `pid directory = ${dir}/run`,
    `ncalrpc dir = ${dir}/run/ncalrpc`,
    `winbindd socket directory = ${dir}/run/winbindd`,
    `ntp signd socket directory = ${dir}/run/ntp_signd`,
    `log file = ${dir}/log.%m`,
  ];
  return `${lines.map((l, i) => (i === 0 ? l : `\t${l}`)).join('\n')}\n`;
}

/** SIGTERM to the whole process group (Samba forks workers), SIGKILL to whatever is left after the grace period. */
async function stopGroup(child: ChildProcess, graceMs = 5000): Promise<void> {
  const signalGroup = (signal: NodeJS.Signals) => {
    try {
      if (child.pid) process.kill(-child.pid, signal);
    } catch {
      // the group is already gone
    }
  };
  if (child.exitCode === null && child.signalCode === null) {
    const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
    signalGroup('SIGTERM');
    const timer = setTimeout(() => signalGroup('SIGKILL'), graceMs);
    await exited;
    clearTimeout(timer);
  }
  signalGroup('SIGKILL');
}

/** Starts a Samba AD domain controller of its own (as root: Samba requires it) on a loopback address of its own. */
export async function startSambaAdDc(options: SambaAdDcOptions = {}): Promise<RunningSambaAdDc> {
  ensureDebianPackage('samba', 'samba-ad-dc');
  ensureDebianPackage('samba-tool', 'samba-common-bin');
  ensureDebianPackage('/usr/share/samba/setup/provision.ldif', 'samba-ad-provision');
  const realm = (options.realm ?? 'EXAMPLE.TEST').toUpperCase();
  const domain = (options.domain ?? 'EXAMPLE').toUpperCase();
  const adminPassword = options.adminPassword ?? 'Adm1n!Passw0rd';
  const source = await template(realm, domain, adminPassword);
  const dir = mkdtempSync(join(tmpdir(), 'prov-samba-'));
  const janitor = removeWhenThisProcessEnds([dir]);
  const address = await reserveLoopbackAddress();
  let child: ChildProcess | undefined;
  try {
    await run('cp', ['-a', `${source}/.`, dir]); // -a keeps the sysvol's ACL xattrs
    mkdirSync(join(dir, 'run'), { recursive: true });
    const conf = join(dir, 'etc', 'smb.conf');
    writeFileSync(conf, smbConf(dir, address.host, realm, domain));
    // -i keeps Samba in the foreground; with stdin a pipe it also exits when this process dies.
    const started = spawn('samba', ['-i', '-s', conf], { stdio: ['pipe', 'pipe', 'pipe'], detached: true });
    child = track(started);
    let output = '';
    const keep = (chunk: Buffer) => (output = (output + chunk.toString()).slice(-4000));
    started.stdout?.on('data', keep);
    started.stderr?.on('data', keep);
    await Promise.race([
      waitForPort(636, 60_000, address.host),
      new Promise((_, reject) =>
        started.once('exit', (code) => reject(new Error(`samba exited with ${code}: ${output}`))),
      ),
    ]);
  } catch (error) {
    if (child) await stopGroup(child);
    address.release();
    rmSync(dir, { recursive: true, force: true });
    janitor.dispose();
    throw error;
  }
  const running = child;
  const baseDn = realm
    .toLowerCase()
    .split('.')
    .map((part) => `DC=${part}`)
    .join(',');
  return {
    ldapsUrl: `ldaps://${address.host}:636`,
    ldapUrl: `ldap://${address.host}:389`,
    host: address.host,
    baseDn,
    adminDn: `CN=Administrator,CN=Users,${baseDn}`,
    adminPassword,
    realm,
    domain,
    dir,
    pid: running.pid!,
    async stop() {
      await stopGroup(running);
      address.release();
      rmSync(dir, { recursive: true, force: true });
      janitor.dispose();
    },
  };
}
