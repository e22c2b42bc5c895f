// The app frame in the real window: it opens, navigates, and shows the app info that
// the core computes for this installation's data directory.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { after, before, test } from "node:test";
import { launchApp, ROOT } from "./driver.mjs";

const version = readFileSync(join(ROOT, "Cargo.toml"), "utf8").match(
  /\[workspace\.package\][^[]*?version\s*=\s*"([^"]+)"/,
)[1];

let app;
before(async () => {
  app = await launchApp();
});
after(async () => {
  await app?.close();
});

async function textOf(selector) {
  const element = await app.browser.$(selector);
  await element.waitForDisplayed({ timeout: 10_000 });
  return element.getText();
}

test("opens on Contacts and says nothing is synced yet", async () => {
  const { browser } = app;
  assert.equal(await browser.getTitle(), "GHL Desk");
  assert.equal(await textOf("header h1"), "Contacts");
  assert.match(await textOf("main"), /Nothing synced yet/);
  const sync = await browser.$("button.sync");
  assert.equal(await sync.isEnabled(), false);
  // The stylesheet loaded under the production CSP: the frame is laid out, not raw HTML.
  const display = await browser.execute(
    () => getComputedStyle(document.querySelector(".sidebar")).display,
  );
  assert.equal(display, "flex");
  await app.screenshot("contacts");
});

