import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { buildOpenApiDocument } from './openapi-document';

// `npm run api:types` writes the console's API types (apps/web/src/api/schema.d.ts) from the
// gateway's OpenAPI document with openapi-typescript; `npm run api:types:check` (`--check`) fails
// when the checked-in file differs from what the gateway's decorators say today.
const root = join(__dirname, '..', '..');
const output = join(root, 'apps', 'web', 'src', 'api', 'schema.d.ts');
const check = process.argv.includes('--check');

async function main(): Promise<number> {
  const document = await buildOpenApiDocument();
  const dir = mkdtempSync(join(tmpdir(), 'openapi-'));
  try {
    const input = join(dir, 'openapi.json');
    writeFileSync(input, JSON.stringify(document));
    // The package exports no CommonJS entry; its command is run as npm would run it.
    const cli = join(root, 'node_modules', 'openapi-typescript', 'bin', 'cli.js');
    const result = spawnSync(process.execPath, [cli, input, '-o', output, ...(check ? ['--check'] : [])], {
      stdio: 'inherit',
    });
    if (check) {
      process.stdout.write(
        result.status === 0
          ? 'apps/web/src/api/schema.d.ts: up to date\n'
          : 'apps/web/src/api/schema.d.ts is stale: run `npm run api:types` and commit it\n',
      );
    }
    return result.status ?? 1;
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`${(error as Error).stack ?? String(error)}\n`);
    process.exit(1);
  },
);
