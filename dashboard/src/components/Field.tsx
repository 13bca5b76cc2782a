/** Form controls with their labels: one look for every input and select in the views, and a
 * label that always names its control (axe: every input has a label). */
import type { ReactNode, SelectHTMLAttributes } from "react";
import { cx } from "./ui";

const control = "rounded-lg border border-slate-300 bg-white px-2 text-sm dark:border-slate-700 dark:bg-slate-800 dark:[color-scheme:dark]";

/** An input's or select's look. The dark color-scheme gives date and time pickers dark
 * popups in the dark theme. Add width (`w-full`) or height where a layout needs it. */
export const controlClass = `${control} py-1`;

/** The same, as tall as a {@link Button}: for a form whose controls sit beside buttons. */
export const tallControlClass = `${control} py-1.5`;

/** The small caption above a control, also for a group's caption. */
export const captionClass = "text-xs font-medium text-slate-600 dark:text-slate-400";

/** A caption above a control. The label wraps the control, so it names it without ids;
 * `hideLabel` keeps the name for screen readers only, where the layout already says what
 * the control is (a filter in a card's header). */
export function Field({ label, children, hideLabel = false, className }: { label: ReactNode; children: ReactNode; hideLabel?: boolean; className?: string }) {
  return (
    <label className={cx("flex min-w-0 flex-col gap-0.5", className)}>
      <span className={hideLabel ? "sr-only" : captionClass}>{label}</span>
      {children}
    </label>
  );
}

/** An option: a value shown as itself, or a value and the words shown for it. */
export type Choice<V extends string> = V | readonly [value: V, text: string];

/** A select's options, each shown as itself or as its pair's words. */
export function Options<V extends string>({ values }: { values: ReadonlyArray<Choice<V>> }) {
  return (
    <>
      {values.map((choice) => {
        const [value, text] = typeof choice === "string" ? [choice, choice] : choice;
        return (
          <option key={value} value={value}>
            {text}
          </option>
        );
      })}
    </>
  );
}

/** A labelled select over fixed choices; `onChange` gets the chosen value, typed as the
 * choices are (the one cast from the DOM's string is here). `selectClass` replaces the
 * control's look ({@link controlClass}); other props go to the select (`data-testid`). */
export function SelectField<V extends string>({
  label,
  value,
  onChange,
  options,
  hideLabel,
  className,
  selectClass = controlClass,
  ...select
}: {
  label: ReactNode;
  value: V;
  onChange: (value: V) => void;
  options: ReadonlyArray<Choice<V>>;
  hideLabel?: boolean;
  className?: string;
  selectClass?: string;
} & Omit<SelectHTMLAttributes<HTMLSelectElement>, "value" | "onChange" | "className">) {
  return (
    <Field label={label} hideLabel={hideLabel} className={className}>
      <select {...select} value={value} onChange={(e) => onChange(e.target.value as V)} className={selectClass}>
        <Options values={options} />
      </select>
    </Field>
  );
}
