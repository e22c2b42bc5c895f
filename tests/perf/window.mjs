// Measures the window on a large cached location: start to first rows (the median of
// several launches), keystroke to updated rows (in the DOM and painted), what the web
// process keeps of the answers it reads, memory of the app and its WebKit processes before
// and after scrolling through the whole list, and the number of rows in the DOM.
// Run by scripts/bench-window.sh, which builds the release app and the cache.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { launchApp } from "../e2e/driver.mjs";

const dataDir = process.argv[2];
if (!dataDir) throw new Error("usage: node tests/perf/window.mjs <data folder with a cache>");

/** Private dirty, proportional, unique and resident set sizes in MB of one process, from /proc. */
function memoryOf(pid) {
  const fields = {};
  for (const line of readFileSync(`/proc/${pid}/smaps_rollup`, "utf8").split("\n")) {
    const match = line.match(/^(\w+):\s+(\d+) kB/);
    if (match) fields[match[1]] = Number(match[2]) / 1024;
  }
  return {
    dirty: fields.Private_Dirty ?? 0,
    pss: fields.Pss ?? 0,
    uss: (fields.Private_Clean ?? 0) + (fields.Private_Dirty ?? 0),
    rss: fields.Rss ?? 0,
  };
}

/** Memory of the app and its WebKit processes, by process name and in total. */
function memory(app) {
  const total = { dirty: 0, pss: 0, uss: 0, rss: 0 };
  const parts = [];
  for (const pid of app.processes()) {
    let name;
    try {
      name = readFileSync(`/proc/${pid}/comm`, "utf8").trim();
    } catch {
      continue;
    }
    // The driver the benchmark runs through is not part of the app.
    if (!/ghl-desk|WebKit/.test(name) || name === "WebKitWebDriver") continue;
    const used = memoryOf(pid);
    parts.push(`${name} ${used.dirty.toFixed(0)}`);
    for (const key of Object.keys(total)) total[key] += used[key];
  }
  return { ...total, parts: parts.join(", ") };
}

function percentile(values, p) {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(p * sorted.length))];
}

const mb = (m) =>
  `private dirty ${m.dirty.toFixed(0)} MB (${m.parts}); PSS ${m.pss.toFixed(0)} MB, USS ${m.uss.toFixed(0)} MB, RSS ${m.rss.toFixed(0)} MB`;

/** When process `pid` started, in epoch milliseconds (its age from /proc, in ticks of 10 ms). */
function startedAt(pid) {
  const uptime = Number(readFileSync("/proc/uptime", "utf8").split(" ")[0]);
  const ticks = Number(readFileSync(`/proc/${pid}/stat`, "utf8").split(") ")[1].split(" ")[19]);
  return Date.now() - (uptime - ticks / 100) * 1000;
}

/**
 * When the first rows of `app` were in the page and then painted, and when the page
 * started, in ms from the app process's start.
 */
async function startOf(app) {
  const [firstRows, firstPainted, pageStart] = await app.browser.executeAsync((done) => {
    const check = () => {
      const mark = performance.getEntriesByName("ghl-desk:first-rows")[0];
      const painted = performance.getEntriesByName("ghl-desk:first-rows-painted")[0];
      if (mark && painted)
        done([performance.timeOrigin + mark.startTime, performance.timeOrigin + painted.startTime, performance.timeOrigin]);
      else setTimeout(check, 20);
    };
    check();
  });
  const processStart = startedAt(app.pid());
  return { rows: firstRows - processStart, painted: firstPainted - processStart, page: pageStart - processStart };
}

