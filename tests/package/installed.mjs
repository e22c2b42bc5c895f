// Launches the installed GHL Desk (GHL_DESK_BINARY, e.g. /usr/bin/ghl-desk) under
// tauri-driver to its first window, checks the window shows the app, and saves a
// screenshot. Run by scripts/package.sh after installing the .deb.
import assert from "node:assert/strict";
import { launchApp } from "../e2e/driver.mjs";

const started = Date.now();
const app = await launchApp();
try {
  const heading = await app.browser.$("h1");
  await heading.waitForDisplayed({ timeout: 20_000 });
  assert.equal(await heading.getText(), "Contacts");
  assert.equal(await app.browser.getTitle(), "GHL Desk");
  const version = await (await app.browser.$('[data-testid="sidebar-version"]')).getText();
  await app.screenshot("installed-app");
  console.log(`installed app: first window in ${Date.now() - started} ms (${version})`);
} finally {
  await app.close();
}
