/** Providers, the silent sign-in on load, and the routes (each view loaded on first visit). */
import { QueryClient, QueryClientProvider } from "@tanstack/react-query";
import { lazy, Suspense, useEffect, type ReactNode } from "react";
import { BrowserRouter, Navigate, Route, Routes, useLocation } from "react-router";
import { refreshSession } from "./api/client";
import { ApiError } from "./api/errors";
import { getSessionState, signOut, subscribeSession, useSession } from "./api/session";
import { ErrorBoundary } from "./components/ErrorBoundary";
import { Layout } from "./components/Layout";
import { StepUpProvider } from "./components/StepUp";
import { ToastProvider } from "./components/Toasts";
import { Loading } from "./components/ui";
import { LiveProvider } from "./live/LiveProvider";
import LoginView from "./views/login";

const PortfolioView = lazy(() => import("./views/portfolio"));
const TradesView = lazy(() => import("./views/trades"));
const StrategiesView = lazy(() => import("./views/strategies"));
const NewsView = lazy(() => import("./views/news"));
const BacktestView = lazy(() => import("./views/backtest"));
const EngineView = lazy(() => import("./views/engine"));
const AccountView = lazy(() => import("./views/account"));

export function makeQueryClient(): QueryClient {
  return new QueryClient({
    defaultOptions: {
      queries: {
        staleTime: 10_000,
        refetchOnWindowFocus: false,
        // A refusal (4xx) will not change by asking again; a lost connection may.
        retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status < 500),
      },
    },
  });
}

const defaultClient = makeQueryClient();

function SignedIn({ children }: { children: ReactNode }) {
  const location = useLocation();
  return (
    <ErrorBoundary resetKey={location.pathname}>
      <Suspense fallback={<Loading />}>{children}</Suspense>
    </ErrorBoundary>
  );
}

/** Signed out: nothing the last user read stays in memory for the next one. */
function useForgetOnSignOut(client: QueryClient): void {
  useEffect(
    () =>
      subscribeSession(() => {
        if (getSessionState().kind === "signed-out") client.clear();
      }),
    [client],
  );
}

// A lazy view whose file a rebuild removed: load the new build instead of failing.
if (typeof window !== "undefined") window.addEventListener("vite:preloadError", () => window.location.reload());

export function AppRoutes() {
  const state = useSession();
  useEffect(() => {
    if (getSessionState().kind === "unknown") {
      void refreshSession().then((out) => out ?? signOut(null));
    }
  }, []);
  if (state.kind === "unknown") return <Loading label="Signing in…" />;
  if (state.kind === "signed-out") return <LoginView />;
  return (
    <LiveProvider signedIn>
      <Layout>
        <SignedIn>
          <Routes>
            <Route path="/" element={<Navigate to="/portfolio" replace />} />
            <Route path="/login" element={<Navigate to="/portfolio" replace />} />
            <Route path="/portfolio" element={<PortfolioView />} />
            <Route path="/trades" element={<TradesView />} />
            <Route path="/strategies" element={<StrategiesView />} />
            <Route path="/news" element={<NewsView />} />
            <Route path="/backtest/*" element={<BacktestView />} />
            <Route path="/engine" element={<EngineView />} />
            <Route path="/account" element={<AccountView />} />
            <Route path="*" element={<p className="text-sm">No such page.</p>} />
          </Routes>
        </SignedIn>
      </Layout>
    </LiveProvider>
  );
}

export default function App({ client = defaultClient }: { client?: QueryClient }) {
  useForgetOnSignOut(client);
  return (
    <QueryClientProvider client={client}>
      <ToastProvider>
        <StepUpProvider>
          <BrowserRouter>
            <AppRoutes />
          </BrowserRouter>
        </StepUpProvider>
      </ToastProvider>
    </QueryClientProvider>
  );
}
