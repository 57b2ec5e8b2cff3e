import { execFileSync } from 'node:child_process';
import { existsSync, rmSync, writeFileSync } from 'node:fs';

let aptUpdated = false;

function onPath(binary: string): boolean {
  if (binary.startsWith('/')) return existsSync(binary);
  try {
    execFileSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' });
    return true;
  } catch {
    return false;
  }
}

/**
 * Makes sure a Debian package's binary is there. As root the package is installed; otherwise the
 * run stops with a message that names the package, so nobody has to guess what is missing.
 */
export function ensureDebianPackage(binary: string, debianPackage: string): void {
  if (onPath(binary)) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot) {
    throw new Error(
      `the tests need '${binary}' from the Debian package '${debianPackage}': run 'apt-get install -y ${debianPackage}' as root`,
    );
  }
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  if (!aptUpdated) {
    execFileSync('apt-get', ['update', '-qq'], { stdio: 'inherit', env });
    aptUpdated = true;
  }
  // Packages such as slapd and samba start a system-wide daemon on their standard ports when
  // installed; the tests run their own instances, so the package's daemon must not start.
  const policy = '/usr/sbin/policy-rc.d';
  const hadPolicy = existsSync(policy);
  if (!hadPolicy) writeFileSync(policy, '#!/bin/sh\nexit 101\n', { mode: 0o755 });
  try {
    execFileSync(
      'apt-get',
      ['install', '-y', '-qq', '-o', 'DPkg::Lock::Timeout=300', '--no-install-recommends', debianPackage],
      {
        stdio: 'inherit',
        env,
      },
    );
  } finally {
    if (!hadPolicy) rmSync(policy, { force: true });
  }
  if (!onPath(binary)) throw new Error(`installed '${debianPackage}' but '${binary}' is still missing`);
}
