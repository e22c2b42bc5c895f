// Launches the built GHL Desk binary under tauri-driver (which drives WebKitWebDriver)
// and hands back a WebdriverIO session. The app gets a fresh data directory, so every
// test starts from an empty installation.
import { execFileSync, spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, readlinkSync, rmSync } from "node:fs";
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

/** Processes started for `dataDir` (the app and its WebKit helpers) still running. */
function processesOf(dataDir) {
  const found = [];
  for (const pid of readdirSync("/proc").filter((name) => /^\d+$/.test(name))) {
    try {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8");
      if (environ.split("\0").includes(`GHL_DESK_DATA_DIR=${dataDir}`)) found.push(Number(pid));
    } catch {
      // Gone, or not ours to read.
    }
  }
  return found;
}

function isApp(pid, application) {
  try {
    return readFileSync(`/proc/${pid}/cmdline`, "utf8").startsWith(application);
  } catch {
    return false;
  }
}

/**
 * Gives the app a few seconds to quit after its window closed, then kills whatever was
 * started for this data directory and is still running: the session bus and keyring
 * daemons the keychain probe auto-launches, and the app itself if it did not quit.
 * Returns whether the app had to be killed.
 */
async function killLeftovers(dataDir, application) {
  const deadline = Date.now() + 5_000;
  while (processesOf(dataDir).some((pid) => isApp(pid, application)) && Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, 100));
  }
  let appLeft = false;
  for (const pid of processesOf(dataDir)) {
    appLeft ||= isApp(pid, application);
    try {
      process.kill(pid, "SIGKILL");
    } catch {
      // It ended by itself meanwhile.
    }
  }
  return appLeft;
}

/**
 * The TCP ports process `pid` listens on at 127.0.0.1 (for the app: the embedded demo
 * sandbox), read from /proc so no extra tool is needed.
 */
export function loopbackListeners(pid) {
  const inodes = new Set();
  for (const fd of readdirSync(`/proc/${pid}/fd`)) {
    try {
      const target = readlinkSync(`/proc/${pid}/fd/${fd}`);
      const match = target.match(/^socket:\[(\d+)\]$/);
      if (match) inodes.add(match[1]);
    } catch {
      // Closed meanwhile.
    }
  }
  const ports = [];
  for (const line of readFileSync("/proc/net/tcp", "utf8").split("\n").slice(1)) {
    const cols = line.trim().split(/\s+/);
    if (cols.length < 10) continue;
    const [address, port] = cols[1].split(":");
    const listening = cols[3] === "0A";
    if (listening && address === "0100007F" && inodes.has(cols[9])) ports.push(Number.parseInt(port, 16));
  }
  return ports;
}

/** The last `count` lines of `text`. */
function tail(text, count) {
  return text.split("\n").slice(-count).join("\n");
}

/**
 * What there is to know when the app went away under a test: whether its processes still
 * run, what tauri-driver, WebKitWebDriver and the app printed, and the end of the app's
 * own log and of any crash report it wrote. Read before the data directory is removed.
 */
function lossReport(dataDir, application, driverLog) {
  const logs = join(dataDir, "logs");
  let files = [];
  try {
    files = readdirSync(logs).sort();
  } catch {
    // The app had not made its log folder yet.
  }
  const logged = files.map((name) => `--- ${name} ---\n${tail(readFileSync(join(logs, name), "utf8"), 25)}`);
  return [
    "the WebDriver session was lost while a test was using it",
    `the app's process: ${processesOf(dataDir).some((pid) => isApp(pid, application)) ? "still running" : "gone"}`,
    `--- tauri-driver output ---\n${tail(driverLog.join(""), 30)}`,
    ...logged,
  ].join("\n");
}

async function exited(child, timeoutMs) {
  if (child.exitCode !== null || child.signalCode !== null) return true;
  return new Promise((done) => {
    const timer = setTimeout(() => done(false), timeoutMs);
    child.once("exit", () => {
      clearTimeout(timer);
      done(true);
    });
  });
}

/**
 * Starts the app. Returns `{ browser, dataDir, close }`; `close()` ends the session,
 * stops tauri-driver and removes the data directory. `options.dataDir` opens an
 * existing data directory instead of a fresh one, and keeps it; `options.env` adds to
 * the app's environment.
 *
 * Under Xvfb there is no GPU, so the app would paint without WebKit's compositing (see
 * src-tauri/src/rendering.rs); WebKitWebDriver's screenshots of a page that does not
 * repaint then never return. The tests keep compositing on unless the environment says
 * otherwise; `options.autoRendering` leaves the choice to the app, as for a user.
 */
