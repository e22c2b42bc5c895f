// What users expect of an installed desktop app, in the real window: the window comes
// back where it was, a crash of the last run is told at the next start, the support
// bundle carries no secret or contact data, the app quits promptly in the middle of a
// sync, and an update is offered, downloaded and refused when its signature is wrong.
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { test } from "node:test";
import { launchApp, ROOT, typeText } from "./driver.mjs";
import { findSandbox } from "./sandbox.mjs";

const ROWS = '[data-testid="contact-rows"] .row[data-id]';

/** A data folder that outlives one launch of the app. */
function keptDataDir() {
  return mkdtempSync(join(tmpdir(), "ghl-desk-e2e-kept-"));
}

async function openSettings(browser) {
  await (await browser.$('a[href="#/settings"]')).click();
  await (await browser.$("h1=Settings")).waitForDisplayed({ timeout: 5_000 });
}

/** Waits for the app's process to end by itself. */
async function quitted(app, timeout) {
  const pid = app.pid();
  const deadline = Date.now() + timeout;
  while (Date.now() < deadline) {
    if (!app.processes().includes(pid)) return true;
    await new Promise((done) => setTimeout(done, 100));
  }
  return false;
}

test("Ctrl+Q and the system's request to end quit cleanly; the window comes back as it was", async () => {
  const dataDir = keptDataDir();
  try {
    const first = await launchApp({ dataDir });
    await first.browser.setWindowSize(1010, 650);
    const set = await first.browser.getWindowSize();
    await (await first.browser.$("h1")).click();
    // The app may be gone before the driver releases the keys.
    first.expectExit();
    await first.browser.keys(["Control", "q"]).catch(() => {});
    assert.ok(await quitted(first, 8_000), "Ctrl+Q ended the app");
    await first.close();
    assert.match(readFileSync(join(dataDir, "window-state.json"), "utf8"), /"main"/);

    const second = await launchApp({ dataDir });
    const restored = await second.browser.getWindowSize();
    assert.deepEqual(restored, set, "restored from the last run");
    await second.browser.setWindowSize(1100, 700);
    const pid = second.pid();
    process.kill(pid, "SIGTERM");
    assert.ok(await quitted(second, 8_000), "SIGTERM ended the app");
    await second.close();
    assert.match(readFileSync(join(dataDir, "window-state.json"), "utf8"), /"width":\s*1100/);
    const log = readdirSync(join(dataDir, "logs"))
      .map((name) => readFileSync(join(dataDir, "logs", name), "utf8"))
      .join("");
    assert.equal(log.match(/quitting/g)?.length, 2, "both runs quit through the clean path");
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("a crash of the last run is told once at the next start", async () => {
  const dataDir = keptDataDir();
  try {
    const logs = join(dataDir, "logs");
    mkdirSync(logs, { recursive: true });
    writeFileSync(
      join(logs, "crash-20261201T100000.000Z-4242.txt"),
      "GHL Desk 0.1.0 crashed at 2026-12-01T10:00:00+00:00\non linux x86_64\n" +
        "thread 'main' panicked at src/sync.rs:10:5:\nthe database went away\n",
    );
    const app = await launchApp({ dataDir });
    try {
      const notice = await app.browser.$('[data-testid="crash-notice"]');
      await notice.waitForDisplayed({ timeout: 10_000 });
      assert.match(await notice.getText(), /the database went away/);
      assert.match(await notice.getText(), /Nothing you queued was lost/);
      await app.screenshot("crash-notice");
      await (await app.browser.$('[data-testid="crash-dismiss"]')).click();
      await notice.waitForDisplayed({ reverse: true, timeout: 5_000 });
      await app.browser.waitUntil(() => readdirSync(logs).some((name) => name.endsWith(".seen.txt")), {
        timeout: 5_000,
        timeoutMsg: "the report was not marked as seen",
      });
    } finally {
      await app.close();
    }
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
  }
});

test("the support bundle has counts and no contact data; quitting mid-sync is prompt", async () => {
  const app = await launchApp();
  try {
    const { browser } = app;
    await browser.setWindowSize(1280, 800);
    await (await browser.$('[data-testid="contacts-demo"]')).click();
    await (await browser.$(ROWS)).waitForDisplayed({ timeout: 90_000 });
    const sandbox = await findSandbox(app.pid());
    const ids = await Promise.all((await browser.$$(ROWS)).slice(0, 5).map((row) => row.getAttribute("data-id")));
    const emails = (await Promise.all(ids.map((id) => sandbox.contact(id)))).map((c) => c.email).filter(Boolean);
    assert.ok(emails.length > 0, "the demo's contacts have email addresses");

    await openSettings(browser);
    await (await browser.$('[data-testid="copy-diagnostics"]')).click();
    const text = await browser.$('[data-testid="diagnostics-text"]');
    await text.waitForDisplayed({ timeout: 5_000 });
    const bundle = await text.getText();
    await app.screenshot("diagnostics");
    assert.match(bundle, /GHL Desk \S+ diagnostics/);
    assert.match(bundle, /\(Demo, open\): [\d,]+ contacts/);
    assert.doesNotMatch(bundle, /@/, "no email address");
    for (const email of emails) assert.ok(!bundle.includes(email), `${email} in the bundle`);
    assert.ok(!bundle.includes(sandbox.location.privateIntegrationToken), "no token");
    await browser.keys(["Escape"]);

    // HighLevel stops answering while an edit is being sent: asked to end, the app waits
    // its grace for the answer and then quits, leaving the send for the next start.
    await sandbox.faults({ latencyMs: 30_000 });
    await (await browser.$('a[href="#/contacts"]')).click();
    const row = await browser.$(ROWS);
    await (await row.$(".name")).click();
    const city = await browser.$('[data-testid="field-city"] input');
    await city.waitForDisplayed({ timeout: 10_000 });
    await city.click();
    await browser.execute((el) => el.select(), city);
    await typeText(browser, "Quit Test");
    await browser.keys(["Enter"]);
    await (await browser.$('[data-testid="pending-count"]')).waitForDisplayed({ timeout: 10_000 });
    // The flush starts a couple of seconds after the edit and then waits on HighLevel.
    await browser.pause(4_000);
    const started = Date.now();
    process.kill(app.pid(), "SIGTERM");
    assert.ok(await quitted(app, 10_000), "the app ended");
    const took = Date.now() - started;
    assert.ok(took < 6_000, `quitting took ${took} ms`);
    const log = readdirSync(join(app.dataDir, "logs"))
      .map((name) => readFileSync(join(app.dataDir, "logs", name), "utf8"))
      .join("");
    assert.match(log, /quitting settled=false/, "it waited for the send, then left it for recovery");
  } finally {
    await app.close();
  }
});

/** Serves a release feed and its artifact on 127.0.0.1; `artifact` may be swapped. */
async function releaseServer() {
  const state = { artifact: Buffer.alloc(0), feed: {} };
  const server = createServer((req, res) => {
    if (req.url === "/latest.json") {
      res.writeHead(200, { "Content-Type": "application/json" });
      res.end(JSON.stringify(state.feed));
    } else if (req.url === "/ghl-desk-update.bin") {
      res.writeHead(200, { "Content-Type": "application/octet-stream", "Content-Length": state.artifact.length });
      res.end(state.artifact);
    } else {
      res.writeHead(404);
      res.end();
    }
  });
  await new Promise((done) => server.listen(0, "127.0.0.1", done));
  return { state, base: `http://127.0.0.1:${server.address().port}`, close: () => server.close() };
}

test("an update is offered at start, a tampered one is refused and a signed one is verified", async () => {
  const keys = mkdtempSync(join(tmpdir(), "ghl-desk-e2e-keys-"));
  const tauri = join(ROOT, "node_modules", ".bin", "tauri");
  execFileSync(tauri, ["signer", "generate", "-w", join(keys, "key"), "-p", "", "--ci", "-f"], { stdio: "ignore" });
  const artifact = join(keys, "ghl-desk-update.bin");
  const genuine = Buffer.from(`GHL Desk 99.0.0 ${"x".repeat(200_000)}`);
  writeFileSync(artifact, genuine);
  execFileSync(tauri, ["signer", "sign", "-f", join(keys, "key"), "-p", "", artifact], { stdio: "ignore" });
  const server = await releaseServer();
  server.state.feed = {
    version: "99.0.0",
    notes: "Faster search and a new theme.",
    pub_date: "2026-12-01T00:00:00Z",
    platforms: {
      "linux-x86_64": {
        signature: readFileSync(`${artifact}.sig`, "utf8"),
        url: `${server.base}/ghl-desk-update.bin`,
      },
    },
  };
  const tampered = Buffer.from(genuine);
  tampered[5] ^= 1;
  server.state.artifact = tampered;
  const app = await launchApp({
    env: {
      GHL_DESK_UPDATE_ENDPOINT: `${server.base}/latest.json`,
      GHL_DESK_UPDATE_PUBKEY: readFileSync(join(keys, "key.pub"), "utf8").trim(),
    },
  });
  try {
    const { browser } = app;
    await browser.waitUntil(
      async () => (await (await browser.$('[data-testid="toasts"]')).getText()).includes("GHL Desk 99.0.0 is available"),
      { timeout: 15_000, interval: 200, timeoutMsg: "the start-up check offered no update" },
    );
    await openSettings(browser);
    const offer = await browser.$('[data-testid="update-offer"]');
    await offer.waitForDisplayed({ timeout: 5_000 });
    assert.match(await offer.getText(), /GHL Desk 99\.0\.0 is available \(you have 0\.1\.0\)/);
    assert.equal(await (await browser.$('[data-testid="update-notes"]')).getText(), "Faster search and a new theme.");
    await app.screenshot("update-offered");

    await (await browser.$('[data-testid="update-download"]')).click();
    const error = await browser.$('[data-testid="update-error"]');
    await error.waitForDisplayed({ timeout: 15_000 });
    assert.match(await error.getText(), /not signed by GHL Desk's release key.*this version keeps running/);
    await app.screenshot("update-tampered");

    server.state.artifact = genuine;
    await (await browser.$('[data-testid="update-download"]')).click();
    await (await browser.$('[data-testid="update-ready"]')).waitForDisplayed({ timeout: 15_000 });
    assert.ok(await (await browser.$('[data-testid="update-install"]')).isDisplayed());
    await app.screenshot("update-ready");
    assert.equal(await (await browser.$('[data-testid="app-version"]')).getText(), "0.1.0", "still running");
  } finally {
    await app.close();
    server.close();
    rmSync(keys, { recursive: true, force: true });
  }
});