test("the web process starts with the moderate JavaScript heap growth", () => {
  // See src-tauri/src/page_memory.rs: on a machine with 16 GB or more, the page would
  // otherwise keep ~100 MB of garbage after a scroll through a large list.
  const web = app.processes().filter((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "WebKitWebProces");
  assert.ok(web.length > 0, "a web process runs for the window");
  for (const pid of web) {
    const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
    assert.ok(environ.includes("JSC_aggressiveHeapThresholdInMB=1073741824"), `web process ${pid} has the option`);
  }
});

test("shows the app info from the core in Settings", async () => {
  const { browser, dataDir } = app;
  await (await browser.$('a[data-route="settings"]')).click();
  assert.equal(await textOf("header h1"), "Settings");
  assert.equal(await textOf('[data-testid="app-version"]'), version);
  assert.equal(await textOf('[data-testid="app-data-dir"]'), dataDir);
  assert.equal(await textOf('[data-testid="app-log-dir"]'), join(dataDir, "logs"));
  assert.equal(await textOf('[data-testid="app-databases-dir"]'), join(dataDir, "locations"));
  assert.match(await textOf('[data-testid="app-database-path"]'), /None yet/);
  assert.equal(await textOf('[data-testid="sidebar-version"]'), `Version ${version}`);
  await app.screenshot("settings");
});

test("navigates to every screen", async () => {
  const { browser } = app;
  for (const [route, heading, text] of [
    ["pending", "Pending changes", /No pending changes/],
    ["activity", "Activity", /No activity yet/],
    ["contacts", "Contacts", /Nothing synced yet/],
  ]) {
    await (await browser.$(`a[data-route="${route}"]`)).click();
    await browser.waitUntil(async () => (await textOf("header h1")) === heading, {
      timeout: 5_000,
      timeoutMsg: `the ${heading} screen did not open`,
    });
    assert.match(await textOf("main"), text);
  }
  await app.screenshot("pending-activity-contacts");
});

test("signs in to the demo through the real window, syncs and searches contacts", async () => {
  const { browser, dataDir } = app;
  await (await browser.$('a[data-route="contacts"]')).click();
  await (await browser.$('[data-testid="contacts-demo"]')).click();
  const count = await browser.$('[data-testid="contact-count"]');
  await count.waitForDisplayed({ timeout: 90_000 });
  // Separators follow the system locale ("2,000" or "2000").
  const all = /^2[,.\u00a0\u202f]?000 contacts$/;
  await browser.waitUntil(async () => all.test(await count.getText()), {
    timeout: 30_000,
    timeoutMsg: "the demo's 2,000 contacts were not listed after the first sync",
  });
  // A virtual list: a screenful of rows is in the page, not all 2,000.
  const rows = await browser.$$('[data-testid="contact-rows"] .row[data-id]');
  assert.ok(rows.length > 10 && rows.length < 100, `a screenful of rows (got ${rows.length})`);
  await app.screenshot("demo-contacts");

  const firstName = await browser.execute(
    () => document.querySelector('[data-testid="contact-rows"] .row[data-id] .name')?.textContent?.trim().split(" ")[0] ?? "",
  );
  assert.ok(firstName.length >= 3, `a first name to search for (got "${firstName}")`);
  await (await browser.$('[data-testid="contact-search"]')).click();
  await browser.keys([...firstName.slice(0, 3)]);
  await browser.waitUntil(async () => !all.test(await count.getText()), {
    timeout: 10_000,
    timeoutMsg: "searching did not narrow the list",
  });
  const matches = await browser.execute(() =>
    [...document.querySelectorAll('[data-testid="contact-rows"] .row[data-id]')].map((row) => row.textContent ?? ""),
  );
  assert.ok(matches.length > 0);
  for (const text of matches) {
    assert.match(text.toLowerCase(), new RegExp(firstName.slice(0, 3).toLowerCase()));
  }
  await app.screenshot("demo-search");

  await (await browser.$('a[data-route="settings"]')).click();
  const locationId = await textOf('[data-testid="account-location"]');
  assert.match(locationId, /^[A-Za-z0-9]{20}$/);
  assert.equal(await textOf('[data-testid="account-kind"]'), "Demo (until the app closes)");
  await browser.waitUntil(
    async () => (await textOf('[data-testid="app-database-path"]')).endsWith(`${locationId}.sqlite3`),
    { timeout: 5_000, timeoutMsg: "Settings did not name the demo location's database" },
  );
  assert.ok((await textOf('[data-testid="app-database-path"]')).startsWith(join(dataDir, "locations")));
  const ask = await browser.$('[data-testid="merge-policy"] input[value="ask"]');
  await browser.waitUntil(async () => ask.isSelected(), {
    timeout: 5_000,
    timeoutMsg: "the merge policy did not load as Ask me",
  });
  await app.screenshot("settings-signed-in");

  const deleteButton = await browser.$("button=Delete local data…");
  await deleteButton.click();
  const dialog = await browser.$('[data-testid="delete-cache"]');
  await browser.waitUntil(async () => /cached contacts/.test(await dialog.getText()), {
    timeout: 5_000,
    timeoutMsg: "the delete dialog did not count the cached data",
  });
  assert.match(await dialog.getText(), /Every change has reached HighLevel|not reached HighLevel yet/);
  await app.screenshot("delete-local-data");
  await (await browser.$("button=Keep it")).click();
  await dialog.waitForExist({ reverse: true, timeout: 5_000 });
});

test("without a GPU the window paints on the CPU and only the web process loads a GL driver", async () => {
  // See src-tauri/src/rendering.rs. Mesa told to render in software stands for a machine
  // without a GPU, whatever this one has.
  const software = await launchApp({ autoRendering: true, env: { LIBGL_ALWAYS_SOFTWARE: "1" } });
  try {
    const heading = await software.browser.$("header h1");
    await heading.waitForDisplayed({ timeout: 10_000 });
    assert.equal(await heading.getText(), "Contacts");
    const web = software.processes().filter((pid) => readFileSync(`/proc/${pid}/comm`, "utf8").trim() === "WebKitWebProces");
    assert.ok(web.length > 0, "a web process runs for the window");
    for (const pid of web) {
      const environ = readFileSync(`/proc/${pid}/environ`, "utf8").split("\0");
      assert.ok(environ.includes("WEBKIT_DISABLE_COMPOSITING_MODE=1"), `web process ${pid} paints without compositing`);
      assert.ok(environ.includes("GDK_GL=disable"), `web process ${pid} inherits GTK's OpenGL switch`);
      assert.ok(
        !environ.some((entry) => entry.startsWith("__EGL_VENDOR_LIBRARY_FILENAMES=")),
        `web process ${pid} is not kept from EGL drivers`,
      );
      const webMaps = readFileSync(`/proc/${pid}/maps`, "utf8");
      assert.match(webMaps, /libEGL_mesa/, `web process ${pid} draws through Mesa's EGL, which it cannot start without`);
    }
    const maps = readFileSync(`/proc/${software.pid()}/maps`, "utf8");
    assert.doesNotMatch(maps, /libGLX_mesa/, "GTK set up no GLX driver in the app");
    assert.doesNotMatch(maps, /libEGL_mesa|swrast_dri|libLLVM/, "WebKit opened no EGL display in the app");
  } finally {
    await software.close();
  }
});
