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

async function refusal(promise: Promise<unknown>): Promise<CommandRefusedError> {
  const error = await promise.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(CommandRefusedError);
  return error as CommandRefusedError;
}

describe('signed commands', () => {
  it('verifies a command signed by a trusted signer, with the actor it signed', async () => {
    const token = await signCommand(gateway, { subject: APPROVE, body });
    await expect(verifyCommand(gateway, senders, { subject: APPROVE, body, token })).resolves.toMatchObject({
      signer: 'gateway',
      actor: 'alice',
    });
  });

  it('refuses an unsigned command', async () => {
    expect(
      (await refusal(verifyCommand(gateway, senders, { subject: APPROVE, body, token: undefined }))).reason,
    ).toBe('unsigned');
  });

  it('refuses a body or subject other than the signed one (tampered)', async () => {
    const token = await signCommand(gateway, { subject: APPROVE, body });
    const otherActor = { ...body, actor: 'mallory' };
    expect(
      (await refusal(verifyCommand(gateway, senders, { subject: APPROVE, body: otherActor, token }))).reason,
    ).toBe('tampered');
    const decline = 'prov.cmd.review.decline';
    expect(
      (
        await refusal(
          verifyCommand(gateway, { ...senders, [decline]: ['gateway'] }, { subject: decline, body, token }),
        )
      ).reason,
    ).toBe('tampered');
  });

  it('refuses an expired command', async () => {
    const token = await signCommand(gateway, {
      subject: APPROVE,
      body,
      ttlMs: 1000,
      now: Date.now() - 60_000,
    });
    expect((await refusal(verifyCommand(gateway, senders, { subject: APPROVE, body, token }))).reason).toBe(
      'expired',
    );
  });

  it('refuses a signature from a key it does not trust, even under a trusted name', async () => {
    const forger = commandKeys('gateway', generateCommandKeyPair().privateKey, {});
    const token = await signCommand(forger, { subject: APPROVE, body });
    expect((await refusal(verifyCommand(gateway, senders, { subject: APPROVE, body, token }))).reason).toBe(
      'invalid',
    );
    expect(
      (await refusal(verifyCommand(gateway, senders, { subject: APPROVE, body, token: 'not.a.token' })))
        .reason,
    ).toBe('invalid');
  });

  it('refuses a command the signer may not send, and a person as actor from anyone but the gateway', async () => {
    const byAgent = await signCommand(agent, { subject: APPROVE, body: { orderId: 'o-1', actor: 'agent' } });
    expect(
      (
        await refusal(
          verifyCommand(gateway, senders, {
            subject: APPROVE,
            body: { orderId: 'o-1', actor: 'agent' },
            token: byAgent,
          }),
        )
      ).reason,
    ).toBe('forbidden');
    const report = { orderId: 'o-1', actor: 'alice' };
    const asAlice = await signCommand(agent, { subject: 'prov.cmd.orders.report', body: report });
    expect(
      (
        await refusal(
          verifyCommand(gateway, senders, {
            subject: 'prov.cmd.orders.report',
            body: report,
            token: asAlice,
          }),
        )
      ).reason,
    ).toBe('forbidden');
  });

  it('lets the agent report as itself', async () => {
    const report = { orderId: 'o-1', actor: 'agent' };
    const token = await signCommand(agent, { subject: 'prov.cmd.orders.report', body: report });
    await expect(
      verifyCommand(gateway, senders, { subject: 'prov.cmd.orders.report', body: report, token }),
    ).resolves.toMatchObject({ signer: 'agent' });
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
