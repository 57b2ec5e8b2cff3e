import { ConfigurationError } from './environment';
import { readRoleModelDeployer } from './role-model-deployment';

describe('ROLE_MODEL_DEPLOYED_BY', () => {
  it('is who deployed the role model, trimmed; absent or blank means nobody is named', () => {
    expect(readRoleModelDeployer({ ROLE_MODEL_DEPLOYED_BY: ' ci: release 42 (rita) ' })).toBe(
      'ci: release 42 (rita)',
    );
    expect(readRoleModelDeployer({})).toBeUndefined();
    expect(readRoleModelDeployer({ ROLE_MODEL_DEPLOYED_BY: '  ' })).toBeUndefined();
  });

  it('refuses control characters and overlong values, naming the variable', () => {
    expect(() => readRoleModelDeployer({ ROLE_MODEL_DEPLOYED_BY: 'rita\nforged: line' })).toThrow(
      ConfigurationError,
    );
    expect(() => readRoleModelDeployer({ ROLE_MODEL_DEPLOYED_BY: 'x'.repeat(201) })).toThrow(
      /ROLE_MODEL_DEPLOYED_BY/,
    );
  });
});
