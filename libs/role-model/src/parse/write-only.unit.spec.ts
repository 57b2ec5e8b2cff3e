import { parseRoleModel } from './parse-role-model';
import { expectIssue, VALID } from './validation-fixtures.spec';

const withAttribute = (line: string) =>
  VALID.replace(
    '      displayName: firstName + " " + lastName\n',
    `      displayName: firstName + " " + lastName\n      ${line}\n`,
  );
const withPolicy = (policy: string, connector = 'ad') =>
  VALID.replace('connector: sql', `connector: ${connector}`).replace(
    '    connection: app\n',
    `    connection: app\n    generatePassword: ${policy}\n`,
  );

describe('parseRoleModel: write-only attributes never reach the event log', () => {
  it.each(['password', 'unicodePwd', 'userPassword', 'initialPasswd', 'apiSecret'])(
    'refuses to map %s, pointing to generatePassword',
    (name) => {
      expectIssue(
        withAttribute(`${name}: '"Init1al!" + login'`),
        `resourceTypes[0].attributes.${name}`,
        'generatePassword',
      );
    },
  );

  it('keeps a generatePassword policy, with a default length', () => {
    const model = parseRoleModel(withPolicy('{ attribute: password }'), 'model.yaml');
    expect(model.resourceTypes()[0]?.generatePassword).toEqual({ attribute: 'password', length: 20 });
    expect(
      parseRoleModel(withPolicy('{ attribute: userPassword, length: 32 }'), 'm.yaml').resourceTypes()[0]
        ?.generatePassword,
    ).toEqual({
      attribute: 'userPassword',
      length: 32,
    });
    expect(parseRoleModel(VALID, 'model.yaml').resourceTypes()[0]).not.toHaveProperty('generatePassword');
  });

  it('names the rule a policy breaks', () => {
    expectIssue(withPolicy('{ length: 20 }'), 'resourceTypes[0].generatePassword.attribute', 'required');
    expectIssue(
      withPolicy('{ attribute: password, length: 2 }'),
      'resourceTypes[0].generatePassword.length',
      'at least 4',
    );
    expectIssue(
      withPolicy('{ attribute: password, length: 1000 }'),
      'resourceTypes[0].generatePassword.length',
      'at most 256',
    );
    expectIssue(
      withPolicy('{ attribute: password, charset: hex }'),
      'resourceTypes[0].generatePassword.charset',
      'unknown key',
    );
  });
});
