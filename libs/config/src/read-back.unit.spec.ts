import { ConfigurationError } from './environment';
import { readReadBackSettings } from './read-back';

describe('readReadBackSettings', () => {
  it('reads AGENT_FULL_READ_EVERY, 20 by default', () => {
    expect(readReadBackSettings({})).toEqual({ fullReadEvery: 20, pageBytes: 262144 });
    expect(readReadBackSettings({ AGENT_FULL_READ_EVERY: '1' })).toMatchObject({ fullReadEvery: 1 });
  });

  it('reads AGENT_READ_BACK_PAGE_BYTES and refuses a page NATS could not carry, naming the variable', () => {
    expect(readReadBackSettings({ AGENT_READ_BACK_PAGE_BYTES: '65536' }).pageBytes).toBe(65536);
    expect(() => readReadBackSettings({ AGENT_READ_BACK_PAGE_BYTES: '2000000' })).toThrow(
      /AGENT_READ_BACK_PAGE_BYTES must be an integer from 16384 to 900000 \(bytes\), got '2000000'/,
    );
  });

  it('refuses anything but a whole number of 1 or more, naming the variable', () => {
    for (const value of ['0', '-3', '2.5', 'often', ''])
      expect(() => readReadBackSettings({ AGENT_FULL_READ_EVERY: value })).toThrow(
        new ConfigurationError([
          `AGENT_FULL_READ_EVERY must be a whole number of 1 or more (1: every read is full), got '${value}'`,
        ]),
      );
  });
});