export async function launchApp(options = {}) {
  const application = process.env.GHL_DESK_BINARY ?? join(ROOT, "target", "debug", "ghl-desk");
  if (!process.env.DISPLAY) {
    throw new Error("no DISPLAY: run the end-to-end tests under xvfb-run (see scripts/test.sh)");
  }
  const keepData = options.dataDir !== undefined;
  const dataDir = options.dataDir ?? mkdtempSync(join(tmpdir(), "ghl-desk-e2e-"));
  const port = await freePort();
  const nativePort = await freePort();
  const driverLog = [];
  const driver = spawn("tauri-driver", ["--port", String(port), "--native-port", String(nativePort)], {
    env: {
      ...(options.autoRendering ? {} : { WEBKIT_DISABLE_COMPOSITING_MODE: "0" }),
      ...process.env,
      ...options.env,
      GHL_DESK_DATA_DIR: dataDir,
    },
    stdio: ["ignore", "pipe", "pipe"],
  });
  driver.stdout.on("data", (chunk) => driverLog.push(chunk.toString()));
  driver.stderr.on("data", (chunk) => driverLog.push(chunk.toString()));
  const driverExited = new Promise((done) => driver.once("exit", done));
  // Set once the app is meant to go: by a test that quits it, or by `close()`.
  let exitExpected = false;
  let lossReported = false;

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
      afterCommand: [
        (_command, _args, _result, error) => {
          const lost = /invalid session id|page crash or hang/.test(error?.message ?? "");
          if (lost && !exitExpected && !lossReported) {
            lossReported = true;
            console.error(lossReport(dataDir, application, driverLog));
          }
        },
      ],
    });
  } catch (err) {
    driver.kill();
    if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    throw new Error(`${err.message}\n--- tauri-driver output ---\n${driverLog.join("")}`);
  }

  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  return {
    browser,
    dataDir,
    application,
    screenshot: (name) => browser.saveScreenshot(join(SCREENSHOT_DIR, `${name}.png`)),
    /** The process ids started for this data directory (the app and its WebKit helpers). */
    processes: () => processesOf(dataDir),
    /** The app's process id. */
    pid: () => processesOf(dataDir).find((pid) => isApp(pid, application)),
    /** Tells that the test is about to quit the app, so a lost session is no surprise. */
    expectExit() {
      exitExpected = true;
    },
    async close() {
      exitExpected = true;
      // Closing the window is what a user does; the app must quit on its own.
      await browser.closeWindow().catch((err) => driverLog.push(`closeWindow: ${err.message}\n`));
      await browser.deleteSession().catch((err) => driverLog.push(`deleteSession: ${err.message}\n`));
      driver.kill();
      if (!(await exited(driver, 10_000))) driver.kill("SIGKILL");
      await driverExited;
      if (await killLeftovers(dataDir, application)) {
        throw new Error(`the app did not quit when its window closed\n${driverLog.join("")}`);
      }
      driver.stdout.destroy();
      driver.stderr.destroy();
      if (!keepData) rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

/**
 * Types `text` into the focused element. WebKitWebDriver drops a key pressed again
 * within one key sequence ("ff", a second space), so a repeated key starts a new one.
 */
export async function typeText(browser, text) {
  let run = [];
  for (const char of text) {
    if (run.includes(char)) {
      await browser.keys(run);
      run = [];
    }
    run.push(char);
  }
  if (run.length > 0) await browser.keys(run);
}

/**
 * Saves as `path` in the system's save dialog titled `title` (GTK's file chooser, a
 * native window WebDriver cannot reach): types the path into its name field with real
 * X key events (xdotool) and presses Enter, as a user would.
 */
export async function saveInDialog(title, path) {
  const deadline = Date.now() + 15_000;
  let dialog;
  while (!dialog) {
    try {
      dialog = execFileSync("xdotool", ["search", "--onlyvisible", "--name", `^${title}$`]).toString().trim().split("\n").at(-1);
    } catch {
      if (Date.now() > deadline) throw new Error(`no "${title}" dialog opened`);
      await new Promise((done) => setTimeout(done, 200));
    }
  }
  // The dialog takes keys only once it has drawn its name field.
  await new Promise((done) => setTimeout(done, 500));
  execFileSync("xdotool", ["windowfocus", "--sync", dialog]);
  execFileSync("xdotool", ["key", "--clearmodifiers", "ctrl+a"]);
  execFileSync("xdotool", ["type", "--delay", "15", path]);
  await new Promise((done) => setTimeout(done, 300));
  execFileSync("xdotool", ["key", "Return"]);
}
