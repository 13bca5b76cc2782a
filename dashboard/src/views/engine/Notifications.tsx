/** Who is told what: the notification settings (changed with a passkey, audited like every
 * setting) and the history of what was sent, failed or held back by the rate limits. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useState } from "react";
import { api, unwrap } from "../../api/client";
import { errorLine } from "../../api/errors";
import { captionClass, controlClass, Field, SelectField } from "../../components/Field";
import { Loaded } from "../../components/Loaded";
import { StepUpCancelled, useStepUp } from "../../components/StepUp";
import { PagedTable, rowRule, Td } from "../../components/Table";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Card, cx } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { useNotificationHistory, useNotificationSettings, type NotificationFilters } from "./api";
import { toneBadge } from "./bits";
import { CHANNELS, formOf, notificationChanges, SEVERITIES, type NotificationForm } from "./logic";
import type { NotificationSettings } from "./types";

export function Notifications() {
  return (
    <div className="grid grid-cols-1 gap-4 xl:grid-cols-5">
      <div className="min-w-0 xl:col-span-2">
        <SettingsCard />
      </div>
      <div className="min-w-0 xl:col-span-3">
        <HistoryCard />
      </div>
    </div>
  );
}

function SettingsCard() {
  const settings = useNotificationSettings();
  return (
    <Card title="Notification settings" testId="notification-settings">
      <Loaded query={settings}>{(data) => <SettingsForm original={data} />}</Loaded>
    </Card>
  );
}

function SettingsForm({ original }: { original: NotificationSettings }) {
  const guard = useStepUp();
  const toast = useToast();
  const client = useQueryClient();
  const [form, setForm] = useState<NotificationForm>(() => formOf(original));
  useEffect(() => setForm(formOf(original)), [original]);
  const { changes, problem } = notificationChanges(original, form);
  const dirty = Object.keys(changes).length > 0;
  const set = <K extends keyof NotificationForm>(key: K, value: NotificationForm[K]) => setForm((f) => ({ ...f, [key]: value }));

  const save = useMutation({
    mutationFn: () => guard("Change the notification settings", async () => unwrap(await api.PUT("/api/trading/notifications/config", { body: changes }))),
    onSuccess: (out) => {
      toast.push({ tone: "success", title: "Notification settings saved", body: `${out.changes.length} change${out.changes.length === 1 ? "" : "s"}`, testId: "toast-notifications-saved" });
      client.setQueryData(["notification-settings"], out.settings);
      void client.invalidateQueries({ queryKey: ["config-audit"] });
    },
    onError: (e) => {
      if (!(e instanceof StepUpCancelled)) toast.push({ tone: "error", title: "Not saved", body: errorLine(e) });
    },
  });

  return (
    <form
      className="flex flex-col gap-4"
      onSubmit={(e) => {
        e.preventDefault();
        if (!problem && dirty) save.mutate();
      }}
    >
      <label className="flex items-center gap-2 text-sm font-medium">
        <input type="checkbox" data-testid="notify-enabled" checked={form.enabled} onChange={(e) => set("enabled", e.target.checked)} />
        Notifications on
      </label>
      <fieldset className="flex flex-col gap-1">
        <legend className={captionClass}>Channels</legend>
        <div className="flex flex-wrap gap-4 text-sm">
          {CHANNELS.map((c) => (
            <label key={c} className="flex items-center gap-2">
              <input
                type="checkbox"
                data-testid={`notify-channel-${c}`}
                checked={form.channels.includes(c)}
                onChange={(e) => set("channels", e.target.checked ? [...form.channels, c] : form.channels.filter((x) => x !== c))}
              />
              {c}
            </label>
          ))}
        </div>
      </fieldset>
      <div className="grid grid-cols-1 gap-3 sm:grid-cols-2">
        <SelectField label="Minimum severity" value={form.min_severity} onChange={(v) => set("min_severity", v)} options={SEVERITIES} />
        <Field label="Large-trade P&L ($)">
          <input inputMode="decimal" className={controlClass} value={form.large_trade_pnl} onChange={(e) => set("large_trade_pnl", e.target.value)} />
        </Field>
        <Field label="Telegram per hour">
          <input type="number" min={0} step={1} className={controlClass} value={form.telegram_per_hour} onChange={(e) => set("telegram_per_hour", e.target.value)} />
        </Field>
        <Field label="Email per hour">
          <input type="number" min={0} step={1} className={controlClass} value={form.email_per_hour} onChange={(e) => set("email_per_hour", e.target.value)} />
        </Field>
        <Field label="Daily summary (UTC, empty: none)">
          <input type="time" className={controlClass} value={form.daily_summary_at} onChange={(e) => set("daily_summary_at", e.target.value)} />
        </Field>
        <label className="flex items-center gap-2 self-end pb-1 text-sm">
          <input type="checkbox" checked={form.weekly_digest} onChange={(e) => set("weekly_digest", e.target.checked)} />
          Weekly digest
        </label>
      </div>
      {problem && (
        <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
          {problem}
        </p>
      )}
      <div className="flex items-center gap-2">
        <Button type="submit" variant="primary" data-testid="notify-save" disabled={!dirty || problem !== null || save.isPending}>
          {save.isPending ? "Saving…" : "Save"}
        </Button>
        <Button variant="ghost" disabled={!dirty} onClick={() => setForm(formOf(original))}>
          Reset
        </Button>
        <span className="text-xs text-slate-600 dark:text-slate-400">Saving asks for your passkey.</span>
      </div>
    </form>
  );
}

const LIMIT = 20;
const STATUSES = ["sent", "failed", "rate_limited", "pending"];

const statusBadge = (status: string) => (status === "sent" ? toneBadge.good : status === "failed" ? toneBadge.bad : status === "rate_limited" ? toneBadge.warn : toneBadge.idle);
const severityClass = (severity: string) => (severity === "critical" ? "text-rose-700 dark:text-rose-400 font-semibold" : severity === "warning" ? "text-amber-800 dark:text-amber-300" : "");

function HistoryCard() {
  const [filters, setFilters] = useState<NotificationFilters>({ channel: "", status: "" });
  const [offset, setOffset] = useState(0);
  const history = useNotificationHistory(filters, LIMIT, offset);
  const pick = (next: Partial<NotificationFilters>) => {
    setFilters((f) => ({ ...f, ...next }));
    setOffset(0);
  };
  return (
    <Card
      title="Notification history"
      testId="notification-history"
      actions={
        <div className="flex flex-wrap gap-2 text-sm">
          <SelectField label="Channel" hideLabel value={filters.channel} onChange={(channel) => pick({ channel })} options={[["", "all channels"], ...CHANNELS]} />
          <SelectField label="Status" hideLabel value={filters.status} onChange={(status) => pick({ status })} options={[["", "all statuses"], ...STATUSES.map((s) => [s, s.replace("_", " ")] as const)]} />
        </div>
      }
    >
      <PagedTable
        query={history}
        empty={`No notifications${filters.channel || filters.status ? " match" : " yet"}.`}
        label="Notifications sent"
        paging={{ offset, limit: LIMIT, onPage: setOffset }}
        columns={["Time", "Channel", "Event", "Severity", "Title", "Status", "Error"]}
        row={(n) => (
          <tr key={n.id} data-testid="notification-row" className={cx(rowRule, "align-top")}>
            <Td className="whitespace-nowrap tabular-nums">{dateTime(n.ts)}</Td>
            <Td>{n.channel}</Td>
            <Td className="whitespace-nowrap">{n.event}</Td>
            <Td className={severityClass(n.severity)}>{n.severity}</Td>
            <Td title={n.body}>{n.title}</Td>
            <Td>
              <Badge className={statusBadge(n.status)}>{n.status.replace("_", " ")}</Badge>
            </Td>
            <Td className="text-rose-700 dark:text-rose-300">{n.error ?? ""}</Td>
          </tr>
        )}
      />
    </Card>
  );
}
