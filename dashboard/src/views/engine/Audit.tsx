/** Every settings change, newest first: what moved, from what to what, who and why. */
import { useState } from "react";
import { PagedTable, rowRule, Td } from "../../components/Table";
import { Card, cx } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { useConfigAudit } from "./api";

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
      <PagedTable
        query={audit}
        empty="No settings were changed."
        label="Settings changes"
        paging={{ offset, limit: LIMIT, onPage: setOffset }}
        columns={["Time", "Setting", "Before", "After", "Who", "Reason"]}
        row={(c) => (
          <tr key={c.id} data-testid="audit-row" className={cx(rowRule, "align-top")}>
            <Td className="whitespace-nowrap tabular-nums">{dateTime(c.ts)}</Td>
            <Td className="font-mono text-xs">{c.path}</Td>
            <Td className="max-w-[14rem] font-mono text-xs break-all text-slate-700 dark:text-slate-300">{valueText(c.previous)}</Td>
            <Td className="max-w-[14rem] font-mono text-xs break-all">{valueText(c.new)}</Td>
            <Td className="whitespace-nowrap">{c.actor} <span className="text-slate-600 dark:text-slate-400">via {c.source}</span></Td>
            <Td>{c.reason ?? "—"}</Td>
          </tr>
        )}
      />
    </Card>
  );
}
