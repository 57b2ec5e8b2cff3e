import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { withConfigurationTable } from '@prov/config';

// Rewrites the configuration table of docs/operations.md from the schema (libs/config/src/schema).
const file = join(__dirname, '..', '..', 'docs', 'operations.md');
const before = readFileSync(file, 'utf8');
const after = withConfigurationTable(before);
if (after !== before) writeFileSync(file, after);
process.stdout.write(
  after === before ? 'docs/operations.md: table up to date\n' : 'docs/operations.md: table rewritten\n',
);
