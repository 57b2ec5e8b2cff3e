import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { automaticConnections, type BusKit, busKit, generateBus } from '@prov/testing';

/**
 * The bus of `npm start` (ADR 0010). With its own nats-server: fresh credentials for every
 * service and the agent, written with the server's configuration under .run/bus/ (mode 0600,
 * gitignored). With NATS_URL: the credentials of that bus, from BUS_CREDENTIALS_FILE; the
 * services never run on a server that does not know them.
 */
export interface StartBus {
  kit: BusKit;
  /** Set when the server is started here: its configuration file. */
  configFile?: string;
}

export function chooseBus(
  env: NodeJS.ProcessEnv,
  runDir: string,
  roleModel: string,
  external: boolean,
): StartBus {
  if (external) {
    const file = env.BUS_CREDENTIALS_FILE;
    if (!file) {
      throw new Error(
        'NATS_URL is set but BUS_CREDENTIALS_FILE is not: the services need their NATS credentials and command keys ' +
          '(a credentials.json like the one npm start writes to .run/bus/; see docs/operations.md "The bus")',
      );
    }
    if (!existsSync(file)) throw new Error(`BUS_CREDENTIALS_FILE ${file} does not exist`);
    return {
      kit: busKit((JSON.parse(readFileSync(file, 'utf8')) as ReturnType<BusKit['toJSON']>).identities),
    };
  }
  const dir = join(runDir, 'bus');
  mkdirSync(dir, { recursive: true, mode: 0o700 });
  chmodSync(dir, 0o700);
  const kit = generateBus([{ identity: 'agent', connections: automaticConnections(roleModel) }]);
  const configFile = join(dir, 'nats-server.conf');
  writeSecret(configFile, kit.configuration());
  writeSecret(join(dir, 'credentials.json'), `${JSON.stringify(kit.toJSON(), null, 2)}\n`);
  return { kit, configFile };
}

function writeSecret(file: string, text: string): void {
  writeFileSync(file, text, { mode: 0o600 });
  // An existing file keeps its mode on write: make sure it is this user's only.
  chmodSync(file, 0o600);
}
