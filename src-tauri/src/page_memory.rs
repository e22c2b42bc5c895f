//! How much garbage the page's JavaScript may leave before it is collected, on Linux.
//! WebKitGTK's engine, JavaScriptCore, picks its heap growth from the machine's RAM: from
//! 16 GB up it lets the heap grow far further between collections, trading memory for
//! speed. The page's live heap is a few tens of megabytes, but every list page read and
//! every row drawn leaves garbage: with that growth the web process kept about 100 MB more
//! after scrolling 100,000 contacts, and the list was no faster for it. The page therefore
//! gets the growth JavaScriptCore uses on smaller machines, whatever the RAM.

/// JavaScriptCore's option (read from the environment by every web process the app
/// starts) for the RAM from which the heap grows aggressively, in MB.
const AGGRESSIVE_HEAP_FROM: &str = "JSC_aggressiveHeapThresholdInMB";

/// A RAM size no machine has (1 PiB, in MB), so the growth is never the aggressive one.
const NEVER: &str = "1073741824";

/// Keeps the page's heap growth moderate on every machine. A choice already in the
/// environment is kept. Called first thing in `run`, before any thread starts, since it
/// changes the process's environment, and before the web process exists, which inherits it.
pub fn moderate_heap_growth() {
    if std::env::var_os(AGGRESSIVE_HEAP_FROM).is_none() {
        std::env::set_var(AGGRESSIVE_HEAP_FROM, NEVER);
    }
}
