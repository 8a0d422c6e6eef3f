//! Third-party mail corpora on this machine (the mail-parser crate's test
//! messages, CPython's email test data). Missing corpora fail the run: a
//! silently skipped corpus test is a test that never runs.
#![allow(clippy::expect_used, clippy::unwrap_used)]
use std::path::{Path, PathBuf};
use std::process::Command;

/// `resources/` of the mail-parser crate this workspace resolved.
pub fn mail_parser_resources() -> PathBuf {
    let out = Command::new(env!("CARGO"))
        // Not --offline: a dependency another crate just added may not be
        // fetched yet, and metadata resolves the whole workspace.
        .args(["metadata", "--format-version", "1"])
        .current_dir(env!("CARGO_MANIFEST_DIR"))
        .output()
        .expect("cargo metadata runs");
    assert!(
        out.status.success(),
        "cargo metadata failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let meta: serde_json::Value = serde_json::from_slice(&out.stdout).expect("cargo metadata JSON");
    let pkg = meta["packages"]
        .as_array()
        .expect("packages")
        .iter()
        .find(|p| p["name"] == "mail-parser")
        .expect("mail-parser is in the dependency graph");
    assert_eq!(
        pkg["version"], "0.11.9",
        "corpus expectations were recorded for 0.11.9"
    );
    let manifest = PathBuf::from(pkg["manifest_path"].as_str().expect("manifest_path"));
    let dir = manifest.parent().expect("crate dir").join("resources");
    assert!(
        dir.is_dir(),
        "mail-parser corpus missing at {}",
        dir.display()
    );
    dir
}

/// CPython's `test/test_email/data`.
pub fn cpython_email_data() -> PathBuf {
    let out = Command::new("python3")
        .args([
            "-c",
            "import test, os; print(os.path.dirname(test.__file__))",
        ])
        .output()
        .expect("python3 runs (needed for the CPython email corpus)");
    assert!(
        out.status.success(),
        "python3 has no test package: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let dir = PathBuf::from(String::from_utf8_lossy(&out.stdout).trim())
        .join("test_email")
        .join("data");
    assert!(
        dir.is_dir(),
        "CPython email corpus missing at {}",
        dir.display()
    );
    dir
}

/// Every regular file below `dir`, sorted for stable reports.
pub fn files_under(dir: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![dir.to_path_buf()];
    while let Some(d) = stack.pop() {
        for entry in std::fs::read_dir(&d).expect("readable corpus dir") {
            let path = entry.expect("dir entry").path();
            if path.is_dir() {
                stack.push(path);
            } else {
                out.push(path);
            }
        }
    }
    out.sort();
    out
}
