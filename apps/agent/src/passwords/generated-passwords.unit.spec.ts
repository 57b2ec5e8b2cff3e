import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { OrderToApply } from '@prov/connectors';
import { parseRoleModel } from '@prov/role-model';
import { GeneratedPasswords } from './generated-passwords';

const MODEL = parseRoleModel(
  `version: 1
connections:
  - { id: corp_ad, name: AD, connector: ad, settings: {} }
resourceTypes:
  - id: ad_account
    name: AD account
    connection: corp_ad
    generatePassword: { attribute: password, length: 24 }
    attributes: { displayName: login }
  - { id: ad_plain, name: AD without, connection: corp_ad }
entitlements:
  - { id: ad_staff, name: Staff, resourceType: ad_account, group: staff }
`,
  'model.yaml',
);

const order = (changeType: OrderToApply['changeType'], resourceTypeId = 'ad_account'): OrderToApply => ({
  orderId: 'o-1',
  attempt: 1,
  changeType,
  connectionId: 'corp_ad',
  resourceTypeId,
  identityId: 'jane.doe',
  entitlementId: 'ad_staff',
  changes: { accountKey: 'jane.doe', attributes: { displayName: 'jane.doe' }, group: 'staff' },
});

describe('passwords the agent generates', () => {
  let dir: string;
  beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'prov-passwords-'))));
  afterEach(() => rmSync(dir, { recursive: true, force: true }));

  it('are added to an Added order of a resource type with the policy, and to the copy the connector gets only', () => {
    const passwords = new GeneratedPasswords(MODEL, { directory: dir });
    const original = order('Added');
    const prepared = passwords.prepare(original);
    expect(prepared.password).toHaveLength(24);
    expect(prepared.order.changes.attributes).toEqual({
      displayName: 'jane.doe',
      password: prepared.password,
    });
    expect(original.changes.attributes).toEqual({ displayName: 'jane.doe' });
    expect(passwords.prepare(order('Modified')).password).toBeUndefined();
    expect(passwords.prepare(order('Deleted')).password).toBeUndefined();
    expect(passwords.prepare(order('Added', 'ad_plain')).password).toBeUndefined();
  });

  it('are handed over in a file only the agent may read, when the connector set them', async () => {
    const passwords = new GeneratedPasswords(MODEL, { directory: dir });
    const prepared = passwords.prepare(order('Added'));
    await passwords.handOver(prepared, { passwordSet: false });
    expect(readdirSync(dir)).toEqual([]);
    await passwords.handOver(prepared, { passwordSet: true });
    const file = join(dir, 'corp_ad', 'jane%2Edoe.json');
    expect(JSON.parse(readFileSync(file, 'utf8'))).toMatchObject({
      connectionId: 'corp_ad',
      accountKey: 'jane.doe',
      identityId: 'jane.doe',
      password: prepared.password,
    });
    expect(statSync(file).mode & 0o777).toBe(0o600);
    expect(statSync(join(dir, 'corp_ad')).mode & 0o777).toBe(0o700);
    expect(readdirSync(join(dir, 'corp_ad'))).toEqual(['jane%2Edoe.json']); // no draft left behind
  });

  it('go to nobody without a delivery directory, and that does not fail the order', async () => {
    const passwords = new GeneratedPasswords(MODEL, {});
    await expect(
      passwords.handOver(passwords.prepare(order('Added')), { passwordSet: true }),
    ).resolves.toBeUndefined();
  });
});
