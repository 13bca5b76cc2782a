/** One shape for every failed call: the API's one-line `{detail, hint}` plus the status
 * and, for refusals that need a passkey first, the `X-Tradebot-Error` code. */
export class ApiError extends Error {
  readonly status: number;
  readonly hint: string | null;
  readonly code: string | null;

  constructor(status: number, detail: string, hint: string | null = null, code: string | null = null) {
    super(detail);
    this.name = "ApiError";
    this.status = status;
    this.hint = hint;
    this.code = code;
  }

  /** The server wants a fresh passkey assertion before this action (step-up). */
  get needsStepUp(): boolean {
    return this.status === 403 && this.code === "step_up_required";
  }

  /** One line for a toast or an inline error: what went wrong and how to fix it. */
  get line(): string {
    return this.hint ? `${this.message} — ${this.hint}` : this.message;
  }
}

/** The `detail` of a FastAPI error body: a string, or a validation error list. */
export function detailOf(body: unknown): { detail: string; hint: string | null } {
  if (body && typeof body === "object" && "detail" in body) {
    const { detail: raw, hint: rawHint } = body as { detail: unknown; hint?: unknown };
    const hint = typeof rawHint === "string" ? rawHint : null;
    if (typeof raw === "string") return { detail: raw, hint };
    if (Array.isArray(raw) && raw.length > 0) {
      const first = raw[0] as { loc?: unknown[]; msg?: string };
      const where = Array.isArray(first.loc) ? first.loc.filter((p) => p !== "body").join(".") : "";
      return { detail: where ? `${where}: ${first.msg ?? "invalid"}` : (first.msg ?? "invalid request"), hint };
    }
  }
  return { detail: "the server gave an unexpected answer", hint: null };
}

export function errorLine(error: unknown): string {
  if (error instanceof ApiError) return error.line;
  if (error instanceof Error) return error.message;
  return String(error);
}
