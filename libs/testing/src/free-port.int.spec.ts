import { mkdtempSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  claimPort,
  ephemeralPortRange,
  freePort,
  listeningPortRange,
  PORT_CLAIM_LIFETIME_MS,
} from './free-port';

describe('freePort', () => {
  it('reads the kernel ephemeral range, and falls back to Linux default on nonsense', () => {
    expect(ephemeralPortRange('32768\t60999\n')).toEqual({ low: 32768, high: 60999 });
    expect(ephemeralPortRange('1024 65535')).toEqual({ low: 1024, high: 65535 });
    expect(ephemeralPortRange('')).toEqual({ low: 32768, high: 60999 });
    expect(ephemeralPortRange('60999 32768')).toEqual({ low: 32768, high: 60999 });
  });

  it('looks outside the ephemeral range, on the wider side, and nowhere when neither side is wide', () => {
    expect(listeningPortRange({ low: 32768, high: 60999 })).toEqual({ from: 10_000, to: 32767 });
    expect(listeningPortRange({ low: 10_500, high: 40_000 })).toEqual({ from: 40_001, to: 65_535 });
    expect(listeningPortRange({ low: 1024, high: 65_000 })).toBeUndefined();
  });

  it('hands out ports outside the ephemeral range that a server can bind right after', async () => {
    const { low, high } = ephemeralPortRange();
    const ports = await Promise.all(Array.from({ length: 20 }, () => freePort()));
    expect(listeningPortRange()).toBeDefined();
    for (const port of ports) {
      expect(port < low || port > high).toBe(true);
      const server = createServer();
      await new Promise<void>((resolve, reject) => {
        server.once('error', reject);
        server.listen(port, '127.0.0.1', () => resolve());
      });
      await new Promise<void>((resolve) => server.close(() => resolve()));
    }
  });

  it('skips a port that another server already listens on', async () => {
    const range = listeningPortRange()!;
    const taken = createServer();
    const port = range.from + 7;
    await new Promise<void>((resolve) => taken.listen(port, '127.0.0.1', () => resolve()));
    // The first random pick lands on the taken port; freePort must go on to another.
    const random = jest.spyOn(Math, 'random').mockReturnValueOnce((7 + 0.5) / (range.to - range.from + 1));
    try {
      expect(await freePort()).not.toBe(port);
      expect(random.mock.calls.length).toBeGreaterThan(1);
    } finally {
      random.mockRestore();
      await new Promise<void>((resolve) => taken.close(() => resolve()));
    }
  });

  it('given a port claimed by another test process, when it is picked, then freePort goes on to another, though nothing listens on it yet', async () => {
    const range = listeningPortRange()!;
    // A port picked a moment ago by another worker, whose server has not bound it yet.
    const port = range.from + 11 + Math.floor(Math.random() * 1000);
    claimPort(port);
    const random = jest
      .spyOn(Math, 'random')
      .mockReturnValueOnce((port - range.from + 0.5) / (range.to - range.from + 1));
    try {
      expect(await freePort()).not.toBe(port);
      expect(random.mock.calls.length).toBeGreaterThan(1);
    } finally {
      random.mockRestore();
    }
  });

  it('claims a port once until the claim lapses', () => {
    const dir = mkdtempSync(join(tmpdir(), 'port-claims-'));
    try {
      const now = Date.now();
      expect(claimPort(20_001, dir, now)).toBe(true);
      expect(claimPort(20_001, dir, now)).toBe(false);
      expect(claimPort(20_002, dir, now)).toBe(true);
      expect(claimPort(20_001, dir, now + PORT_CLAIM_LIFETIME_MS + 1_000)).toBe(true);
      // Claimed anew, now.
      expect(claimPort(20_001, dir)).toBe(false);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
