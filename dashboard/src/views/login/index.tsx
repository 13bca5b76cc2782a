/** Sign in with a passkey; the first user registers with the setup code the server printed,
 * later users with an invitation code. */
import { useQuery } from "@tanstack/react-query";
import { useState, type FormEvent } from "react";
import { api, unwrap } from "../../api/client";
import { errorLine } from "../../api/errors";
import { login, register } from "../../api/passkeys";
import { useSession } from "../../api/session";
import { Button, Card, ErrorLine, Loading } from "../../components/ui";

const field = "mt-1 block w-full rounded-lg border border-slate-300 bg-white px-3 py-2 text-sm dark:border-slate-700 dark:bg-slate-800";

export default function LoginView() {
  const state = useSession();
  const status = useQuery({ queryKey: ["auth-status"], queryFn: async () => unwrap(await api.GET("/api/auth/status")) });
  const [mode, setMode] = useState<"login" | "register">("login");
  const [busy, setBusy] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [name, setName] = useState("");
  const [displayName, setDisplayName] = useState("");
  const [code, setCode] = useState("");

  const setup = status.data?.setup_required === true;
  const registering = setup || mode === "register";
  const reason = state.kind === "signed-out" ? state.reason : null;

  async function submit(e: FormEvent) {
    e.preventDefault();
    setBusy(true);
    setError(null);
    try {
      if (registering) await register(name.trim().toLowerCase(), displayName.trim() || name.trim(), code.trim());
      else await login(name.trim().toLowerCase() || undefined);
    } catch (err) {
      setError(errorLine(err));
    } finally {
      setBusy(false);
    }
  }

  return (
    <main id="main" className="mx-auto flex min-h-screen max-w-md flex-col justify-center p-4">
      <h1 className="mb-4 text-center text-2xl font-bold">tradebot</h1>
      {reason && (
        <p role="status" data-testid="session-expired" className="mb-3 rounded-lg bg-amber-100 p-3 text-sm text-amber-950 dark:bg-amber-900 dark:text-amber-50">
          {reason}
        </p>
      )}
      {status.isPending && <Loading />}
      {status.isError && <ErrorLine error={status.error} />}
      {status.data && (
        <Card title={setup ? "Set up the first user" : registering ? "Register with an invitation" : "Sign in with your passkey"}>
          <form onSubmit={(e) => void submit(e)} className="flex flex-col gap-3">
            <label className="text-sm font-medium">
              Sign-in name{registering ? "" : " (optional: leave empty to pick a passkey)"}
              <input className={field} name="name" autoComplete="username webauthn" value={name} onChange={(e) => setName(e.target.value)} required={registering} />
            </label>
            {registering && (
              <>
                <label className="text-sm font-medium">
                  Display name
                  <input className={field} name="display_name" value={displayName} onChange={(e) => setDisplayName(e.target.value)} />
                </label>
                <label className="text-sm font-medium">
                  {setup ? "Setup code (printed by tradebot serve)" : "Invitation code"}
                  <input className={field} name="code" value={code} onChange={(e) => setCode(e.target.value)} required autoComplete="one-time-code" />
                </label>
              </>
            )}
            {error && (
              <p role="alert" className="text-sm text-rose-700 dark:text-rose-300">
                {error}
              </p>
            )}
            <Button type="submit" variant="primary" disabled={busy}>
              {busy ? "Waiting for your passkey…" : registering ? "Create passkey and register" : "Sign in with passkey"}
            </Button>
            {!setup && (
              <Button variant="ghost" onClick={() => setMode(registering ? "login" : "register")}>
                {registering ? "I already have a passkey" : "I have an invitation code"}
              </Button>
            )}
          </form>
        </Card>
      )}
    </main>
  );
}
