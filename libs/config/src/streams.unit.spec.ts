import { ConfigurationError } from './environment';
import { readOrdersStreamSettings } from './streams';

describe('order stream settings', () => {
  it('defaults to one replica and bounded streams', () => {
    expect(readOrdersStreamSettings({})).toEqual({
      replicas: 1,
      maxMessages: 1_000_000,
      maxBytes: 1024 ** 3,
      deadLetterMaxMessages: 100_000,
      duplicateWindowMs: 120_000,
    });
  });

  it('takes three replicas and other bounds', () => {
    expect(
      readOrdersStreamSettings({ ORDERS_STREAM_REPLICAS: '3', ORDERS_STREAM_MAX_MSGS: '5000' }),
    ).toMatchObject({
      replicas: 3,
      maxMessages: 5000,
    });
  });

  it('refuses an even replica count and a bound that is not a whole number, naming the variable', () => {
    expect(() => readOrdersStreamSettings({ ORDERS_STREAM_REPLICAS: '2' })).toThrow(
      /ORDERS_STREAM_REPLICAS must be 1, 3 or 5/,
    );
    expect(() => readOrdersStreamSettings({ ORDERS_STREAM_MAX_BYTES: '1e3x' })).toThrow(ConfigurationError);
    expect(() => readOrdersStreamSettings({ ORDERS_DLQ_MAX_MSGS: '0' })).toThrow(
      /ORDERS_DLQ_MAX_MSGS must be a whole number of 1 or more, got '0'/,
    );
  });
});
