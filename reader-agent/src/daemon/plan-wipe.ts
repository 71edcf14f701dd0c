const ZERO_KEY = '000000000000';

/**
 * Overwrites the key fields of a plan (or of the raw JSON it was parsed from) so that the object
 * no longer carries them once a run is over. JS strings themselves cannot be zeroed: the old
 * values become garbage, unreachable from anything the agent keeps; the byte buffers that held
 * the keys (the HTTP answer, the buffers runPlan builds) are zeroed where they live.
 */
export function wipePlan(plan: unknown): void {
  if (typeof plan !== 'object' || plan === null) return;
  const steps = (plan as { steps?: unknown }).steps;
  if (!Array.isArray(steps)) return;
  for (const step of steps as unknown[]) wipeKeys(step);
}

function wipeKeys(value: unknown): void {
  if (typeof value !== 'object' || value === null) return;
  const record = value as Record<string, unknown>;
  if (typeof record.key === 'string') record.key = ZERO_KEY;
  if (typeof record.fallback === 'object') wipeKeys(record.fallback);
}
