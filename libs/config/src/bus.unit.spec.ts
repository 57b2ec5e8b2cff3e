import { ConfigurationError } from './environment';
import { identityKind, readBusSettings } from './bus';

const SEED = 'SUAIPRFSXKJ5DGUYNPAR4BTCMWNJTTEIOA6YO7WZ3I3E6BNUDU2ILNGSBU';
const KEY = 'A'.repeat(43);
const complete = {
  NATS_NKEY_SEED: SEED,
  COMMAND_SIGNING_KEY: KEY,
  COMMAND_SIGNERS: `gateway:${KEY},agent-emea:${KEY}`,
};

function problems(env: NodeJS.ProcessEnv, service = 'gateway'): string[] {
  try {
    readBusSettings(service, env);
    return [];
  } catch (error) {
    expect(error).toBeInstanceOf(ConfigurationError);
    return (error as ConfigurationError).problems;
  }
}

describe('bus settings', () => {
  it('reads a complete configuration, the identity defaulting to the service', () => {
    expect(readBusSettings('gateway', complete)).toMatchObject({
      identity: 'gateway',
      kind: 'gateway',
      nkeySeed: SEED,
      signers: { gateway: KEY, 'agent-emea': KEY },
      commandTokenTtlMs: 30_000,
    });
    expect(readBusSettings('agent', { ...complete, BUS_IDENTITY: 'agent-emea' })).toMatchObject({
      identity: 'agent-emea',
      kind: 'agent',
    });
  });

  it('stops a service without credentials, naming each variable', () => {
    expect(problems({})).toEqual([
      "NATS_NKEY_SEED is required: the nkey seed (SU...) of the NATS user 'gateway'",
      'COMMAND_SIGNING_KEY is required: a base64url Ed25519 private key (43 characters)',
      'COMMAND_SIGNERS is required: identity:publicKey pairs separated by commas',
    ]);
    expect(problems(complete, 'orders')).toEqual([
      "NATS_JETSTREAM_NKEY_SEED is required for orders: the nkey seed of the NATS user 'orders-js'",
    ]);
  });

  it('names the rule a malformed value breaks, without echoing secrets', () => {
    const found = problems({
      ...complete,
      NATS_NKEY_SEED: 'hunter2',
      COMMAND_SIGNERS: 'gateway',
      BUS_IDENTITY: 'orders',
    });
    expect(found).toEqual([
      "BUS_IDENTITY must be 'gateway' or 'gateway-<name>' (lowercase letters and digits), got 'orders'",
      'NATS_NKEY_SEED must be a user nkey seed (SU followed by 56 base32 characters)',
      "COMMAND_SIGNERS entry 1 must be 'identity:publicKey'",
    ]);
    expect(found.join(' ')).not.toContain('hunter2');
    expect(problems({ ...complete, NATS_TLS_CA_FILE: '/nonexistent/ca.pem' })).toEqual([
      'NATS_TLS_CA_FILE must name a readable file (/nonexistent/ca.pem does not exist)',
    ]);
  });

  it('knows the service kind of an identity', () => {
    expect(identityKind('agent-emea-2')).toBe('agent');
    expect(identityKind('mallory')).toBeUndefined();
    expect(identityKind('Agent')).toBeUndefined();
  });
});
