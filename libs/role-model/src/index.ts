// The role model: what to provision (connections, resource types, entitlements), loaded from a
// versioned YAML file and evaluated safely into provisioning orders.
export * from './types';
export * from './errors';
export { parseDuration, durationMs, type DurationParse } from './duration';
export { DEFAULT_RETRY_POLICY, nextRetryDelayMs } from './retry';
export { resolveConnectionSecret, type Environment } from './secrets';
// The typo hint of role-model messages, for the connectors' settings messages too.
export { suggestion as didYouMean } from './parse/checker';
export { HELPER_FUNCTIONS, BUILTIN_FUNCTIONS, RuleFailure } from './expressions/helpers';
export {
  compileRuleExpression,
  WELL_KNOWN_ATTRIBUTES,
  type CompiledExpression,
  type CompileResult,
  type ExpressionResult,
} from './expressions/expression';
export { RoleModel } from './role-model';
export {
  parseRoleModel,
  loadRoleModel,
  roleModelHash,
  SUPPORTED_FORMAT_VERSION,
} from './parse/parse-role-model';
export {
  traceAccount,
  traceRules,
  traceExpression,
  type AccountTrace,
  type ExpressionTrace,
  type RuleTrace,
} from './trace';
export {
  diffRoleModels,
  roleModelTextDiff,
  DIFFED_SECTIONS,
  type ChangedItem,
  type DiffedSection,
  type RoleModelDiff,
  type SectionDiff,
} from './versions/diff';
