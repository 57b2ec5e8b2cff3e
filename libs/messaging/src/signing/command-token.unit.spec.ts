import { commandKeys, generateCommandKeyPair } from './command-keys';
import { type CommandSenders } from './command-senders';
import { CommandRefusedError, SeenTokens, signCommand, verifyCommand } from './command-token';

const gatewayPair = generateCommandKeyPair();
const agentPair = generateCommandKeyPair();
const signers = { gateway: gatewayPair.publicKey, agent: agentPair.publicKey };
const gateway = commandKeys('gateway', gatewayPair.privateKey, signers);
const agent = commandKeys('agent', agentPair.privateKey, signers);
const senders: CommandSenders = {
  'prov.cmd.review.approve': ['gateway'],
  'prov.cmd.orders.report': ['agent'],
};
const APPROVE = 'prov.cmd.review.approve';
const body = { orderId: 'o-1', actor: 'alice', comment: 'ok' };

function refusal(verify: () => unknown): CommandRefusedError {
  let error: unknown;
  try {
    verify();
  } catch (e) {
    error = e;
  }
  expect(error).toBeInstanceOf(CommandRefusedError);
  return error as CommandRefusedError;
}

describe('signed commands', () => {
  it('verifies a command signed by a trusted signer, with the actor it signed', () => {
    const token = signCommand(gateway, { subject: APPROVE, body });
    expect(verifyCommand(gateway, senders, { subject: APPROVE, body, token })).toMatchObject({
      signer: 'gateway',
      actor: 'alice',
    });
  });

  it('refuses an unsigned command', () => {
    expect(
      refusal(() => verifyCommand(gateway, senders, { subject: APPROVE, body, token: undefined })).reason,
    ).toBe('unsigned');
  });

  it('refuses a body or subject other than the signed one (tampered)', () => {
    const token = signCommand(gateway, { subject: APPROVE, body });
    const otherActor = { ...body, actor: 'mallory' };
    expect(
      refusal(() => verifyCommand(gateway, senders, { subject: APPROVE, body: otherActor, token })).reason,
    ).toBe('tampered');
    const decline = 'prov.cmd.review.decline';
    expect(
      refusal(() =>
        verifyCommand(gateway, { ...senders, [decline]: ['gateway'] }, { subject: decline, body, token }),
      ).reason,
    ).toBe('tampered');
  });

  it('refuses an expired command', () => {
    const token = signCommand(gateway, {
      subject: APPROVE,
      body,
      ttlMs: 1000,
      now: Date.now() - 60_000,
    });
    expect(refusal(() => verifyCommand(gateway, senders, { subject: APPROVE, body, token })).reason).toBe(
      'expired',
    );
  });

  it('refuses a signature from a key it does not trust, even under a trusted name', () => {
    const forger = commandKeys('gateway', generateCommandKeyPair().privateKey, {});
    const token = signCommand(forger, { subject: APPROVE, body });
    expect(refusal(() => verifyCommand(gateway, senders, { subject: APPROVE, body, token })).reason).toBe(
      'invalid',
    );
    expect(
      refusal(() => verifyCommand(gateway, senders, { subject: APPROVE, body, token: 'not.a.token' })).reason,
    ).toBe('invalid');
  });

  it('refuses a command the signer may not send, and a person as actor from anyone but the gateway', () => {
    const byAgent = signCommand(agent, { subject: APPROVE, body: { orderId: 'o-1', actor: 'agent' } });
    expect(
      refusal(() =>
        verifyCommand(gateway, senders, {
          subject: APPROVE,
          body: { orderId: 'o-1', actor: 'agent' },
          token: byAgent,
        }),
      ).reason,
    ).toBe('forbidden');
    const report = { orderId: 'o-1', actor: 'alice' };
    const asAlice = signCommand(agent, { subject: 'prov.cmd.orders.report', body: report });
    expect(
      refusal(() =>
        verifyCommand(gateway, senders, {
          subject: 'prov.cmd.orders.report',
          body: report,
          token: asAlice,
        }),
      ).reason,
    ).toBe('forbidden');
  });

  it('lets the agent report as itself', () => {
    const report = { orderId: 'o-1', actor: 'agent' };
    const token = signCommand(agent, { subject: 'prov.cmd.orders.report', body: report });
    expect(
      verifyCommand(gateway, senders, { subject: 'prov.cmd.orders.report', body: report, token }),
    ).toMatchObject({ signer: 'agent' });
  });

  it('signs and verifies on the calling thread: no promise, no thread-pool round trip (ADR 0045)', () => {
    const token = signCommand(gateway, { subject: APPROVE, body });
    expect(typeof token).toBe('string');
    const verified = verifyCommand(gateway, senders, { subject: APPROVE, body, token });
    expect(verified).not.toBeInstanceOf(Promise);
    expect(verified.expiresAt).toBeGreaterThan(Date.now());
  });
});

describe('SeenTokens', () => {
  it('accepts a token id once while it is valid, and forgets it after it expired', () => {
    const seen = new SeenTokens(4);
    expect(seen.firstSight('a', 1000, 0)).toBe(true);
    expect(seen.firstSight('a', 1000, 10)).toBe(false);
    expect(seen.firstSight('b', 1000, 10)).toBe(true);
    expect(seen.firstSight('c', 3000, 2000)).toBe(true);
    expect(seen.firstSight('a', 5000, 2000)).toBe(true);
  });
});
