/** The signed-in session, held in memory only (never localStorage: a script injected into
 * the page could read that). A reload signs in again silently through the refresh cookie,
 * which is httpOnly and scoped to /api/auth. */
import { useSyncExternalStore } from "react";
import type { components } from "./schema";

export type User = components["schemas"]["UserOut"];
export type TokenOut = components["schemas"]["TokenOut"];

export interface Session {
  token: string;
  user: User;
  /** Epoch ms when the access token expires. */
  expiresAt: number;
  /** Epoch ms until which step-up actions are allowed, or null. */
  freshUntil: number | null;
}

export type SessionState =
  | { kind: "unknown" } // the silent refresh has not answered yet
  | { kind: "signed-out"; reason: string | null }
  | { kind: "signed-in"; session: Session };

let state: SessionState = { kind: "unknown" };
const listeners = new Set<() => void>();

function emit(): void {
  for (const listener of listeners) listener();
}

export function getSessionState(): SessionState {
  return state;
}

export function currentSession(): Session | null {
  return state.kind === "signed-in" ? state.session : null;
}

export function sessionFromToken(out: TokenOut, now: number = Date.now()): Session {
  return {
    token: out.access_token,
    user: out.user,
    expiresAt: now + out.expires_in * 1000,
    freshUntil: out.fresh_until ? Date.parse(out.fresh_until) : null,
  };
}

export function signIn(out: TokenOut): Session {
  const session = sessionFromToken(out);
  state = { kind: "signed-in", session };
  emit();
  return session;
}

/** `reason` is shown on the login page ("Your session expired: sign in again"). */
export function signOut(reason: string | null = null): void {
  state = { kind: "signed-out", reason };
  emit();
}

export function isFresh(session: Session | null, now: number = Date.now()): boolean {
  return session?.freshUntil != null && session.freshUntil > now;
}

export function subscribeSession(listener: () => void): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

export function useSession(): SessionState {
  return useSyncExternalStore(subscribeSession, getSessionState, getSessionState);
}

/** For tests: back to the state before the first refresh. */
export function resetSession(): void {
  state = { kind: "unknown" };
  emit();
}
