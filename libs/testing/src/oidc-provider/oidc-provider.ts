import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import { startServerProcess, stopProcess } from '../child-processes';
import { freePort, waitForPort } from '../free-port';

/** A person of the test organisation: who they are, their password and their groups. */
export interface SamplePerson {
  subject: string;
  name: string;
  email: string;
  password: string;
  groups: string[];
}

/**
 * The test organisation: one person per console role (the group named as the role, which is
 * the gateway's default OIDC_ROLE_MAPPING), and one in no mapped group.
 */
export const SAMPLE_PEOPLE: readonly SamplePerson[] = [
  {
    subject: 'rita',
    name: 'Rita Reviewer',
    email: 'rita@example.com',
    password: 'rita-Passw0rd!',
    groups: ['staff', 'reviewer'],
  },
  {
    subject: 'remy',
    name: 'Rémy Requester',
    email: 'remy@example.com',
    password: 'remy-Passw0rd!',
    groups: ['staff', 'requester'],
  },
  {
    subject: 'olga',
    name: 'Olga Operator',
    email: 'olga@example.com',
    password: 'olga-Passw0rd!',
    groups: ['staff', 'operator'],
  },
  {
    subject: 'ada',
    name: 'Ada Admin',
    email: 'ada@example.com',
    password: 'ada-Passw0rd!',
    groups: ['staff', 'admin'],
  },
  {
    subject: 'aude',
    name: 'Aude Auditor',
    email: 'aude@example.com',
    password: 'aude-Passw0rd!',
    groups: ['staff', 'auditor'],
  },
  {
    subject: 'vic',
    name: 'Vic Visitor',
    email: 'vic@example.com',
    password: 'vic-Passw0rd!',
    groups: ['visitors'],
  },
];

export interface RunningOidcProvider {
  /** `http://127.0.0.1:<port>`: the issuer, and where its discovery document lives. */
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** The variables the gateway needs to sign people in with this provider. */
  gatewayEnv(publicUrl: string): Record<string, string>;
  stop(): Promise<void>;
}

// ESM only (oidc-provider), run by plain node from the source tree, like the SCIM server.
const SCRIPT = join(__dirname, 'oidc-provider.mjs');

/**
 * Starts an OpenID provider (node-oidc-provider) as a tracked child process on a free loopback
 * port, with the sample people and one confidential client whose only redirect URI is the
 * gateway's callback at `publicUrl` (so the gateway's port must be known first).
 */
export async function startOidcProvider(options: {
  publicUrl: string;
  people?: readonly SamplePerson[];
}): Promise<RunningOidcProvider> {
  const port = await freePort();
  const clientId = 'provisioning-console';
  const clientSecret = randomBytes(24).toString('base64url');
  const redirectUri = `${options.publicUrl.replace(/\/+$/, '')}/api/auth/callback`;
  const config = {
    clientId,
    clientSecret,
    redirectUris: [redirectUri],
    people: options.people ?? SAMPLE_PEOPLE,
  };
  const child = await startServerProcess(
    'the OpenID test provider',
    process.execPath,
    [SCRIPT, '--port', String(port)],
    // Secrets by environment: a command line is readable by every user of the machine.
    { env: { ...process.env, OIDC_TEST_CONFIG: JSON.stringify(config), NODE_ENV: 'development' } },
    () => waitForPort(port),
  );
  const issuer = `http://127.0.0.1:${port}`;
  return {
    issuer,
    clientId,
    clientSecret,
    gatewayEnv: (publicUrl) => ({
      OIDC_ISSUER: issuer,
      OIDC_CLIENT_ID: clientId,
      OIDC_CLIENT_SECRET: clientSecret,
      PUBLIC_URL: publicUrl,
      OIDC_SCOPES: 'openid profile email groups',
    }),
    stop: () => stopProcess(child, 'SIGTERM'),
  };
}
