/**
 * node tools/run-ts.js tools/bench/signing.bench.ts — a command token signed and verified by
 * the engine (node:crypto, ADR 0045) against the same token through `jose` as before, in the
 * same process, rounds interleaved so that the machine's load hits both alike. Prints CPU µs
 * (process-wide, so the thread pool's work counts) and wall µs per token, and the ratios.
 * Options (environment): BENCH_SIGNING_TOKENS (tokens per round, default 1000),
 * BENCH_SIGNING_ROUNDS (default 3), BENCH_SIGNING_IN_FLIGHT (tokens awaited together, as 32
 * requests in flight do, default 32).
 */
import { randomUUID } from 'node:crypto';
import { jwtVerify, SignJWT } from 'jose';
import {
  bodyDigest,
  commandKeys,
  ENGINE_COMMAND_SENDERS,
  generateCommandKeyPair,
  signCommand,
  verifyCommand,
} from '@prov/messaging';

const env = (name: string, fallback: number) => Number(process.env[name] ?? fallback);
const pair = generateCommandKeyPair();
const keys = commandKeys('gateway', pair.privateKey, { gateway: pair.publicKey });
const subject = 'prov.cmd.requests.request-assignment';
/** Long enough for the tokens signed first to outlive every round on a loaded machine. */
const TTL_S = 3600;
const body = { identityId: 'bench.1', entitlementId: 'ldap_staff', actor: 'requester (demo)' };

/** The token as the engine signed it with jose until ADR 0045. */
function joseSign(): Promise<string> {
  const now = Math.floor(Date.now() / 1000);
  return new SignJWT({ subj: subject, dig: bodyDigest(body), act: body.actor })
    .setProtectedHeader({ alg: 'EdDSA', kid: 'gateway' })
    .setIssuer('gateway')
    .setJti(randomUUID())
    .setIssuedAt(now)
    .setExpirationTime(now + TTL_S)
    .sign(keys.privateKey);
}

/** jose's checks as the engine ran them until ADR 0045, and the body digest. */
async function joseVerify(token: string): Promise<void> {
  const { payload } = await jwtVerify(token, keys.trusted.get('gateway')!, {
    algorithms: ['EdDSA'],
    issuer: 'gateway',
    clockTolerance: 5,
    requiredClaims: ['exp', 'jti', 'iat'],
  });
  if (payload.dig !== bodyDigest(body)) throw new Error('tampered');
}

const engineSign = async () => signCommand(keys, { subject, body, ttlMs: TTL_S * 1000 });
const engineVerify = async (token: string) =>
  void verifyCommand(keys, ENGINE_COMMAND_SENDERS, { subject, body, token });

/** CPU and wall µs per call of `work`, `inFlight` calls awaited together. */
async function measure(count: number, inFlight: number, work: (i: number) => Promise<unknown>) {
  const cpu = process.cpuUsage();
  const wall = process.hrtime.bigint();
  for (let i = 0; i < count; i += inFlight) {
    await Promise.all(Array.from({ length: Math.min(inFlight, count - i) }, (_, j) => work(i + j)));
  }
  const used = process.cpuUsage(cpu);
  return {
    cpu: (used.user + used.system) / count,
    wall: Number(process.hrtime.bigint() - wall) / 1000 / count,
  };
}

async function main(): Promise<void> {
  const count = env('BENCH_SIGNING_TOKENS', 1000);
  const rounds = env('BENCH_SIGNING_ROUNDS', 3);
  const inFlight = env('BENCH_SIGNING_IN_FLIGHT', 32);
  const joseTokens = await Promise.all(Array.from({ length: count }, joseSign));
  const engineTokens = await Promise.all(Array.from({ length: count }, engineSign));
  const cases = {
    'sign jose': () => measure(count, inFlight, joseSign),
    'sign node:crypto': () => measure(count, inFlight, engineSign),
    'verify jose': () => measure(count, inFlight, (i) => joseVerify(joseTokens[i])),
    'verify node:crypto': () => measure(count, inFlight, (i) => engineVerify(engineTokens[i])),
  };
  const totals = Object.fromEntries(Object.keys(cases).map((name) => [name, { cpu: 0, wall: 0 }]));
  await cases['sign jose'](); // warm-up of both paths
  await cases['sign node:crypto']();
  for (let round = 0; round < rounds; round++) {
    for (const [name, run] of Object.entries(cases)) {
      const { cpu, wall } = await run();
      totals[name].cpu += cpu / rounds;
      totals[name].wall += wall / rounds;
    }
  }
  for (const [name, { cpu, wall }] of Object.entries(totals))
    console.log(
      `${name.padEnd(20)} CPU ${cpu.toFixed(1).padStart(7)} µs  wall ${wall.toFixed(1).padStart(7)} µs`,
    );
  for (const op of ['sign', 'verify']) {
    const old = totals[`${op} jose`];
    const now = totals[`${op} node:crypto`];
    console.log(
      `${op}: node:crypto / jose = CPU ${(now.cpu / old.cpu).toFixed(2)}, wall ${(now.wall / old.wall).toFixed(2)}`,
    );
  }
}

main().then(
  () => process.exit(0),
  (error) => {
    console.error(error);
    process.exit(1);
  },
);
