import { mkdtemp, readFile, rm, stat } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { AppError } from '../errors/index.js';
import {
  fillDevelopmentSecrets,
  formatConfigProblems,
  httpEnv,
  keyMaterial,
  loadConfig,
  runtimeEnv,
} from './index.js';

const schema = z.object({ ...runtimeEnv, ...httpEnv(8081), CITYCARD_KEK: keyMaterial });
const kek = 'ab'.repeat(32);

function problemsOf(env: Record<string, string>): string[] {
  try {
    loadConfig(schema, env);
  } catch (err) {
    if (err instanceof AppError)
      return (err.details?.problems as { variable: string }[]).map((p) => p.variable);
  }
  return [];
}

let dir: string | undefined;
afterEach(async () => {
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
  dir = undefined;
});

describe('config', () => {
  it('applies defaults for everything that is not a secret', () => {
    const config = loadConfig(schema, { CITYCARD_KEK: kek });
    expect(config).toMatchObject({
      CITYCARD_MODE: 'production',
      PORT: 8081,
      HOST: '127.0.0.1',
      LOG_LEVEL: 'info',
    });
    expect(config.DATABASE_URL).toBeUndefined();
  });

  it('reports every problem at once, never a value', () => {
    const secret = 'not-a-key-but-secret-looking';
    const env = {
      CITYCARD_KEK: secret,
      PORT: 'eighty',
      DATABASE_URL: 'mysql://x',
      LOG_LEVEL: 'loud',
    };
    expect(problemsOf(env).sort()).toEqual(['CITYCARD_KEK', 'DATABASE_URL', 'LOG_LEVEL', 'PORT']);
    try {
      loadConfig(schema, env);
    } catch (err) {
      const text = formatConfigProblems('gateway', err as AppError);
      expect(text).toContain('4 problem(s)');
      expect(text).not.toContain(secret);
    }
  });

  it('has no default for a secret', () => {
    expect(problemsOf({})).toEqual(['CITYCARD_KEK']);
    expect(problemsOf({ CITYCARD_KEK: '' })).toEqual(['CITYCARD_KEK']);
  });

  it('generates a missing secret in development mode, keeps it, and says so', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'citycard-config-'));
    const first = await fillDevelopmentSecrets({}, 'development', dir, ['CITYCARD_KEK']);
    expect(first.generated.map((g) => g.variable)).toEqual(['CITYCARD_KEK']);
    expect(loadConfig(schema, first.env).CITYCARD_KEK).toMatch(/^[0-9a-f]{64}$/);
    const again = await fillDevelopmentSecrets({}, 'demo', dir, ['CITYCARD_KEK']);
    expect(again.generated).toEqual([]);
    expect(again.env.CITYCARD_KEK).toBe(first.env.CITYCARD_KEK);
    const file = path.join(dir, 'development-secrets.json');
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(JSON.parse(await readFile(file, 'utf8'))).toHaveProperty('CITYCARD_KEK');
  });

  it('never generates a secret in production mode', async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'citycard-config-'));
    const result = await fillDevelopmentSecrets({}, 'production', dir, ['CITYCARD_KEK']);
    expect(result.generated).toEqual([]);
    expect(result.env.CITYCARD_KEK).toBeUndefined();
  });
});
