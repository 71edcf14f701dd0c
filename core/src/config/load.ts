import type { z } from 'zod';
import { AppError } from '../errors/index.js';

export interface ConfigProblem {
  readonly variable: string;
  readonly message: string;
}

/**
 * Parses a deployable's environment once. Every problem is collected (not just the first), and
 * a variable's value never appears in a problem, since it may be a secret.
 */
export function loadConfig<S extends z.ZodType>(
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  const normalised = Object.fromEntries(
    Object.entries(env).filter(([, value]) => value !== undefined && value !== ''),
  );
  const result = schema.safeParse(normalised);
  if (result.success) return result.data;
  const problems: ConfigProblem[] = result.error.issues.map((issue) => ({
    variable: issue.path.map(String).join('.') || '(environment)',
    message: issue.message,
  }));
  throw new AppError('CONFIG_INVALID', {
    message: `The configuration is not valid: ${problems.map((p) => p.variable).join(', ')}`,
    details: { problems },
  });
}

/** For process entry points: print every problem and exit 78 (EX_CONFIG) instead of throwing. */
export function loadConfigOrExit<S extends z.ZodType>(
  deployable: string,
  schema: S,
  env: Record<string, string | undefined> = process.env,
): z.infer<S> {
  try {
    return loadConfig(schema, env);
  } catch (err) {
    if (!(err instanceof AppError) || err.code !== 'CONFIG_INVALID') throw err;
    process.stderr.write(formatConfigProblems(deployable, err));
    process.exit(78);
  }
}

export function formatConfigProblems(deployable: string, err: AppError): string {
  const problems = (err.details?.problems ?? []) as ConfigProblem[];
  const lines = problems.map((p) => `  ${p.variable}: ${p.message}`);
  return `${deployable}: the configuration is not valid (${problems.length} problem(s)):\n${lines.join('\n')}\n`;
}
