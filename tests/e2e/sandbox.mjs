// The demo's embedded GHL sandbox as the end-to-end tests see it: found through the
// app's loopback listeners, read through GHL's own API, steered through its control API.
import { loopbackListeners } from "./driver.mjs";

/** The demo sandbox of app process `pid`: its base URL and first location. */
export async function findSandbox(pid) {
  for (const port of loopbackListeners(pid)) {
    const base = `http://127.0.0.1:${port}`;
    try {
      const info = await (await fetch(`${base}/_sandbox/info`)).json();
      if (info.locations?.length) return sandboxAt(base, info.locations[0]);
    } catch {
      // Not the sandbox.
    }
  }
  throw new Error("the demo sandbox is not listening");
}

function sandboxAt(base, location) {
  const headers = {
    Authorization: `Bearer ${location.privateIntegrationToken}`,
    Version: "2021-07-28",
  };
  const control = (method, path, body) =>
    fetch(`${base}/_sandbox/${path}`, {
      method,
      headers: { "Content-Type": "application/json" },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  return {
    base,
    location,
    /** A GET of GHL's API, as JSON. */
    async get(path) {
      const answer = await fetch(`${base}${path}`, { headers });
      return answer.json();
    },
    /** The contact HighLevel holds. */
    async contact(id) {
      return (await this.get(`/contacts/${id}`)).contact;
    },
    /** How many contacts the location has now. */
    async contactCount() {
      const info = await (await control("GET", "info")).json();
      return info.locations.find((l) => l.id === location.id).contacts;
    },
    /** Puts faults in force (`{}` clears them). */
    faults: (body) => control("PUT", "faults", body),
    /** A change made by someone else in HighLevel. */
    edit: (body) => control("POST", "edit", body),
    /** The requests answered since the log was last cleared. */
    async requests() {
      return (await control("GET", "requests")).json();
    },
    clearRequests: () => control("DELETE", "requests"),
  };
}

/** The writes among logged requests that HighLevel accepted, as "METHOD path". */
export function acceptedWrites(requests) {
  return requests
    .filter((r) => r.method !== "GET" && r.status >= 200 && r.status < 300 && !r.path.endsWith("/search"))
    .map((r) => `${r.method} ${r.path}`);
}
