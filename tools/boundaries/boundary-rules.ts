// The module boundaries of the workspace, as data: which kind of project may depend on which.
// Production code keeps the layering apps → libs → domain; test code may also reach the test
// harness. The Nx project graph supplies the facts (check-boundaries.ts); this file only judges.

export type ProjectKind = 'app' | 'console' | 'e2e' | 'lib' | 'domain' | 'testing';

/** What production code of each kind may import from the workspace. */
const PRODUCTION: Record<ProjectKind, readonly ProjectKind[]> = {
  domain: [],
  lib: ['lib', 'domain'],
  app: ['lib', 'domain'],
  // The console runs in a browser. Which library entries it may bundle is decided by the aliases
  // of its Vite build (the domain, the contracts' CSV writer): any other import fails the build.
  console: ['domain', 'lib'],
  testing: ['lib', 'domain'],
  e2e: ['lib', 'domain', 'testing'],
};

/** Tests may also use the harness; an app's in-process integration test may compose other apps' modules. */
const TEST: Record<ProjectKind, readonly ProjectKind[]> = {
  domain: [],
  lib: ['lib', 'domain', 'testing'],
  app: ['app', 'lib', 'domain', 'testing'],
  console: ['domain', 'lib', 'testing'],
  testing: ['lib', 'domain'],
  e2e: ['lib', 'domain', 'testing'],
};

export interface ProjectFacts {
  readonly name: string;
  readonly kind: ProjectKind;
}

export interface FileDependencies {
  readonly file: string;
  readonly project: string;
  /** Workspace projects the file imports (npm packages left out). */
  readonly dependsOn: readonly string[];
}

export interface BoundaryViolation {
  readonly file: string;
  readonly from: string;
  readonly to: string;
  readonly rule: string;
}

const TEST_CODE = [
  /\.spec\.tsx?$/,
  /(^|\/)(testing|e2e)\//,
  /(^|[/-])test-[^/]*$/,
  /-fixtures?\.ts$/,
  /-harness\.ts$/,
];

const an = (kind: ProjectKind) => (/^[aeiou]/.test(kind) ? `an ${kind}` : `a ${kind}`);

export function isTestCode(file: string): boolean {
  return TEST_CODE.some((pattern) => pattern.test(file));
}

export function kindFromTags(tags: readonly string[] | undefined): ProjectKind | undefined {
  const tag = (tags ?? []).find((t) => t.startsWith('type:'));
  const kind = tag?.slice('type:'.length);
  return kind && kind in PRODUCTION ? (kind as ProjectKind) : undefined;
}

export function boundaryViolations(
  projects: readonly ProjectFacts[],
  files: readonly FileDependencies[],
): BoundaryViolation[] {
  const kindOf = new Map(projects.map((p) => [p.name, p.kind]));
  const violations: BoundaryViolation[] = [];
  for (const file of files) {
    const fromKind = kindOf.get(file.project);
    if (!fromKind) continue;
    const test = isTestCode(file.file);
    const allowed = (test ? TEST : PRODUCTION)[fromKind];
    for (const to of file.dependsOn) {
      if (to === file.project) continue;
      const toKind = kindOf.get(to);
      if (!toKind) continue;
      if (toKind === 'app' && fromKind === 'app' && !test) {
        violations.push({
          file: file.file,
          from: file.project,
          to,
          rule: 'an app never imports another app',
        });
      } else if (!allowed.includes(toKind)) {
        const who = test ? `tests of ${an(fromKind)}` : an(fromKind);
        violations.push({
          file: file.file,
          from: file.project,
          to,
          rule: `${who} may not depend on ${an(toKind)}`,
        });
      }
    }
  }
  return violations;
}
