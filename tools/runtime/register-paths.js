// Lets the compiled services (dist/) resolve the workspace aliases (@prov/*) at run time, the
// same way TypeScript and Jest resolve them from tsconfig.base.json.
const path = require('node:path');
const tsConfigPaths = require('tsconfig-paths');
const { compilerOptions } = require('../../tsconfig.base.json');

const paths = {};
for (const [alias, targets] of Object.entries(compilerOptions.paths)) {
  paths[alias] = targets.map((target) => target.replace(/\.ts$/, ''));
}
tsConfigPaths.register({ baseUrl: path.join(__dirname, '..', '..', 'dist'), paths });
