import { clearMocks, mockIPC } from "@tauri-apps/api/mocks";
import { fireEvent, render, screen, waitFor } from "@testing-library/svelte";
import { afterEach, beforeEach, describe, expect, it } from "vitest";
import App from "./App.svelte";
import type { AppInfo } from "./lib/bindings";

const INFO: AppInfo = {
  version: "9.8.7",
  dataDir: "/home/ada/.local/share/dev.ghldesk.desk",
  logDir: "/home/ada/.local/share/dev.ghldesk.desk/logs",
  databasesDir: "/home/ada/.local/share/dev.ghldesk.desk/locations",
  databasePath: null,
};

function serveAppInfo(answer: () => unknown) {
  const calls: string[] = [];
  mockIPC((cmd) => {
    calls.push(cmd);
    if (cmd === "app_info") return answer();
    throw new Error(`unexpected command ${cmd}`);
  });
  return calls;
}

describe("App frame", () => {
  beforeEach(() => {
    window.location.hash = "";
  });
  afterEach(() => {
    clearMocks();
  });

  it("opens on Contacts and says plainly that nothing is synced", async () => {
    serveAppInfo(() => INFO);
    render(App);
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Contacts");
    expect(screen.getByText("Nothing synced yet")).toBeInTheDocument();
    expect(screen.queryByRole("row")).not.toBeInTheDocument();
  });

  it("navigates between every screen from the sidebar", async () => {
    serveAppInfo(() => INFO);
    render(App);
    const expectations: Array<[string, string]> = [
      ["Pending changes", "No pending changes"],
      ["Activity", "No activity yet"],
      ["Settings", "About this installation"],
      ["Contacts", "Nothing synced yet"],
    ];
    for (const [link, text] of expectations) {
      await fireEvent.click(screen.getByRole("link", { name: link }));
      window.dispatchEvent(new HashChangeEvent("hashchange"));
      await waitFor(() =>
        expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent(link),
      );
      expect(screen.getByText(text)).toBeInTheDocument();
      expect(screen.getByRole("link", { name: link })).toHaveAttribute("aria-current", "page");
    }
  });

  it("switches screens with Ctrl+digit", async () => {
    serveAppInfo(() => INFO);
    render(App);
    await fireEvent.keyDown(window, { key: "4", ctrlKey: true });
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Settings");
    expect(window.location.hash).toBe("#/settings");
    await fireEvent.keyDown(window, { key: "2", ctrlKey: true });
    expect(screen.getByRole("heading", { level: 1 })).toHaveTextContent("Pending changes");
  });

  it("shows the app info from the core in Settings and the sidebar", async () => {
    const calls = serveAppInfo(() => INFO);
    window.location.hash = "#/settings";
    render(App);
    expect(await screen.findByTestId("app-version")).toHaveTextContent("9.8.7");
    expect(screen.getByTestId("app-data-dir")).toHaveTextContent(INFO.dataDir);
    expect(screen.getByTestId("app-log-dir")).toHaveTextContent(INFO.logDir);
    expect(screen.getByTestId("app-databases-dir")).toHaveTextContent(INFO.databasesDir);
    expect(screen.getByTestId("app-database-path")).toHaveTextContent("None yet");
    expect(screen.getByTestId("sidebar-version")).toHaveTextContent("Version 9.8.7");
    expect(calls).toEqual(["app_info"]);
  });

  it("shows the core's error message when app info cannot be read", async () => {
    serveAppInfo(() => {
      throw { kind: "storage", message: "cannot create /nope: permission denied" };
    });
    window.location.hash = "#/settings";
    render(App);
    expect(await screen.findByRole("alert")).toHaveTextContent(
      "cannot create /nope: permission denied",
    );
  });

  it("keeps Sync disabled, with the reason, until an account exists", () => {
    serveAppInfo(() => INFO);
    render(App);
    const sync = screen.getByRole("button", { name: "Sync" });
    expect(sync).toBeDisabled();
    expect(sync).toHaveAttribute("title", "Connect a HighLevel location to sync");
  });

  it("follows the machine going offline and back online", async () => {
    serveAppInfo(() => INFO);
    const onLine = Object.getOwnPropertyDescriptor(Navigator.prototype, "onLine");
    let online = true;
    Object.defineProperty(navigator, "onLine", { configurable: true, get: () => online });
    try {
      render(App);
      const status = screen.getByTestId("connectivity");
      expect(status).toHaveTextContent("Online");
      online = false;
      window.dispatchEvent(new Event("offline"));
      await waitFor(() => expect(status).toHaveTextContent("Offline"));
      online = true;
      window.dispatchEvent(new Event("online"));
      await waitFor(() => expect(status).toHaveTextContent("Online"));
    } finally {
      delete (navigator as { onLine?: boolean }).onLine;
      if (onLine) Object.defineProperty(Navigator.prototype, "onLine", onLine);
    }
  });
});
