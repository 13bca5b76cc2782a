/** Small shared building blocks: cards, stat tiles, buttons, badges, states. */
import type { ButtonHTMLAttributes, ReactNode } from "react";
import { errorLine } from "../api/errors";
import { toneClass, tone as toneOf } from "../lib/format";

export function cx(...parts: Array<string | false | null | undefined>): string {
  return parts.filter(Boolean).join(" ");
}

export function Card({ title, actions, children, className, testId }: { title?: ReactNode; actions?: ReactNode; children: ReactNode; className?: string; testId?: string }) {
  return (
    <section data-testid={testId} className={cx("rounded-xl border border-slate-200 bg-white p-4 shadow-sm dark:border-slate-800 dark:bg-slate-900", className)}>
      {(title || actions) && (
        <header className="mb-3 flex flex-wrap items-center justify-between gap-2">
          {title && <h2 className="text-sm font-semibold tracking-wide text-slate-700 uppercase dark:text-slate-300">{title}</h2>}
          {actions}
        </header>
      )}
      {children}
    </section>
  );
}

/** A labelled figure; `signedValue` colours it green/red by its sign. */
export function Stat({ label, value, sub, signedValue, testId }: { label: string; value: ReactNode; sub?: ReactNode; signedValue?: string | number | null; testId?: string }) {
  const colour = signedValue === undefined ? "" : toneClass[toneOf(signedValue)];
  return (
    <div data-testid={testId} className="rounded-xl border border-slate-200 bg-white p-4 dark:border-slate-800 dark:bg-slate-900">
      <div className="text-xs font-medium text-slate-600 uppercase dark:text-slate-400">{label}</div>
      <div className={cx("mt-1 text-2xl font-semibold tabular-nums", colour)}>{value}</div>
      {sub && <div className="mt-1 text-sm text-slate-600 dark:text-slate-400">{sub}</div>}
    </div>
  );
}

type Variant = "primary" | "secondary" | "danger" | "ghost";
const variants: Record<Variant, string> = {
  primary: "bg-sky-700 text-white hover:bg-sky-800 disabled:bg-sky-700/50",
  secondary: "border border-slate-300 bg-white text-slate-900 hover:bg-slate-100 dark:border-slate-700 dark:bg-slate-800 dark:text-slate-100 dark:hover:bg-slate-700",
  danger: "bg-rose-700 text-white hover:bg-rose-800 disabled:bg-rose-700/50",
  ghost: "text-slate-700 hover:bg-slate-100 dark:text-slate-200 dark:hover:bg-slate-800",
};

export function Button({ variant = "secondary", className, ...props }: ButtonHTMLAttributes<HTMLButtonElement> & { variant?: Variant }) {
  return (
    <button
      type="button"
      {...props}
      className={cx("inline-flex items-center justify-center gap-1 rounded-lg px-3 py-1.5 text-sm font-medium transition-colors disabled:cursor-not-allowed disabled:opacity-50", variants[variant], className)}
    />
  );
}

export function Badge({ children, className }: { children: ReactNode; className?: string }) {
  return <span className={cx("inline-flex items-center rounded-full px-2 py-0.5 text-xs font-medium", className ?? "bg-slate-200 text-slate-900 dark:bg-slate-700 dark:text-slate-100")}>{children}</span>;
}

/** A setting, command or value as it is typed. */
export function Code({ children }: { children: ReactNode }) {
  return <code className="rounded bg-slate-100 px-1 dark:bg-slate-800">{children}</code>;
}

export function Loading({ label = "Loading…" }: { label?: string }) {
  return (
    <div role="status" className="p-4 text-sm text-slate-600 dark:text-slate-400">
      {label}
    </div>
  );
}

export function ErrorLine({ error }: { error: unknown }) {
  return (
    <div role="alert" className="rounded-lg border border-rose-300 bg-rose-50 p-3 text-sm text-rose-900 dark:border-rose-800 dark:bg-rose-950 dark:text-rose-100">
      {errorLine(error)}
    </div>
  );
}

export function Empty({ children }: { children: ReactNode }) {
  return <div className="p-4 text-sm text-slate-600 dark:text-slate-400">{children}</div>;
}

/** Previous / next over a `Page` (limit/offset/total). */
export function Pager({ offset, limit, total, onChange }: { offset: number; limit: number; total: number; onChange: (offset: number) => void }) {
  const last = Math.max(0, total - 1);
  const from = total === 0 ? 0 : offset + 1;
  const to = Math.min(total, offset + limit);
  return (
    <nav aria-label="Pages" className="mt-3 flex items-center justify-between gap-2 text-sm">
      <span className="text-slate-600 dark:text-slate-400" data-testid="pager-range">
        {from}–{to} of {total}
      </span>
      <span className="flex gap-2">
        <Button disabled={offset === 0} onClick={() => onChange(Math.max(0, offset - limit))}>
          Previous
        </Button>
        <Button disabled={offset + limit > last} onClick={() => onChange(offset + limit)}>
          Next
        </Button>
      </span>
    </nav>
  );
}

export function PageTitle({ children, actions }: { children: ReactNode; actions?: ReactNode }) {
  return (
    <div className="mb-4 flex flex-wrap items-center justify-between gap-2">
      <h1 className="text-xl font-semibold">{children}</h1>
      {actions}
    </div>
  );
}
