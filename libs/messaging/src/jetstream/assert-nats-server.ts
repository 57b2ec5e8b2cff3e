import { NatsConnection } from 'nats';

/**
 * Start-up check that the NATS server can carry the provisioning orders. Without it a service
 * connected to a server without JetStream (a plain `nats-server` without `-js`, or an account
 * without JetStream) would fail later and obscurely, with a 503 on the first publish.
 */

export interface NatsServerRequirements {
  /** Lowest acceptable server version (default 2.9.0: work-queue streams, pull consumers). */
  minVersion?: string;
  /** Whether JetStream must be enabled for this account (default true). */
  jetstream?: boolean;
}

export interface NatsServerFacts {
  version: string;
  jetstream: boolean;
}

export class NatsServerRequirementError extends Error {
  override readonly name = 'NatsServerRequirementError';
  readonly code = 'NatsServerRequirement';
}

type SemVer = [number, number, number];

/** Parses `2.9.10`, `v2.10.0-beta.1` (the pre-release counts as that version). */
export function parseServerVersion(version: string): SemVer | undefined {
  const match = /^v?(\d+)\.(\d+)\.(\d+)/.exec(version.trim());
  return match ? [Number(match[1]), Number(match[2]), Number(match[3])] : undefined;
}

export function compareVersions(a: SemVer, b: SemVer): number {
  for (let i = 0; i < 3; i++) {
    if (a[i] !== b[i]) return a[i] - b[i];
  }
  return 0;
}

/**
 * Resolves with the server's version and JetStream status, or rejects with a
 * {@link NatsServerRequirementError} naming what was found and what is needed.
 */
export async function assertNatsServer(
  nc: NatsConnection,
  requirements: NatsServerRequirements = {},
): Promise<NatsServerFacts> {
  const minVersion = requirements.minVersion ?? '2.9.0';
  const needJetStream = requirements.jetstream ?? true;
  const wanted = parseServerVersion(minVersion);
  if (!wanted) throw new Error(`minVersion ${JSON.stringify(minVersion)} is not a version like 2.9.0`);

  const where = nc.getServer();
  const version = nc.info?.version;
  const found = version ? parseServerVersion(version) : undefined;
  if (!version || !found) {
    throw new NatsServerRequirementError(
      `NATS server at ${where} did not report a usable version (${JSON.stringify(version)}); ` +
        `the provisioning engine needs nats-server >= ${minVersion}`,
    );
  }
  if (compareVersions(found, wanted) < 0) {
    throw new NatsServerRequirementError(
      `NATS server at ${where} is version ${version}, but the provisioning engine needs nats-server >= ${minVersion}` +
        (needJetStream ? ' with JetStream (work-queue streams, durable pull consumers)' : ''),
    );
  }

  let jetstream = false;
  let cause: unknown;
  try {
    // jetstreamManager() asks for the account info, which fails when JetStream is off.
    const jsm = await nc.jetstreamManager();
    await jsm.getAccountInfo();
    jetstream = true;
  } catch (error) {
    cause = error;
  }
  if (needJetStream && !jetstream) {
    const reason = cause instanceof Error ? cause.message : String(cause);
    throw new NatsServerRequirementError(
      `NATS server at ${where} (version ${version}) has no JetStream for this account (${reason}); ` +
        'provisioning orders need JetStream: start nats-server with -js (or "jetstream {}" in its config) ' +
        'and give the account JetStream limits',
    );
  }
  return { version, jetstream };
}
