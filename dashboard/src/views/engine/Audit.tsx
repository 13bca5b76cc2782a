/** Every settings change, newest first: what moved, from what to what, who and why. */
import { useState } from "react";
import { Card, cx, Empty, ErrorLine, Loading, Pager } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { useConfigAudit } from "./api";
import { rowClass, tableHead, thClass } from "./bits";

const LIMIT = 20;

/** A setting's value as one short line (objects as JSON, nothing as `—`). */
export function valueText(value: unknown): string {
  if (value === null || value === undefined) return "—";
  if (typeof value === "string") return value;
  return JSON.stringify(value);
}

export function Audit() {
  const [offset, setOffset] = useState(0);
  const audit = useConfigAudit(LIMIT, offset);
  return (
    <Card title="Settings audit" testId="config-audit">
      {audit.isPending ? (
        <Loading />
      ) : audit.isError ? (
        <ErrorLine error={audit.error} />
      ) : audit.data.items.length === 0 ? (
        <Empty>No settings were changed.</Empty>
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className={tableHead}>
                <tr>
                  <th scope="col" className={thClass}>Time</th>
                  <th scope="col" className={thClass}>Setting</th>
                  <th scope="col" className={thClass}>Before</th>
                  <th scope="col" className={thClass}>After</th>
                  <th scope="col" className={thClass}>Who</th>
                  <th scope="col" className={thClass}>Reason</th>
                </tr>
              </thead>
              <tbody>
                {audit.data.items.map((c) => (
                  <tr key={c.id} data-testid="audit-row" className={cx(rowClass, "align-top")}>
                    <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{dateTime(c.ts)}</td>
                    <td className="py-1.5 pr-3 font-mono text-xs">{c.path}</td>
                    <td className="max-w-[14rem] py-1.5 pr-3 font-mono text-xs break-all text-slate-700 dark:text-slate-300">{valueText(c.previous)}</td>
                    <td className="max-w-[14rem] py-1.5 pr-3 font-mono text-xs break-all">{valueText(c.new)}</td>
                    <td className="py-1.5 pr-3 whitespace-nowrap">
                      {c.actor} <span className="text-slate-600 dark:text-slate-400">via {c.source}</span>
                    </td>
                    <td className="py-1.5 pr-3">{c.reason ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} limit={LIMIT} total={audit.data.total} onChange={setOffset} />
        </>
      )}
    </Card>
  );
}
