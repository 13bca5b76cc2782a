/** Who is told what: the notification settings (changed with a passkey, audited like every
 * setting) and the history of what was sent, failed or held back by the rate limits. */
import { useMutation, useQueryClient } from "@tanstack/react-query";
import { useEffect, useId, useState } from "react";
import { api, unwrap } from "../../api/client";
import { errorLine } from "../../api/errors";
import { StepUpCancelled, useStepUp } from "../../components/StepUp";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Card, cx, Empty, ErrorLine, Loading, Pager } from "../../components/ui";
import { dateTime } from "../../lib/format";
import { useNotificationHistory, useNotificationSettings, type NotificationFilters } from "./api";
import { inputClass, rowClass, tableHead, thClass, toneBadge } from "./bits";
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
      {settings.isPending ? <Loading /> : settings.isError ? <ErrorLine error={settings.error} /> : <SettingsForm original={settings.data} />}
    </Card>
  );
}

function SettingsForm({ original }: { original: NotificationSettings }) {
  const ids = useId();
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

  const field = "flex flex-col gap-1 text-sm";
  const label = "text-xs font-medium text-slate-600 uppercase dark:text-slate-400";
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
        <legend className={label}>Channels</legend>
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
        <label className={field} htmlFor={`${ids}-sev`}>
          <span className={label}>Minimum severity</span>
          <select id={`${ids}-sev`} className={inputClass} value={form.min_severity} onChange={(e) => set("min_severity", e.target.value)}>
            {SEVERITIES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label className={field} htmlFor={`${ids}-large`}>
          <span className={label}>Large-trade P&L ($)</span>
          <input id={`${ids}-large`} inputMode="decimal" className={inputClass} value={form.large_trade_pnl} onChange={(e) => set("large_trade_pnl", e.target.value)} />
        </label>
        <label className={field} htmlFor={`${ids}-tg`}>
          <span className={label}>Telegram per hour</span>
          <input id={`${ids}-tg`} type="number" min={0} step={1} className={inputClass} value={form.telegram_per_hour} onChange={(e) => set("telegram_per_hour", e.target.value)} />
        </label>
        <label className={field} htmlFor={`${ids}-em`}>
          <span className={label}>Email per hour</span>
          <input id={`${ids}-em`} type="number" min={0} step={1} className={inputClass} value={form.email_per_hour} onChange={(e) => set("email_per_hour", e.target.value)} />
        </label>
        <label className={field} htmlFor={`${ids}-daily`}>
          <span className={label}>Daily summary (UTC, empty: none)</span>
          <input id={`${ids}-daily`} type="time" className={inputClass} value={form.daily_summary_at} onChange={(e) => set("daily_summary_at", e.target.value)} />
        </label>
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
  const ids = useId();
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
          <label htmlFor={`${ids}-ch`} className="sr-only">
            Channel
          </label>
          <select id={`${ids}-ch`} className={inputClass} value={filters.channel} onChange={(e) => pick({ channel: e.target.value })}>
            <option value="">all channels</option>
            {CHANNELS.map((c) => (
              <option key={c} value={c}>
                {c}
              </option>
            ))}
          </select>
          <label htmlFor={`${ids}-st`} className="sr-only">
            Status
          </label>
          <select id={`${ids}-st`} className={inputClass} value={filters.status} onChange={(e) => pick({ status: e.target.value })}>
            <option value="">all statuses</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s.replace("_", " ")}
              </option>
            ))}
          </select>
        </div>
      }
    >
      {history.isPending ? (
        <Loading />
      ) : history.isError ? (
        <ErrorLine error={history.error} />
      ) : history.data.items.length === 0 ? (
        <Empty>No notifications{filters.channel || filters.status ? " match" : " yet"}.</Empty>
      ) : (
        <>
          <div className="overflow-x-auto">
            <table className="w-full text-left text-sm">
              <thead className={tableHead}>
                <tr>
                  <th scope="col" className={thClass}>Time</th>
                  <th scope="col" className={thClass}>Channel</th>
                  <th scope="col" className={thClass}>Event</th>
                  <th scope="col" className={thClass}>Severity</th>
                  <th scope="col" className={thClass}>Title</th>
                  <th scope="col" className={thClass}>Status</th>
                  <th scope="col" className={thClass}>Error</th>
                </tr>
              </thead>
              <tbody>
                {history.data.items.map((n) => (
                  <tr key={n.id} data-testid="notification-row" className={cx(rowClass, "align-top")}>
                    <td className="py-1.5 pr-3 whitespace-nowrap tabular-nums">{dateTime(n.ts)}</td>
                    <td className="py-1.5 pr-3">{n.channel}</td>
                    <td className="py-1.5 pr-3 whitespace-nowrap">{n.event}</td>
                    <td className={cx("py-1.5 pr-3", severityClass(n.severity))}>{n.severity}</td>
                    <td className="py-1.5 pr-3" title={n.body}>
                      {n.title}
                    </td>
                    <td className="py-1.5 pr-3">
                      <Badge className={statusBadge(n.status)}>{n.status.replace("_", " ")}</Badge>
                    </td>
                    <td className="py-1.5 pr-3 text-rose-700 dark:text-rose-300">{n.error ?? ""}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} limit={LIMIT} total={history.data.total} onChange={setOffset} />
        </>
      )}
    </Card>
  );
}
