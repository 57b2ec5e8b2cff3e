import type { Pool } from 'pg';

/**
 * Replay = live, as the read models' specs check it: `schema` has the rows of `tables`, the
 * indexes and the checkpoint of `reference` (the live schema, built by the live path).
 */
export async function expectSameReadModels(
  pool: Pool,
  schema: string,
  tables: readonly string[],
  reference = 'rm',
): Promise<void> {
  for (const table of tables) {
    const a = await pool.query(`SELECT * FROM ${reference}.${table} ORDER BY 1, 2, 3`);
    const b = await pool.query(`SELECT * FROM ${schema}.${table} ORDER BY 1, 2, 3`);
    expect({ table, rows: b.rows }).toEqual({ table, rows: a.rows });
  }
  const indexes = (s: string) =>
    pool
      .query(
        `SELECT indexname, replace(indexdef, $1, '') AS def FROM pg_indexes WHERE schemaname = $2 ORDER BY 1`,
        [` ${s}.`, s],
      )
      .then((r) => r.rows);
  expect(await indexes(schema)).toEqual(await indexes(reference));
  const checkpoints = await pool.query(
    `SELECT l.position = r.position AS same FROM ${reference}.checkpoints l JOIN ${schema}.checkpoints r USING (projection)`,
  );
  expect(checkpoints.rows).toEqual([{ same: true }]);
}
