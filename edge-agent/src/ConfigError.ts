/** The agent's configuration is invalid; raised once at startup, before anything runs. */
export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  /** One line per problem, each starting with the offending key path. */
  readonly issues: readonly string[];

  constructor(issues: readonly string[]) {
    super(`invalid edge agent configuration: ${issues.join('; ')}`);
    this.issues = Object.freeze([...issues]);
  }
}
