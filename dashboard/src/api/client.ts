/** The typed API client: `paths` is generated from the server's /openapi.json (make
 * dashboard), so a route or field the server no longer has fails the build, not the user.
 *
 * Every call carries the access token. A 401 on an expired token is answered by one silent
 * refresh (shared by every call that hit it at once) and the call is repeated; if the
 * refresh fails too, the session ends with a plain "your session expired" on the login page.
 */
import createClient, { type Middleware } from "openapi-fetch";
import { ApiError, detailOf } from "./errors";
import { currentSession, signIn, signOut, type TokenOut } from "./session";
import type { paths } from "./schema";

export const CSRF_COOKIE = "tradebot_csrf";
export const CSRF_HEADER = "X-CSRF-Token";
const NO_RETRY = ["/api/auth/refresh", "/api/auth/login", "/api/auth/register", "/api/auth/logout"];

export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const [key, ...rest] = part.trim().split("=");
    if (key === name) return decodeURIComponent(rest.join("="));
  }
  return null;
}

let refreshing: Promise<TokenOut | null> | null = null;

/** Rotate the refresh cookie for a new access token; null when there is no valid sign-in.
 * Concurrent callers share one request: a refresh token is single-use, and a second use
 * would revoke the whole sign-in as a replay. `origin`: the server's, when not the page's. */
export function refreshSession(origin = ""): Promise<TokenOut | null> {
  if (refreshing) return refreshing;
  const pending = withRefreshLock(() => rotate(origin));
  refreshing = pending;
  // Cleared once settled, and only if still the current one (the promise may settle
  // before this line runs when there is nothing to send).
  void pending.finally(() => {
    if (refreshing === pending) refreshing = null;
  });
  return pending;
}

async function rotate(origin: string): Promise<TokenOut | null> {
  try {
    const csrf = readCookie(CSRF_COOKIE);
    if (!csrf) return null;
    const response = await fetch(`${origin}/api/auth/refresh`, {
      method: "POST",
      credentials: "same-origin",
      headers: { [CSRF_HEADER]: csrf },
    });
    if (!response.ok) return null;
    const out = (await response.json()) as TokenOut;
    signIn(out);
    return out;
  } catch {
    return null;
  }
}

/** Tabs of one browser share the refresh cookie: two rotating it at once would present one
 * token twice, which the server takes for a replay and answers by revoking the sign-in.
 * A Web Lock makes them take turns (the second then sends the cookie the first got). */
function withRefreshLock<T>(work: () => Promise<T>): Promise<T> {
  const locks = typeof navigator !== "undefined" ? navigator.locks : undefined;
  return locks ? (locks.request("tradebot-refresh", work) as Promise<T>) : work();
}

/** Each call's copy (its body is spent once sent) and the token it was sent with. */
const originals = new WeakMap<Request, { copy: Request; token: string | null }>();

/** Bearer token on every call; one silent refresh and a second try on a 401. */
export const authMiddleware: Middleware = {
  onRequest({ request }) {
    const session = currentSession();
    if (session && !request.headers.has("Authorization")) {
      request.headers.set("Authorization", `Bearer ${session.token}`);
    }
    const csrf = readCookie(CSRF_COOKIE);
    if (csrf && request.url.includes("/api/auth/")) request.headers.set(CSRF_HEADER, csrf);
    originals.set(request, { copy: request.clone(), token: session?.token ?? null });
    return request;
  },
  async onResponse({ request, response }) {
    if (response.status !== 401 || NO_RETRY.some((p) => request.url.includes(p))) return response;
    const sent = originals.get(request);
    const session = currentSession();
    if (!session || !sent) return response;
    // Sent before a refresh that has finished since: the new token is already here.
    let token = session.token !== sent.token ? session.token : null;
    if (token === null) {
      const renewed = await refreshSession(new URL(request.url).origin);
      if (!renewed) {
        signOut("Your session expired: sign in again with your passkey.");
        return response;
      }
      token = renewed.access_token;
    }
    sent.copy.headers.set("Authorization", `Bearer ${token}`);
    return fetch(sent.copy);
  },
};

export const api = createClient<paths>({ baseUrl: "", credentials: "same-origin" });
api.use(authMiddleware);

/** The data of an openapi-fetch result, or an {@link ApiError} with the server's one line. */
export function unwrap<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.response.ok && result.data !== undefined) return result.data;
  const { detail, hint } = detailOf(result.error);
  throw new ApiError(result.response.status, detail, hint, result.response.headers.get("X-Tradebot-Error"));
}
