//! How WebKitGTK draws the window on Linux. Where the machine has no GPU that WebKit can
//! reach (no DRM render node, as in most virtual machines, remote desktops and virtual X
//! servers, or Mesa told to render in software), WebKit's GPU compositing runs on a
//! software GL rasteriser: every frame then costs tens of milliseconds of both cores and
//! the compositor's buffers add about a hundred megabytes. Painting on the CPU without
//! compositing is faster and lighter there, so that is chosen; with a GPU nothing changes.
//!
//! Without compositing, only the web process draws: the app's own process then needs no
//! EGL at all, yet WebKit still opened an EGL display in it. On a machine without a GPU
//! that loads Mesa's software rasteriser and LLVM: about 11 MB of private memory, and
//! the page started about 50 ms later for it. The app's process is therefore kept from
//! finding any EGL driver, while the web process, which cannot start without one, still
//! finds Mesa's.

use std::path::Path;

/// WebKitGTK's switch for turning its compositing off.
const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// GTK 3's switch for its OpenGL support, which `disable` turns off.
const GTK_GL: &str = "GDK_GL";

/// Where Linux lists the GPUs' device nodes.
const DRI: &str = "/dev/dri";

/// Turns WebKit's compositing, and with it GTK's OpenGL and this process's EGL, off where
/// there is no GPU for it. A choice already in the environment (either variable set, to
/// anything) is kept. Called first thing in `run`, before any thread starts, since it
/// changes the process's environment.
pub fn choose_compositing() {
    if std::env::var_os(DISABLE_COMPOSITING).is_some() {
        return;
    }
    let software = std::env::var("LIBGL_ALWAYS_SOFTWARE").ok();
    if gpu_missing(Path::new(DRI), software.as_deref()) {
        std::env::set_var(DISABLE_COMPOSITING, "1");
        if std::env::var_os(GTK_GL).is_none() {
            std::env::set_var(GTK_GL, "disable");
        }
        keep_egl_drivers_out();
    }
}

/// libglvnd's list of EGL driver files to load instead of the system's: set but empty,
/// it loads none.
const EGL_DRIVER_FILES: &str = "__EGL_VENDOR_LIBRARY_FILENAMES";

/// Has libglvnd, which dispatches EGL on Linux, settle on no driver for this process. It
/// reads the list once, at the first EGL call, and keeps what it found for the process's
/// life; the list is given for that call only, so processes started later, the web
/// process first, still find the system's drivers. An EGL without libglvnd ignores the
/// list and nothing changes.
fn keep_egl_drivers_out() {
    let before = std::env::var_os(EGL_DRIVER_FILES);
    std::env::set_var(EGL_DRIVER_FILES, "");
    // Asking for the client extensions is the lightest call that makes libglvnd load its
    // drivers; what it answers does not matter.
    let _ = khronos_egl::API.query_string(None, khronos_egl::EXTENSIONS);
    match before {
        Some(value) => std::env::set_var(EGL_DRIVER_FILES, value),
        None => std::env::remove_var(EGL_DRIVER_FILES),
    }
}

/// Whether GL would be rendered in software: no render node under `dri`, or Mesa's
/// `LIBGL_ALWAYS_SOFTWARE` set to a true value.
fn gpu_missing(dri: &Path, always_software: Option<&str>) -> bool {
    if always_software.is_some_and(|value| matches!(value.trim(), "1" | "true" | "yes")) {
        return true;
    }
    let Ok(entries) = std::fs::read_dir(dri) else {
        return true;
    };
    !entries
        .filter_map(Result::ok)
        .any(|entry| entry.file_name().to_string_lossy().starts_with("renderD"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_render_node_means_a_gpu_unless_mesa_is_told_otherwise() {
        let dri = tempfile::tempdir().unwrap();
        assert!(gpu_missing(&dri.path().join("absent"), None));
        assert!(gpu_missing(dri.path(), None));
        std::fs::write(dri.path().join("card0"), "").unwrap();
        assert!(
            gpu_missing(dri.path(), None),
            "a display card alone renders nothing"
        );
        std::fs::write(dri.path().join("renderD128"), "").unwrap();
        assert!(!gpu_missing(dri.path(), None));
        assert!(!gpu_missing(dri.path(), Some("0")));
        assert!(gpu_missing(dri.path(), Some("1")));
        assert!(gpu_missing(dri.path(), Some("true")));
    }
}