// One start says little on a shared machine: the app is started several times (the
// last one stays open for the rest), and the figures are the median and the range.
const STARTS = Number(process.env.GHL_DESK_BENCH_STARTS ?? 7);
const starts = [];
for (let i = 1; i < STARTS; i += 1) {
  const warmup = await launchApp({ dataDir, autoRendering: true });
  try {
    starts.push(await startOf(warmup));
  } finally {
    await warmup.close();
  }
}
const app = await launchApp({ dataDir, autoRendering: true });
const { browser } = app;
await browser.setTimeout({ script: 600_000 });
try {
  starts.push(await startOf(app));
  const count = await browser.$("[data-testid=contact-count]").getText();
  const spread = (key) => {
    const values = starts.map((start) => start[key]);
    return `${Math.round(percentile(values, 0.5))} ms (${Math.round(Math.min(...values))}–${Math.round(Math.max(...values))})`;
  };
  console.log(
    `start over ${starts.length} launches (${count}), median (range) from the process's start: first rows in the page ${spread("rows")}, painted ${spread("painted")}; the page itself started at ${spread("page")}`,
  );
  await browser.pause(1000);
  const atStart = memory(app);
  console.log(`memory at start: ${mb(atStart)}`);

  // Each keystroke alone, timed inside the page from keydown to the rows changing
  // (DOM) and to the frame after (painted).
  await browser.execute(() => {
    const perf = { samples: [], started: 0, waiting: false };
    window.__perf = perf;
    const input = document.querySelector("[data-testid=contact-search]");
    const list = document.querySelector("[data-testid=contact-rows]");
    input.addEventListener(
      "keydown",
      () => {
        perf.started = performance.now();
        perf.waiting = true;
      },
      true,
    );
    // Held by the page: an observer nothing refers to may be collected mid-run.
    perf.observer = new MutationObserver(() => {
      if (!perf.waiting) return;
      perf.waiting = false;
      const dom = performance.now() - perf.started;
      requestAnimationFrame(() =>
        setTimeout(() => perf.samples.push({ dom, painted: performance.now() - perf.started }), 0),
      );
    });
    perf.observer.observe(list, { childList: true, subtree: true, characterData: true });
  });
  await browser.$("[data-testid=contact-search]").click();
  // Keys are typed as real X key events, the way a keyboard sends them: WebDriver's key
  // actions go through the automation session and hold up the page on their own.
  const appWindow = execFileSync("xdotool", ["search", "--name", "^GHL Desk$"]).toString().trim().split("\n").at(-1);
  execFileSync("xdotool", ["windowfocus", "--sync", appWindow]);
  let unchanged = 0;
  let typed = "";
  const press = async (key) => {
    const before = await browser.execute(() => window.__perf.samples.length);
    typed = key === "Backspace" ? typed.slice(0, -1) : typed + key;
    execFileSync("xdotool", ["key", key === "Backspace" ? "BackSpace" : key]);
    // A key the box never got would pass for one that left the rows unchanged, and the
    // figures would come from whatever keys did arrive: stop instead.
    const boxValue = () => browser.execute(() => document.querySelector("[data-testid=contact-search]").value);
    try {
      await browser.waitUntil(async () => (await boxValue()) === typed, { timeout: 2000 });
    } catch {
      throw new Error(`the search box did not get "${key}": it holds "${await boxValue()}", not "${typed}"`);
    }
    try {
      await browser.waitUntil(async () => (await browser.execute(() => window.__perf.samples.length)) > before, {
        timeout: 1000,
      });
    } catch {
      unchanged += 1;
      await browser.execute(() => {
        window.__perf.waiting = false;
      });
    }
  };
  // Names the seeded location has, typed letter by letter and deleted again.
  const words = ["mary", "smith", "john", "garcia", "lee", "anthony", "william", "davis"];
  for (const word of words) {
    for (const char of word) await press(char);
    for (const _ of word) await press("Backspace");
  }
  const samples = await browser.execute(() => window.__perf.samples);
  const dom = samples.map((s) => s.dom);
  const painted = samples.map((s) => s.painted);
  console.log(
    `keystroke to rows (${samples.length} of ${samples.length + unchanged} keystrokes; the other ${unchanged} gave the same rows as the key before): DOM p50 ${percentile(dom, 0.5).toFixed(1)} ms, p95 ${percentile(dom, 0.95).toFixed(1)} ms; painted p50 ${percentile(painted, 0.5).toFixed(1)} ms, p95 ${percentile(painted, 0.95).toFixed(1)} ms`,
  );
  console.log(`memory after typing: ${mb(memory(app))}`);

  // The same searches as bare calls from the page: what the round trip to Rust costs.
  const calls = await browser.executeAsync(async (words, done) => {
    const times = [];
    for (const word of words) {
      for (let i = 1; i <= word.length; i += 1) {
        const query = { search: word.slice(0, i), tag: null, businessId: null, sort: "name", reverse: false, offset: 0, limit: 100 };
        const started = performance.now();
        await window.__TAURI_INTERNALS__.invoke("list_contacts", { query });
        times.push(performance.now() - started);
      }
    }
    done(times);
  }, words);
  console.log(
    `list_contacts called from the page (${calls.length} searches): p50 ${percentile(calls, 0.5).toFixed(1)} ms, p95 ${percentile(calls, 0.95).toFixed(1)} ms`,
  );

  // Scroll through the whole list 20 screens at a time, twice: as a drag of the scroll
  // bar (a frame at each stop) and as someone reading (each stop until its rows are
  // shown), counting the list's reads. The garbage a scroll leaves depends on its pace.
  const scrollThrough = (reading) =>
    browser.executeAsync((reading, done) => {
      // Commands reach the app as requests to its IPC scheme, one per call.
      const fetch = window.fetch;
      let reads = 0;
      window.fetch = (url, ...rest) => {
        if (String(url).includes("list_contacts")) reads += 1;
        return fetch(url, ...rest);
      };
      const list = document.querySelector("[data-testid=contact-rows]");
      let most = 0;
      const shown = () => document.querySelectorAll("[data-testid=contact-rows] .row:not([data-id])").length === 0;
      const finish = () => {
        if (!shown()) return setTimeout(finish, 20);
        window.fetch = fetch;
        done({ rows: most, reads });
      };
      const step = () => {
        if (reading && !shown()) return setTimeout(step, 5);
        most = Math.max(most, document.querySelectorAll("[data-testid=contact-rows] .row").length);
        if (list.scrollTop + list.clientHeight >= list.scrollHeight - 1) return finish();
        list.scrollTop += list.clientHeight * 20;
        requestAnimationFrame(() => setTimeout(step, 0));
      };
      list.scrollTop = 0;
      requestAnimationFrame(() => setTimeout(step, 0));
    }, reading);
  for (const [reading, how] of [
    [false, "dragging the scroll bar"],
    [true, "reading each stop"],
  ]) {
    const scrolled = await scrollThrough(reading);
    await browser.pause(1500);
    const last = await browser.$("[data-testid=contact-rows] .row[data-id]:last-of-type").isExisting();
    console.log(
      `scrolled to the end ${how}: ${scrolled.reads} pages read, at most ${scrolled.rows} rows in the DOM (last row shown: ${last})`,
    );
    console.log(`memory after scrolling to the end: ${mb(memory(app))}`);
    // WebKit frees what the scroll left behind once the page has been idle for a while.
    await browser.pause(10_000);
    console.log(`memory 10 s later: ${mb(memory(app))}`);
  }

  // What the web process keeps of the answers it reads: pages of 100 rows read from the
  // page with nothing drawn, so that the growth is the transport's, not the list's.
  const webProcess = () => {
    const pid = app.processes().find((p) => {
      try {
        return readFileSync(`/proc/${p}/comm`, "utf8").trim().startsWith("WebKitWebProces");
      } catch {
        return false;
      }
    });
    return pid ? memoryOf(pid).dirty : 0;
  };
  const reads = 1000;
  const before = webProcess();
  const bytes = await browser.executeAsync(async (reads, done) => {
    let size = 0;
    for (let i = 0; i < reads; i += 1) {
      const query = { search: null, tag: null, businessId: null, sort: "name", reverse: false, offset: (i * 997) % 99_900, limit: 100 };
      size += JSON.stringify(await window.__TAURI_INTERNALS__.invoke("list_contacts", { query })).length;
    }
    done(size);
  }, reads);
  await browser.pause(3000);
  const kept = webProcess() - before;
  await browser.pause(10_000);
  const later = webProcess() - before;
  console.log(
    `web process after ${reads} more pages of 100 rows read (${(bytes / reads / 1024).toFixed(0)} KB of JSON each): +${kept.toFixed(0)} MB private dirty (${((kept * 1024) / reads).toFixed(0)} KB a page), +${later.toFixed(0)} MB 10 s later`,
  );
  await app.screenshot("bench-window-end");
} finally {
  await app.close();
}
