// Checks the module boundaries over Nx's project graph (core only: the file-level dependencies
// come from Nx's own TypeScript import analysis, enabled in nx.json). Exits 1 on any violation.
import { createProjectGraphAsync } from 'nx/src/devkit-exports';
import { readFileMapCache } from 'nx/src/project-graph/nx-deps-cache';
import { boundaryViolations, kindFromTags, type FileDependencies, type ProjectFacts } from './boundary-rules';

async function main(): Promise<void> {
  const graph = await createProjectGraphAsync({ exitOnError: true });
  const projects: ProjectFacts[] = [];
  for (const [name, node] of Object.entries(graph.nodes)) {
    const kind = kindFromTags(node.data.tags);
    if (!kind)
      throw new Error(`project ${name} (${node.data.root}) has no type:<kind> tag in its project.json`);
    projects.push({ name, kind });
  }
  const cache = readFileMapCache();
  if (!cache) throw new Error('Nx wrote no file map: run `npx nx reset` and try again');
  const files: FileDependencies[] = [];
  for (const [project, entries] of Object.entries(cache.fileMap.projectFileMap)) {
    for (const entry of entries) {
      const dependsOn = (entry.deps ?? []).map((d) => (typeof d === 'string' ? d : d[0]));
      files.push({ file: entry.file, project, dependsOn: dependsOn.filter((d) => !d.startsWith('npm:')) });
    }
  }
  const violations = boundaryViolations(projects, files);
  for (const v of violations) console.error(`${v.file}: ${v.from} → ${v.to}: ${v.rule}`);
  console.log(
    `module boundaries: ${projects.length} projects, ${files.length} files, ${violations.length} violations`,
  );
  process.exit(violations.length ? 1 : 0);
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exit(1);
});
