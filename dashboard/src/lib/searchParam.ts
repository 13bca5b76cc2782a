/** One URL search parameter as a view's state (the run, a tab, a period, a selection): in the
 * URL so the view can be linked and reloaded as it is. */
import { useCallback } from "react";
import { useSearchParams } from "react-router";

/** The parameter's value (undefined when absent) and a setter; the setter replaces the history
 * entry, because switching a tab or a period is not a step the back button should walk
 * through, and an empty value removes the parameter. Other parameters are kept. */
export function useSearchParam(name: string): [string | undefined, (value: string | undefined) => void] {
  const [params, setParams] = useSearchParams();
  const set = useCallback(
    (value: string | undefined) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (value) next.set(name, value);
          else next.delete(name);
          return next;
        },
        { replace: true },
      ),
    [name, setParams],
  );
  return [params.get(name) ?? undefined, set];
}
