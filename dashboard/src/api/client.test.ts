/** The client's silent refresh against a real HTTP server on 127.0.0.1 (Node's own
 * `http`): the routes answer as the API does — 401 for a stale access token, a new token
 * from /api/auth/refresh only with the CSRF header. */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import createClient from "openapi-fetch";
import { afterAll, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { authMiddleware, refreshSession, unwrap } from "./client";
import { ApiError } from "./errors";
import type { paths } from "./schema";
import { getSessionState, resetSession, signIn, type TokenOut } from "./session";

const user = { id: "u1", name: "alice", display_name: "Alice", created_at: "2026-01-01T00:00:00Z" };
const token = (access: string): TokenOut => ({ access_token: access, token_type: "bearer", expires_in: 900, fresh_until: null, user });

let server: Server;
let origin = "";
let current = "new";
let refreshes = 0;
let refreshWorks = true;
const seen: string[] = [];

function answer(res: ServerResponse, status: number, body: unknown) {
  res.writeHead(status, { "Content-Type": "application/json" });
  res.end(JSON.stringify(body));
}

function route(req: IncomingMessage, res: ServerResponse) {
  seen.push(`${req.method} ${req.url} ${req.headers.authorization ?? "-"}`);
  if (req.url === "/api/auth/refresh" && req.method === "POST") {
    refreshes++;
    if (!refreshWorks || req.headers["x-csrf-token"] !== "csrf-1") return answer(res, 401, { detail: "refresh refused", hint: null });
    return answer(res, 200, token(current));
  }
  if (req.url?.startsWith("/api/auth/login/begin")) return answer(res, 401, { detail: "no", hint: null });
  if (req.headers.authorization !== `Bearer ${current}`) return answer(res, 401, { detail: "the access token has expired", hint: "refresh it" });
  return answer(res, 200, { run_id: "r1", equity: "100.00" });
}

beforeAll(async () => {
  server = createServer(route);
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  origin = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});

afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

beforeEach(() => {
  refreshes = 0;
  refreshWorks = true;
  current = "new";
  seen.length = 0;
  document.cookie = "tradebot_csrf=csrf-1";
  resetSession();
  signIn(token("old"));
});

function client() {
  const made = createClient<paths>({ baseUrl: origin });
  made.use(authMiddleware);
  return made;
}

describe("silent refresh", () => {
  it("answers a 401 with one refresh and sends the call again with the new token", async () => {
    const data = unwrap(await client().GET("/api/portfolio"));
    expect(data.equity).toBe("100.00");
    expect(refreshes).toBe(1);
    expect(seen).toEqual(["GET /api/portfolio Bearer old", "POST /api/auth/refresh -", "GET /api/portfolio Bearer new"]);
    const state = getSessionState();
    expect(state.kind === "signed-in" && state.session.token).toBe("new");
  });

  it("shares one refresh among calls that failed together (a refresh token is single-use)", async () => {
    const api = client();
    const results = await Promise.all([api.GET("/api/portfolio"), api.GET("/api/portfolio"), api.GET("/api/portfolio")]);
    expect(results.map((r) => r.response.status)).toEqual([200, 200, 200]);
    expect(refreshes).toBe(1);
  });

  it("ends the session plainly when the refresh is refused", async () => {
    refreshWorks = false;
    const result = await client().GET("/api/portfolio");
    expect(() => unwrap(result)).toThrow(ApiError);
    const state = getSessionState();
    expect(state.kind).toBe("signed-out");
    expect(state.kind === "signed-out" && state.reason).toMatch(/session expired/);
  });

  it("never retries the sign-in routes themselves", async () => {
    const result = await client().POST("/api/auth/login/begin", { body: { name: "alice" } });
    expect(result.response.status).toBe(401);
    expect(refreshes).toBe(0);
  });

  it("a first refresh with nothing to send does not stick: the next one asks the server", async () => {
    document.cookie = "tradebot_csrf=; expires=Thu, 01 Jan 1970 00:00:00 GMT";
    expect(await refreshSession(origin)).toBeNull();
    expect(refreshes).toBe(0);
    document.cookie = "tradebot_csrf=csrf-1";
    const out = await refreshSession(origin);
    expect(out?.access_token).toBe("new");
    expect(refreshes).toBe(1);
  });
});
