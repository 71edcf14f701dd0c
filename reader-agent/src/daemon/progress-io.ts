import type { ClassicCardIo, KeyType, PlanStep } from '@citycard/core/card';

export type ProgressListener = (index: number, total: number) => void;

/**
 * Card I/O that reports which plan step has just reached the card. Steps map one to one onto
 * card commands in plan order; an auth repeated on the same block (a fallback key) is the same step.
 */
export function withProgress(
  card: ClassicCardIo,
  steps: readonly PlanStep[],
  onStep: ProgressListener,
): ClassicCardIo {
  let next = 0;
  const done = (op: PlanStep['op'], block: number): void => {
    const step = steps[next];
    if (step !== undefined && step.op === op && step.block === block) {
      onStep(next, steps.length);
      next += 1;
    }
  };
  return {
    identity: card.identity,
    async authenticate(block: number, keyType: KeyType, key: Buffer) {
      await card.authenticate(block, keyType, key);
      done('auth', block);
    },
    async readBlock(block: number) {
      const data = await card.readBlock(block);
      done('read', block);
      return data;
    },
    async writeBlock(block: number, data: Buffer) {
      await card.writeBlock(block, data);
      done('write', block);
    },
  };
}
