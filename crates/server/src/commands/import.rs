//! `ecp import --mailbox ID PATH`: a progress bar on stderr while it runs,
//! a one-line summary on stdout at the end.

use crate::cli::ImportArgs;
use crate::failure::Failure;
use ecp_app::App;
use ecp_app::import::ImportEvent;
use ecp_domain::MailboxId;
use indicatif::{ProgressBar, ProgressStyle};

pub async fn run(app: &App, args: &ImportArgs) -> Result<(), Failure> {
    let bar = ProgressBar::hidden();
    let started = std::time::Instant::now();
    let progress = |event: ImportEvent| match event {
        ImportEvent::Total {
            units,
            unit_is_bytes,
        } => {
            bar.set_draw_target(indicatif::ProgressDrawTarget::stderr());
            bar.set_length(units);
            let template = if unit_is_bytes {
                "{spinner} {bar:40} {bytes}/{total_bytes} ({eta} left)"
            } else {
                "{spinner} {bar:40} {pos}/{len} messages ({per_sec}, {eta} left)"
            };
            if let Ok(style) = ProgressStyle::with_template(template) {
                bar.set_style(style);
            }
        }
        ImportEvent::Advanced { units } => bar.inc(units),
        ImportEvent::Skipped { path, reason } => {
            bar.suspend(|| eprintln!("skipped {}: {reason}", path.display()));
        }
    };
    let summary = app
        .import_path(MailboxId(args.mailbox), &args.path, &progress)
        .await;
    bar.finish_and_clear();
    let summary = summary?;
    println!(
        "imported {}, duplicates {}, unreadable (kept) {}, skipped {} in {:.1} s",
        summary.imported,
        summary.duplicates,
        summary.unparseable,
        summary.skipped,
        started.elapsed().as_secs_f64()
    );
    Ok(())
}
