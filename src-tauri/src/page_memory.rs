//! How much garbage the page's JavaScript may leave before it is collected, on Linux.
//! WebKitGTK's engine, JavaScriptCore, picks its heap growth from the machine's RAM: from
//! 16 GB up it lets the heap grow far further between collections, trading memory for
//! speed. The page's live heap is about 11 MB, but every list page read and every row
//! drawn leaves garbage: with that growth the web process kept about 100 MB more after
//! scrolling 100,000 contacts, and the list was no faster for it. The page therefore gets
//! the growth JavaScriptCore uses on smaller machines, whatever the RAM.
//!
//! Whatever the growth, JavaScriptCore also lets the heap reach 32 MB before a full
//! collection and sizes its quick collections from that floor. For the page that meant
//! about 65 MB of heap, mostly old rows, between full collections while scrolling. With
//! a floor of 8 MB the heap follows what is live instead and peaks at about 36 MB; the
//! web process kept about 5 MB less after the scroll, and keystrokes were as fast.

/// JavaScriptCore's options, read from the environment by every web process the app
/// starts, with the values the page gets: the RAM from which the heap grows aggressively
/// (in MB; 1 PiB, which no machine has, so the growth is never the aggressive one), and
/// the heap size below which no full collection is due (in bytes; 8 MiB).
const OPTIONS: [(&str, &str); 2] = [
    ("JSC_aggressiveHeapThresholdInMB", "1073741824"),
    ("JSC_largeHeapSize", "8388608"),
];

/// Keeps the page's heap moderate on every machine. A choice already in the environment
/// is kept. Called first thing in `run`, before any thread starts, since it changes the
/// process's environment, and before the web process exists, which inherits it.
pub fn moderate_heap_growth() {
    for (option, value) in OPTIONS {
        if std::env::var_os(option).is_none() {
            std::env::set_var(option, value);
        }
    }
}
