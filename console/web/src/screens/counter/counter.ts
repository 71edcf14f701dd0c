import { useReader } from '../../reader/reader-context';
import { useSession } from '../../session/session';

/** The counter this clerk works at: the one signed in at, else this workstation's. */
export function useCounterId(): string {
  const { session } = useSession();
  const { workstation } = useReader();
  return session?.counterId ?? workstation.counterId;
}

export { reasonProblem } from '../../lib/reason';
