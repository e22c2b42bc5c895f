import { createRequire } from "node:module";
import { svelte } from "@sveltejs/vite-plugin-svelte";
import { svelteTesting } from "@testing-library/svelte/vite";
import { defineConfig } from "vitest/config";

// The Tauri CLI expects the dev server on a fixed port (tauri.conf.json `devUrl`).
export default defineConfig({
  plugins: [svelte(), svelteTesting()],
  // The phone metadata (80 KB) as JSON, not as the package's JavaScript module: the page
  // reads it with JSON.parse, which costs WebKit a fraction of compiling and running the
  // same data as an object literal when the window starts.
  resolve: {
    alias: [
      {
        find: /^libphonenumber-js\/metadata\.min\.json$/,
        replacement: createRequire(import.meta.url).resolve("libphonenumber-js/metadata.min.json"),
      },
    ],
  },
  json: { stringify: true },
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
    watch: { ignored: ["**/src-tauri/**"] },
  },
  build: {
    target: "es2022",
    // No inline <style>/<script>: the production CSP allows 'self' only.
    assetsInlineLimit: 0,
    cssCodeSplit: false,
  },
  test: {
    environment: "jsdom",
    include: ["src/**/*.test.ts"],
    setupFiles: ["src/test-setup.ts"],
    restoreMocks: true,
  },
});
