import { Pool } from 'pg';
import { createTestDatabase, type TestDatabase } from '@prov/testing';
import { ensureReadModelSchema } from '../schema';
import { accountKeyHolders } from './scans';

const SCHEMA = 'rm_holders';

/**
 * The read model's holders of account keys (orders from before key claims, ADR 0008), asked for
 * several keys in one statement (ADR 0052): each key gets exactly its own live holders — a current
 * Added or Modified order, not declined or failed, of a Requested assignment — and a key asked
 * twice is answered twice.
 */
describe('accountKeyHolders', () => {
  let db: TestDatabase;
  let pool: Pool;

  beforeAll(async () => {
    db = await createTestDatabase('account-key-holders');
    pool = new Pool({ connectionString: db.url });
    const client = await pool.connect();
    await ensureReadModelSchema(client, SCHEMA).finally(() => client.release());
    // [assignment, identity, workflow, connection, key, change type, state code, current?]
    const rows: [string, string, string, string, string, string, number, boolean][] = [
      ['a-1', 'jane', 'Requested', 'ldap', 'jdoe', 'Added', 1, true],
      ['a-2', 'john', 'Requested', 'ldap', 'jdoe', 'Modified', 8, true],
      ['a-3', 'jill', 'Requested', 'ldap', 'jdoe', 'Added', 7, true], // failed: points nowhere
      ['a-4', 'jack', 'Revoked', 'ldap', 'jdoe', 'Added', 8, true], // revoked
      ['a-5', 'joan', 'Requested', 'ldap', 'jdoe', 'Added', 8, false], // not the current order
      ['a-6', 'jane', 'Requested', 'sql', 'jdoe', 'Added', 8, true],
      ['a-7', 'judy', 'Requested', 'ldap', 'jsmith', 'Deleted', 1, true], // a removal
      ['a-8', 'jane', 'Requested', 'ldap', 'jdoe', 'Added', 8, true], // jane again
    ];
    for (const [assignment, identity, workflow, connection, key, changeType, code, current] of rows) {
      const orderId = `o-${assignment}`;
      await pool.query(
        `INSERT INTO ${SCHEMA}.assignments (assignment_id, identity_id, entitlement_id, workflow_state,
                requested_at, current_order_id, provisioning_state_code, state, updated_at, revision)
         VALUES ($1, $2, 'e', $3, now(), $4, $5, '{}', now(), 1)`,
        [assignment, identity, workflow, current ? orderId : null, code],
      );
      await pool.query(
        `INSERT INTO ${SCHEMA}.orders (order_id, assignment_id, identity_id, entitlement_id, connection_id,
                change_type, changes, provisioning_state_code, attempt, is_open, generated_at, updated_at)
         VALUES ($1, $2, $3, 'e', $4, $5, $6, $7, 1, true, now(), now())`,
        [orderId, assignment, identity, connection, changeType, { accountKey: key }, code],
      );
    }
  });

  afterAll(async () => {
    await pool.end();
    await db.drop();
  });

  it('answers each key of one call with its own live holders', async () => {
    const keys = [
      { connectionId: 'ldap', accountKey: 'jdoe' },
      { connectionId: 'ldap', accountKey: 'nobody' },
      { connectionId: 'sql', accountKey: 'jdoe' },
      { connectionId: 'ldap', accountKey: 'jsmith' },
      { connectionId: 'ldap', accountKey: 'jdoe' },
    ];

    const holders = await accountKeyHolders(pool, keys, SCHEMA);

    expect(holders.map((ids) => [...ids].sort())).toEqual([
      ['jane', 'john'],
      [],
      ['jane'],
      [],
      ['jane', 'john'],
    ]);
  });
});
