/** Which recorded run a view reads: kept in the URL (`?run=`) so a view can be linked and
 * reloaded; empty means the server's default — the hosted or running session, else the
 * newest run. */
import { useQuery } from "@tanstack/react-query";
import { api, unwrap } from "../api/client";
import { dateTime } from "../lib/format";
import { useSearchParam } from "../lib/searchParam";
import { controlClass } from "./Field";
import { cx } from "./ui";

export function useRunId(): [string | undefined, (id: string | undefined) => void] {
  return useSearchParam("run");
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
        className={cx(controlClass, "max-w-[16rem]")}
      >
        <option value="">Current (live or newest)</option>
        {run && runs.data && !runs.data.items.some((r) => r.id === run) && <option value={run}>{run}</option>}
        {runs.data?.items.map((r) => (
          <option key={r.id} value={r.id}>
            {r.mode} · {r.status} · {dateTime(r.started_at)} · {r.id.slice(0, 8)}
          </option>
        ))}
      </select>
    </label>
  );
}
