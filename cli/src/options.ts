import { InvalidArgumentError } from 'commander';

/** A commander option parser for a positive whole number (days, counts, sizes). */
export function positiveInt(value: string): number {
  if (!/^[1-9]\d{0,8}$/.test(value))
    throw new InvalidArgumentError('expected a positive whole number');
  return Number.parseInt(value, 10);
}
