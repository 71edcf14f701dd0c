import { describe, expect, it } from 'vitest';
import { GroupCommit, type Waiting } from './group-commit.js';

const tick = (): Promise<void> => new Promise((resolve) => setImmediate(resolve));

describe('GroupCommit', () => {
  it('flushes items submitted together as one group, and those arriving meanwhile as the next', async () => {
    const groups: number[][] = [];
    let release: (() => void) | undefined;
    const commit = new GroupCommit<number, string>(
      async (group: Waiting<number, string>[]) => {
        groups.push(group.map((w) => w.item));
        if (groups.length === 1) await new Promise<void>((resolve) => (release = resolve));
        for (const w of group) w.resolve(`stored ${w.item}`);
      },
      { maxFlushes: 1 },
    );
    const first = [commit.submit(1), commit.submit(2)];
    await tick();
    // The first flush is still running: these wait for it and go together.
    const second = [commit.submit(3), commit.submit(4), commit.submit(5)];
    await tick();
    expect(groups).toEqual([[1, 2]]);
    expect(commit.waiting).toBe(3);
    release?.();
    expect(await Promise.all([...first, ...second])).toEqual(
      [1, 2, 3, 4, 5].map((n) => `stored ${n}`),
    );
    expect(groups).toEqual([
      [1, 2],
      [3, 4, 5],
    ]);
  });

  it('fails only the items of a flush that throws, and goes on with the next', async () => {
    let calls = 0;
    const commit = new GroupCommit<number, number>(async (group) => {
      calls += 1;
      if (calls === 1) throw new Error('flush failed');
      for (const w of group) w.resolve(w.item * 10);
      await Promise.resolve();
    });
    const failed = commit.submit(1);
    await expect(failed).rejects.toThrow('flush failed');
    expect(await commit.submit(2)).toBe(20);
  });

  it('runs up to maxFlushes flushes at once, the items arriving meanwhile waiting for one', async () => {
    const releases: (() => void)[] = [];
    const groups: number[][] = [];
    const commit = new GroupCommit<number, number>(
      async (group) => {
        groups.push(group.map((w) => w.item));
        await new Promise<void>((resolve) => releases.push(resolve));
        for (const w of group) w.resolve(w.item);
      },
      { maxFlushes: 2 },
    );
    const answers = [commit.submit(1)];
    await tick();
    answers.push(commit.submit(2));
    await tick();
    answers.push(commit.submit(3), commit.submit(4));
    await tick();
    expect(groups).toEqual([[1], [2]]);
    releases[0]?.();
    await answers[0];
    // The freed flush takes the waiting items on a later turn.
    await tick();
    await tick();
    expect(groups).toEqual([[1], [2], [3, 4]]);
    for (const release of releases) release();
    expect(await Promise.all(answers)).toEqual([1, 2, 3, 4]);
  });

  it('takes at most maxGroup items into one flush', async () => {
    const sizes: number[] = [];
    const commit = new GroupCommit<number, number>(
      async (group) => {
        sizes.push(group.length);
        for (const w of group) w.resolve(w.item);
        await Promise.resolve();
      },
      { maxGroup: 2 },
    );
    await Promise.all([1, 2, 3, 4, 5].map((n) => commit.submit(n)));
    expect(sizes).toEqual([2, 2, 1]);
  });
});
