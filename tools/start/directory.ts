import { randomBytes } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startSlapd } from '@prov/testing';
import { tcpReachable, type Server } from './infrastructure';

/**
 * The directory behind the sample role model's `corp_ldap` connection, which reads its URL and
 * its service account's password from CORP_LDAP_URL and CORP_LDAP_PASSWORD. A directory given
 * by CORP_LDAP_URL is used as it is; otherwise a local slapd is started with its data under
 * .run/ldap (so entries written in one demo are there in the next, like the event log), and
 * stopped on exit. Without any directory the engine starts all the same: orders for corp_ldap
 * then fail, transiently, until one is there.
 */

export const SAMPLE_LDAP_BASE_DN = 'dc=example,dc=com';

export interface Directory {
  /** Undefined when no directory could be had. */
  server?: Server;
  /** Variables for the services (the agent reads them): CORP_LDAP_URL, CORP_LDAP_PASSWORD. */
  env: Record<string, string>;
  /** For the summary: where it is, and where the credentials of a local one are. */
  description: string;
}

type Say = (line: string) => void;

export async function chooseDirectory(env: NodeJS.ProcessEnv, runDir: string, say: Say): Promise<Directory> {
  if (env.CORP_LDAP_URL) {
    if (!env.CORP_LDAP_PASSWORD)
      say('CORP_LDAP_URL is set but CORP_LDAP_PASSWORD is not: orders for corp_ldap will fail');
    if (!(await tcpReachable(env.CORP_LDAP_URL, env.CORP_LDAP_URL.startsWith('ldaps:') ? 636 : 389))) {
      say(
        `CORP_LDAP_URL ${env.CORP_LDAP_URL} does not answer (yet); orders for corp_ldap are retried until it does`,
      );
    }
    return { env: {}, description: `${env.CORP_LDAP_URL} (CORP_LDAP_URL)` };
  }
  const dir = join(runDir, 'ldap');
  // A fresh password at every start: slapd sets it on the service account, the agent gets it
  // through the environment, and nothing needs to keep it.
  const servicePassword = randomBytes(18).toString('base64url');
  say(`starting slapd (data ${dir}) for the corp_ldap connection`);
  try {
    const slapd = await startSlapd({ dir, baseDn: SAMPLE_LDAP_BASE_DN, servicePassword });
    // For looking at the demo directory with ldapsearch; private to this user, like the tokens.
    const credentials = join(dir, 'credentials.json');
    writeFileSync(
      credentials,
      JSON.stringify(
        { url: slapd.url, adminDn: slapd.adminDn, adminPassword: slapd.adminPassword, baseDn: slapd.baseDn },
        null,
        2,
      ),
      { mode: 0o600 },
    );
    return {
      server: { url: slapd.url, origin: `started here, data ${dir}`, stop: () => slapd.stop() },
      env: { CORP_LDAP_URL: slapd.url, CORP_LDAP_PASSWORD: servicePassword },
      description: `${slapd.url} (started here; admin credentials in ${credentials})`,
    };
  } catch (error) {
    say(
      `no LDAP directory for corp_ldap (${(error as Error).message.split('\n')[0]}); set CORP_LDAP_URL and CORP_LDAP_PASSWORD to use one`,
    );
    return { env: {}, description: 'none (orders for corp_ldap fail until CORP_LDAP_URL is set)' };
  }
}
