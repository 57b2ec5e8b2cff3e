import { ConfigurationError } from './environment';
import { readLifecycleSettings } from './lifecycle';

describe('lifecycle settings', () => {
  it('checks scheduled deactivations every 5 s unless told otherwise', () => {
    expect(readLifecycleSettings({})).toEqual({ deactivationCheckMs: 5000 });
    expect(readLifecycleSettings({ DEACTIVATION_CHECK_MS: '300' })).toEqual({ deactivationCheckMs: 300 });
  });

  it('names the variable and the rule', () => {
    expect(() => readLifecycleSettings({ DEACTIVATION_CHECK_MS: 'soon' })).toThrow(ConfigurationError);
    expect(() => readLifecycleSettings({ DEACTIVATION_CHECK_MS: '5' })).toThrow(
      /DEACTIVATION_CHECK_MS must be .* at least 100/,
    );
  });
});
