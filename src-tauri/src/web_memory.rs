//! A memory budget for the page's web process, on Linux. WebKitGTK trims a web process
//! (collects its JavaScript garbage, drops compiled code and caches, and hands freed pages
//! back to the system) only when it nears a limit that by default is the machine's RAM, up
//! to 3 GB: in practice never. After a scroll through 100,000 contacts the web process held
//! 40–70 MB more than at start long after the scroll ended, although the page's live
//! JavaScript heap was back to a few tens of megabytes. WebKit's memory-pressure settings
//! let an app set that limit, but only when the web context is made, and the webview layer
//! makes it without asking; so the app has WebKit's context class fill the settings in
//! for every context made without them.
#![allow(unsafe_code)]

use std::ffi::{c_uint, CStr};
use std::sync::OnceLock;

use glib_sys::GType;
use gobject_sys::{GObject, GObjectClass, GObjectConstructParam};

/// The web process's budget in MB; the thresholds below are fractions of it.
const LIMIT_MB: c_uint = 160;

/// Above 72 MB of its own anonymous memory, the web process drops caches at each check.
const CONSERVATIVE: f64 = 0.45;

/// Above 80 MB, it also collects garbage, drops compiled code and returns freed pages.
/// At a 1280×800 window the web process holds 50 MB at start, 68–76 MB after a search and
/// 63–82 MB once trimmed after a scroll, about 12 MB of it libraries' relocated pages,
/// which WebKit does not count here.
const STRICT: f64 = 0.5;

/// How often, in seconds, the web process checks its memory (WebKit's default is 30 s):
/// often enough that a burst is trimmed within seconds of ending.
const POLL_SECONDS: f64 = 5.0;

/// The construct-only property of `WebKitWebContext` that carries the settings.
const SETTINGS_PROPERTY: &[u8] = b"memory-pressure-settings";

/// `GObjectClass::constructor` as WebKit's context class had it before.
type Constructor = unsafe extern "C" fn(GType, c_uint, *mut GObjectConstructParam) -> *mut GObject;

static WEBKIT_CONSTRUCTOR: OnceLock<Constructor> = OnceLock::new();

/// Gives every web context made from now on the app's memory budget, unless whoever makes
/// it chose settings of its own. Called on the main thread before the first webview.
pub fn budget_web_process_memory() {
    // SAFETY: the class pointer comes from GObject for WebKit's registered context type and
    // is kept referenced for the process's life; it is changed on the main thread, which
    // is the only thread that makes web contexts, before any is made.
    unsafe {
        let class = gobject_sys::g_type_class_ref(webkit2gtk_sys::webkit_web_context_get_type())
            .cast::<GObjectClass>();
        if let Some(original) = (*class).constructor {
            if WEBKIT_CONSTRUCTOR.set(original).is_ok() {
                (*class).constructor = Some(construct_with_budget);
            }
        }
    }
}

/// WebKit's context constructor, with the budget put in the settings property when it
/// was left unset. GObject hands a custom constructor every construct property, those not
/// given holding their default (here no settings).
unsafe extern "C" fn construct_with_budget(
    type_: GType,
    count: c_uint,
    params: *mut GObjectConstructParam,
) -> *mut GObject {
    // SAFETY: GObject passes `count` valid parameters, each with its property's spec and
    // a value of that property's type, which for the settings property is a boxed
    // `WebKitMemoryPressureSettings`; the value takes ownership of the settings made here.
    unsafe {
        for param in std::slice::from_raw_parts(params, count as usize) {
            let name = CStr::from_ptr((*param.pspec).name);
            if name.to_bytes() == SETTINGS_PROPERTY
                && gobject_sys::g_value_get_boxed(param.value).is_null()
            {
                gobject_sys::g_value_take_boxed(param.value, budget().cast());
            }
        }
        let Some(original) = WEBKIT_CONSTRUCTOR.get() else {
            std::process::abort();
        };
        original(type_, count, params)
    }
}

/// New memory-pressure settings holding the budget, owned by the caller. Made through the
/// C API: the `webkit2gtk` crate's wrapper panics unless GTK is initialised, which would
/// abort inside a constructor called from C, and which the unit tests, without a display,
/// cannot do.
unsafe fn budget() -> *mut webkit2gtk_sys::WebKitMemoryPressureSettings {
    // SAFETY: plain calls on settings just made; the kill threshold is left at its
    // default, off, so WebKit never ends the page for its memory.
    unsafe {
        let settings = webkit2gtk_sys::webkit_memory_pressure_settings_new();
        webkit2gtk_sys::webkit_memory_pressure_settings_set_memory_limit(settings, LIMIT_MB);
        webkit2gtk_sys::webkit_memory_pressure_settings_set_conservative_threshold(
            settings,
            CONSERVATIVE,
        );
        webkit2gtk_sys::webkit_memory_pressure_settings_set_strict_threshold(settings, STRICT);
        webkit2gtk_sys::webkit_memory_pressure_settings_set_poll_interval(settings, POLL_SECONDS);
        settings
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_budget_holds_the_chosen_limit_and_thresholds() {
        // SAFETY: reads of settings made here, freed once read.
        unsafe {
            let settings = budget();
            assert_eq!(
                webkit2gtk_sys::webkit_memory_pressure_settings_get_memory_limit(settings),
                LIMIT_MB
            );
            assert_eq!(
                webkit2gtk_sys::webkit_memory_pressure_settings_get_conservative_threshold(
                    settings
                ),
                CONSERVATIVE
            );
            assert_eq!(
                webkit2gtk_sys::webkit_memory_pressure_settings_get_strict_threshold(settings),
                STRICT
            );
            assert_eq!(
                webkit2gtk_sys::webkit_memory_pressure_settings_get_poll_interval(settings),
                POLL_SECONDS
            );
            assert_eq!(
                webkit2gtk_sys::webkit_memory_pressure_settings_get_kill_threshold(settings),
                0.0
            );
            webkit2gtk_sys::webkit_memory_pressure_settings_free(settings);
        }
    }

    #[test]
    fn web_contexts_are_made_through_the_budgeting_constructor() {
        budget_web_process_memory();
        // SAFETY: the class is referenced for the process's life. A context itself cannot
        // be made here: WebKit needs a display for it, which the window bench has.
        unsafe {
            let class =
                gobject_sys::g_type_class_peek(webkit2gtk_sys::webkit_web_context_get_type())
                    .cast::<GObjectClass>();
            assert_eq!(
                (*class).constructor.map(|f| f as usize),
                Some(construct_with_budget as Constructor as usize)
            );
        }
    }
}
