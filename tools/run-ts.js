// Runs a TypeScript file directly: `node tools/run-ts.js path/to/file.ts [args...]`.
// ts-node only transpiles (type checking is `npm run typecheck`'s job, and would slow every
// start), and tsconfig-paths resolves the workspace aliases (@prov/*) from tsconfig.base.json.
const path = require('node:path');

const root = path.join(__dirname, '..');
const [file, ...args] = process.argv.slice(2);
if (!file) {
  console.error('usage: node tools/run-ts.js <file.ts> [args...]');
  process.exit(2);
}

require('ts-node').register({ transpileOnly: true, project: path.join(root, 'tsconfig.json') });
const { compilerOptions } = require('../tsconfig.base.json');
require('tsconfig-paths').register({ baseUrl: root, paths: compilerOptions.paths });

const entry = path.resolve(file);
process.argv = [process.argv[0], entry, ...args];
require(entry);
