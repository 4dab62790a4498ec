import react from "@vitejs/plugin-react";
import { defineConfig, loadEnv, type Plugin } from "vite";
import { devToken } from "./devtoken.ts";

/**
 * idgraphURL writes idgraph's URL into index.html's
 * <meta name="idgraph-url">, from VITE_IDGRAPH_URL (default: `go run .`'s
 * address). The app reads it from there at run time, so a host can point a
 * built app at another idgraph by rewriting that one tag, with no rebuild.
 */
function idgraphURL(url: string): Plugin {
  const escaped = url.replace(/&/g, "&amp;").replace(/"/g, "&quot;").replace(/</g, "&lt;");
  return {
    name: "idgraph-url",
    transformIndexHtml: (html) => html.replace("%IDGRAPH_URL%", escaped),
  };
}

export default defineConfig(({ mode }) => {
  const env = loadEnv(mode, process.cwd(), "VITE_");
  return {
    plugins: [react(), idgraphURL(env.VITE_IDGRAPH_URL || "http://127.0.0.1:8080"), devToken()],
    // 127.0.0.1 rather than localhost: idgraph's emulator allows both as
    // CORS origins, and an IPv4 address avoids localhost resolving to ::1
    // on some machines while idgraph listens on 127.0.0.1.
    server: { host: "127.0.0.1", port: 5173 },
    preview: { host: "127.0.0.1", port: 4173 },
    build: { sourcemap: true },
  };
});
