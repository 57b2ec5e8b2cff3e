import { ConfigurationError } from './environment';
import { readReadBackSettings } from './read-back';

describe('readReadBackSettings', () => {
  it('reads AGENT_FULL_READ_EVERY, 20 by default', () => {
    expect(readReadBackSettings({})).toEqual({ fullReadEvery: 20 });
    expect(readReadBackSettings({ AGENT_FULL_READ_EVERY: '1' })).toEqual({ fullReadEvery: 1 });
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
