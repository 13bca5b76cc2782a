/// <reference types="vitest/config" />
import react from "@vitejs/plugin-react";
import tailwindcss from "@tailwindcss/vite";
import { defineConfig } from "vite";

// The dev server proxies the API to a `tradebot serve` on :8000; the build goes to dist/,
// which `tradebot serve` serves itself (same origin: no CORS, cookies stay SameSite=Strict).
export default defineConfig({
  plugins: [react(), tailwindcss()],
  server: {
    proxy: {
      "/api": "http://127.0.0.1:8000",
      "/ws": { target: "ws://127.0.0.1:8000", ws: true },
      "/health": "http://127.0.0.1:8000",
      "/ready": "http://127.0.0.1:8000",
    },
  },
  build: {
    outDir: "dist",
    sourcemap: false,
    chunkSizeWarningLimit: 600,
    rollupOptions: {
      output: {
        // Charting libraries in their own chunks: only the views that draw load them.
        manualChunks(id: string) {
          // React first: otherwise it lands in the first chunk that imports it (recharts),
          // and every page, the sign-in page included, preloads all of Recharts.
          if (/node_modules\/(react|react-dom|scheduler|use-sync-external-store)\//.test(id)) return "react";
          if (id.includes("node_modules/lightweight-charts")) return "lightweight-charts";
          if (id.includes("node_modules/recharts") || id.includes("node_modules/d3-")) return "recharts";
          return undefined;
        },
      },
    },
  },
  test: {
    environment: "jsdom",
    globals: true,
    setupFiles: ["src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    css: false,
  },
});
