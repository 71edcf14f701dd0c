import type { AsyncState } from '../../ui/hooks';
import { useAsync } from '../../ui/hooks';
import { useApi } from '../../session/session';

export interface OperatorOption {
  readonly id: string;
  readonly name: string;
}

/** The gateway's operators, to pick one by name rather than type its id. */
export function useOperatorOptions(): AsyncState<OperatorOption[]> {
  const api = useApi();
  return useAsync(
    () =>
      api
        .get<{ operators: OperatorOption[] }>('gateway', '/admin/operators')
        .then((r) => r.operators),
    [api],
  );
}

export function OperatorOptions({ operators }: { readonly operators: readonly OperatorOption[] }) {
  return (
    <>
      {operators.map((o) => (
        <option key={o.id} value={o.id}>
          {o.name} ({o.id})
        </option>
      ))}
    </>
  );
}
