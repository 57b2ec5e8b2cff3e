import { nkeys } from 'nats';
import type { BusCredentials } from '../bus/bus-connection';
import { commandKeys, type CommandKeys, generateCommandKeyPair } from '../signing/command-keys';
import type { CommandSenders } from '../signing/command-senders';

/** Keys and NATS credentials for tests that run their own command services on a test NATS. */
export interface TestCommandAuth {
  keys: CommandKeys;
  credentials: BusCredentials;
  signing: { keys: CommandKeys };
  verification: { keys: CommandKeys; senders: CommandSenders };
}

/**
 * A signer `identity` that every returned verification trusts, allowed to send every subject
 * in `subjects` (the test's own commands). The nkey is fresh: on an open test server it is
 * simply not checked.
 */
export function testCommandAuth(identity: string, subjects: string[]): TestCommandAuth {
  const pair = generateCommandKeyPair();
  const keys = commandKeys(identity, pair.privateKey, { [identity]: pair.publicKey });
  const kind = identity.split('-')[0];
  const senders = Object.fromEntries(subjects.map((subject) => [subject, [kind]]));
  return {
    keys,
    credentials: { identity, nkeySeed: new TextDecoder().decode(nkeys.createUser().getSeed()) },
    signing: { keys },
    verification: { keys, senders },
  };
}
