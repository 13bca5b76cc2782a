/** Which recorded run a view reads: kept in the URL (`?run=`) so a view can be linked and
 * reloaded; empty means the server's default — the hosted or running session, else the
 * newest run. */
import { useQuery } from "@tanstack/react-query";
import { useCallback } from "react";
import { useSearchParams } from "react-router";
import { api, unwrap } from "../api/client";
import { dateTime } from "../lib/format";

export function useRunId(): [string | undefined, (id: string | undefined) => void] {
  const [params, setParams] = useSearchParams();
  const run = params.get("run") ?? undefined;
  const set = useCallback(
    (id: string | undefined) =>
      setParams(
        (prev) => {
          const next = new URLSearchParams(prev);
          if (id) next.set("run", id);
          else next.delete("run");
          return next;
        },
        { replace: true },
      ),
    [setParams],
  );
  return [run, set];
}

export function useRuns() {
  return useQuery({
    queryKey: ["runs"],
    queryFn: async () => unwrap(await api.GET("/api/runs", { params: { query: { limit: 50 } } })),
  });
}

export function RunPicker() {
  const [run, setRun] = useRunId();
  const runs = useRuns();
  return (
    <label className="flex items-center gap-2 text-sm">
      <span className="text-slate-600 dark:text-slate-400">Run</span>
      <select
        data-testid="run-picker"
        value={run ?? ""}
        onChange={(e) => setRun(e.target.value || undefined)}
        className="max-w-[16rem] rounded-lg border border-slate-300 bg-white px-2 py-1 text-sm dark:border-slate-700 dark:bg-slate-800"
      >
        <option value="">Current (live or newest)</option>
        {runs.data?.items.map((r) => (
          <option key={r.id} value={r.id}>
            {r.mode} · {r.status} · {dateTime(r.started_at)} · {r.id.slice(0, 8)}
          </option>
        ))}
      </select>
    </label>
  );
}
