//! How WebKitGTK draws the window on Linux. Where the machine has no GPU that WebKit can
//! reach (no DRM render node, as in most virtual machines, remote desktops and virtual X
//! servers, or Mesa told to render in software), WebKit's GPU compositing runs on a
//! software GL rasteriser: every frame then costs tens of milliseconds of both cores and
//! the compositor's buffers add about a hundred megabytes. Painting on the CPU without
//! compositing is faster and lighter there, so that is chosen; with a GPU nothing changes.

use std::path::Path;

/// WebKitGTK's switch for turning its compositing off.
const DISABLE_COMPOSITING: &str = "WEBKIT_DISABLE_COMPOSITING_MODE";

/// GTK 3's switch for its OpenGL support, which `disable` turns off.
const GTK_GL: &str = "GDK_GL";

/// Where Linux lists the GPUs' device nodes.
const DRI: &str = "/dev/dri";

/// Turns WebKit's compositing, and with it GTK's OpenGL, off where there is no GPU for
/// it. A choice already in the environment (either variable set, to anything) is kept.
/// Called first thing in `run`, before any thread starts, since it changes the process's
/// environment.
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
