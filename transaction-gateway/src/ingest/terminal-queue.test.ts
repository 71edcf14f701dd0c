import { describe, expect, it } from 'vitest';
import { TerminalQueue } from './terminal-queue.js';

const tick = () => new Promise((resolve) => setTimeout(resolve, 1));

describe('TerminalQueue', () => {
  it('runs one terminal’s work in order, one at a time, and others alongside', async () => {
    const queue = new TerminalQueue();
    const log: string[] = [];
    let running = 0;
    const job = (name: string) => async () => {
      running += 1;
      expect(running).toBeLessThanOrEqual(2);
      log.push(`start ${name}`);
      await tick();
      log.push(`end ${name}`);
      running -= 1;
      return name;
    };
    const results = await Promise.all([
      queue.run('a', job('a1')),
      queue.run('a', job('a2')),
      queue.run('b', job('b1')),
    ]);
    expect(results).toEqual(['a1', 'a2', 'b1']);
    expect(log.indexOf('end a1')).toBeLessThan(log.indexOf('start a2'));
    expect(log.indexOf('start b1')).toBeLessThan(log.indexOf('end a1'));
    expect(queue.size).toBe(0);
  });

  it('goes on after a failure, which reaches only its own caller', async () => {
    const queue = new TerminalQueue();
    const failed = queue.run('a', () => Promise.reject(new Error('down')));
    const next = queue.run('a', () => Promise.resolve('ok'));
    await expect(failed).rejects.toThrow('down');
    await expect(next).resolves.toBe('ok');
    await tick();
    expect(queue.size).toBe(0);
  });
});
