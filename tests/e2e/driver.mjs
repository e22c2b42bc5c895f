// Launches the built GHL Desk binary under tauri-driver (which drives WebKitWebDriver)
// and hands back a WebdriverIO session. The app gets a fresh data directory, so every
// test starts from an empty installation.
import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { createServer, connect } from "node:net";
import { tmpdir } from "node:os";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";
import { remote } from "webdriverio";

/** The repository root. */
export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");

/** Where screenshots are saved for people to look at. */
export const SCREENSHOT_DIR = join(ROOT, "target", "e2e-screenshots");

async function freePort() {
  return new Promise((resolvePort, reject) => {
    const server = createServer();
    server.unref();
    server.on("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address();
      server.close(() => resolvePort(port));
    });
  });
}

async function waitForPort(port, timeoutMs) {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const open = await new Promise((done) => {
      const socket = connect(port, "127.0.0.1");
      socket.once("connect", () => {
        socket.destroy();
        done(true);
      });
      socket.once("error", () => done(false));
    });
    if (open) return;
    await new Promise((r) => setTimeout(r, 100));
  }
  throw new Error(`tauri-driver did not listen on port ${port} within ${timeoutMs} ms`);
}

/**
 * Starts the app. Returns `{ browser, dataDir, close }`; `close()` ends the session,
 * stops tauri-driver and removes the data directory.
 */
export async function launchApp() {
  const application = process.env.GHL_DESK_BINARY ?? join(ROOT, "target", "debug", "ghl-desk");
  if (!process.env.DISPLAY) {
    throw new Error("no DISPLAY: run the end-to-end tests under xvfb-run (see scripts/test.sh)");
  }
  const dataDir = mkdtempSync(join(tmpdir(), "ghl-desk-e2e-"));
  const port = await freePort();
  const nativePort = await freePort();
  const driverLog = [];
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env: { ...process.env, GHL_DESK_DATA_DIR: dataDir },
    stdio: ["ignore", "pipe", "pipe"],
  });
  driver.stdout.on("data", (chunk) => driverLog.push(chunk.toString()));
  driver.stderr.on("data", (chunk) => driverLog.push(chunk.toString()));
  const driverExited = new Promise((done) => driver.once("exit", done));

  let browser;
  try {
    await waitForPort(port, 15_000);
    browser = await remote({
      hostname: "127.0.0.1",
      port,
      logLevel: "warn",
      capabilities: {
        "tauri:options": { application },
        "wdio:enforceWebDriverClassic": true,
      },
    });
  } catch (err) {
    driver.kill();
    rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${err.message}\n--- tauri-driver output ---\n${driverLog.join("")}`);
  }

  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    browser,
    dataDir,
    screenshot: (name) => browser.saveScreenshot(join(SCREENSHOT_DIR, `${name}.png`)),
    async close() {
      await browser.deleteSession().catch(() => {});
      driver.kill();
      await driverExited;
      rmSync(dataDir, { recursive: true, force: true });
    },
  };
}
