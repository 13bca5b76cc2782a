/** The signed-in user's passkeys (add, rename, revoke) and invitations for new users. */
import { useMutation, useQuery, useQueryClient } from "@tanstack/react-query";
import { useState } from "react";
import { api, unwrap } from "../../api/client";
import { errorLine } from "../../api/errors";
import { addPasskey } from "../../api/passkeys";
import { ConfirmDialog } from "../../components/Dialog";
import { StepUpCancelled, useStepUp } from "../../components/StepUp";
import { useToast } from "../../components/Toasts";
import { Badge, Button, Card, ErrorLine, Loading, PageTitle } from "../../components/ui";
import { dateTime } from "../../lib/format";

export default function AccountView() {
  const client = useQueryClient();
  const guard = useStepUp();
  const toast = useToast();
  const me = useQuery({ queryKey: ["me"], queryFn: async () => unwrap(await api.GET("/api/auth/me")) });
  const [newName, setNewName] = useState("");
  const [revoking, setRevoking] = useState<{ id: string; name: string } | null>(null);
  const [invite, setInvite] = useState<string | null>(null);

  const failed = (e: unknown) => {
    if (!(e instanceof StepUpCancelled)) toast.push({ tone: "error", title: "Not done", body: errorLine(e) });
  };
  const add = useMutation({
    mutationFn: () => guard("Add a passkey", () => addPasskey(newName.trim() || "passkey")),
    onSuccess: () => {
      setNewName("");
      toast.push({ tone: "success", title: "Passkey added" });
      void client.invalidateQueries({ queryKey: ["me"] });
    },
    onError: failed,
  });
  const revoke = useMutation({
    mutationFn: (id: string) => guard("Revoke a passkey", async () => unwrap(await api.DELETE("/api/auth/passkeys/{passkey_id}", { params: { path: { passkey_id: id } } }))),
    onSuccess: () => {
      setRevoking(null);
      void client.invalidateQueries({ queryKey: ["me"] });
    },
    onError: (e) => {
      setRevoking(null);
      failed(e);
    },
  });
  const invitation = useMutation({
    mutationFn: () => guard("Invite a user", async () => unwrap(await api.POST("/api/auth/invites")) as { code?: string }),
    onSuccess: (out) => setInvite(out.code ?? null),
    onError: failed,
  });

  if (me.isPending) return <Loading />;
  if (me.isError) return <ErrorLine error={me.error} />;
  const live = me.data.passkeys.filter((p) => !p.revoked_at);
  return (
    <div className="flex flex-col gap-4">
      <PageTitle>Account — {me.data.user.display_name}</PageTitle>
      <Card title="Passkeys" testId="passkeys">
        <ul className="divide-y divide-slate-200 dark:divide-slate-800">
          {me.data.passkeys.map((p) => (
            <li key={p.id} className="flex flex-wrap items-center justify-between gap-2 py-2 text-sm">
              <span>
                <strong>{p.name}</strong> <span className="text-slate-600 dark:text-slate-400">added {dateTime(p.created_at)}, last used {dateTime(p.last_used_at)}</span>{" "}
                {p.backed_up && <Badge>synced</Badge>} {p.revoked_at && <Badge className="bg-rose-100 text-rose-900">revoked</Badge>}
              </span>
              {!p.revoked_at && (
                <Button variant="secondary" disabled={live.length <= 1} title={live.length <= 1 ? "Your last passkey cannot be revoked" : undefined} onClick={() => setRevoking({ id: p.id, name: p.name })}>
                  Revoke
                </Button>
              )}
            </li>
          ))}
        </ul>
        <form
          className="mt-3 flex flex-wrap gap-2"
          onSubmit={(e) => {
            e.preventDefault();
            add.mutate();
          }}
        >
          <label className="sr-only" htmlFor="passkey-name">
            New passkey name
          </label>
          <input id="passkey-name" placeholder="Name, e.g. laptop" value={newName} onChange={(e) => setNewName(e.target.value)} className="rounded-lg border border-slate-300 bg-white px-3 py-1.5 text-sm dark:border-slate-700 dark:bg-slate-800" />
          <Button type="submit" variant="primary" disabled={add.isPending}>
            Add a passkey
          </Button>
        </form>
      </Card>
      <Card title="Invite a user">
        <p className="mb-2 text-sm text-slate-700 dark:text-slate-300">An invitation code lets one more person register their own passkey.</p>
        <Button onClick={() => invitation.mutate()} disabled={invitation.isPending}>
          Create invitation
        </Button>
        {invite && (
          <p className="mt-2 text-sm" data-testid="invite-code">
            Code (shown once): <code className="font-mono">{invite}</code>
          </p>
        )}
      </Card>
      <ConfirmDialog
        open={revoking !== null}
        title="Revoke passkey"
        message={`Revoke “${revoking?.name}”? It will no longer sign in.`}
        confirmLabel="Revoke"
        danger
        busy={revoke.isPending}
        onConfirm={() => revoking && revoke.mutate(revoking.id)}
        onCancel={() => setRevoking(null)}
      />
    </div>
  );
}
