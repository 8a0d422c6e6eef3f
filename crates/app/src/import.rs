//! `ecp import`: mbox files and Maildir (or plain) folders into a mailbox.
//! Each message's identity is the hash of its bytes, so running the same
//! import again (after an interruption, say) adds nothing twice.

use crate::error::AppError;
use crate::inbound::{Parsed, ProcessOutcome, Source};
use crate::{App, AppResult};
use ecp_domain::MailboxId;
use ecp_mail::mbox::MboxReader;
use ecp_store::mailboxes;
use ecp_store::raw_messages::RawId;
use sha2::{Digest, Sha256};
use std::path::{Path, PathBuf};
use tokio::sync::mpsc;

/// Messages stored and filed per transaction.
const BATCH: usize = 500;
const BATCH_BYTES: usize = 32 * 1024 * 1024;
/// Larger files are not mail; they are reported, not imported.
const MAX_MESSAGE_BYTES: u64 = 64 * 1024 * 1024;

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct ImportSummary {
    /// New messages filed into conversations.
    pub imported: u64,
    /// Already imported before (same bytes), or the same Message-ID is
    /// already in the mailbox.
    pub duplicates: u64,
    /// Kept and shown as unreadable messages.
    pub unparseable: u64,
    /// Files that could not be read, or were too large to be mail.
    pub skipped: u64,
}

/// What an import reports while it runs (for a progress bar).
#[derive(Debug, Clone)]
pub enum ImportEvent {
    /// How much work there is: messages for folders, bytes for an mbox.
    Total {
        units: u64,
        unit_is_bytes: bool,
    },
    Advanced {
        units: u64,
    },
    Skipped {
        path: PathBuf,
        reason: String,
    },
}

enum Item {
    Message(Box<Prepared>),
    Skipped { path: PathBuf, reason: String },
}

/// A message read, hashed and parsed by the reader thread, so that the
/// CPU work overlaps with the database writing the previous batch.
struct Prepared {
    bytes: Vec<u8>,
    sha256: String,
    parsed: Parsed,
    units: u64,
}

impl Prepared {
    fn item(bytes: Vec<u8>, units: u64) -> Item {
        let sha256 = hex::encode(Sha256::digest(&bytes));
        let parsed = crate::inbound::analyze(&bytes);
        Item::Message(Box::new(Prepared {
            bytes,
            sha256,
            parsed,
            units,
        }))
    }
}

impl App {
    /// Imports `path` into the mailbox (the operator's command: no user
    /// permissions apply, only that the mailbox exists).
    pub async fn import_path(
        &self,
        mailbox: MailboxId,
        path: &Path,
        progress: &(dyn Fn(ImportEvent) + Send + Sync),
    ) -> AppResult<ImportSummary> {
        {
            let mut c = self.db.read().await?;
            mailboxes::get_by_id(&mut c, mailbox)
                .await?
                .ok_or_else(|| {
                    AppError::invalid("mailbox", format!("There is no mailbox with id {mailbox}."))
                })?;
        }
        let meta = std::fs::metadata(path).map_err(|e| {
            AppError::invalid("path", format!("Can't read {}: {e}", path.display()))
        })?;
        let (tx, mut rx) = mpsc::channel::<Item>(BATCH);
        let root = path.to_path_buf();
        let reader = if meta.is_dir() {
            let files = collect_files(&root);
            progress(ImportEvent::Total {
                units: files.len() as u64,
                unit_is_bytes: false,
            });
            tokio::task::spawn_blocking(move || read_files(files, &tx))
        } else {
            progress(ImportEvent::Total {
                units: meta.len(),
                unit_is_bytes: true,
            });
            tokio::task::spawn_blocking(move || read_mbox_or_file(&root, &tx))
        };

        let mut summary = ImportSummary::default();
        let mut batch: Vec<Prepared> = Vec::new();
        let mut batch_bytes = 0usize;
        let mut batch_units = 0u64;
        while let Some(item) = rx.recv().await {
            match item {
                Item::Skipped { path, reason } => {
                    summary.skipped += 1;
                    progress(ImportEvent::Skipped { path, reason });
                }
                Item::Message(prepared) => {
                    batch_bytes += prepared.bytes.len();
                    batch_units += prepared.units;
                    batch.push(*prepared);
                    if batch.len() >= BATCH || batch_bytes >= BATCH_BYTES {
                        self.import_batch(mailbox, &mut batch, &mut summary).await?;
                        progress(ImportEvent::Advanced { units: batch_units });
                        batch_bytes = 0;
                        batch_units = 0;
                    }
                }
            }
        }
        self.import_batch(mailbox, &mut batch, &mut summary).await?;
        progress(ImportEvent::Advanced { units: batch_units });
        reader
            .await
            .map_err(|e| AppError::Internal(format!("import reader failed: {e}")))?;
        Ok(summary)
    }

    async fn import_batch(
        &self,
        mailbox: MailboxId,
        batch: &mut Vec<Prepared>,
        summary: &mut ImportSummary,
    ) -> AppResult<()> {
        if batch.is_empty() {
            return Ok(());
        }
        let sources: Vec<Source> = batch
            .iter()
            .map(|p| Source::Import {
                key: format!("sha256:{}", p.sha256),
            })
            .collect();
        let items: Vec<(&Source, &str, &[u8])> = batch
            .iter()
            .zip(&sources)
            .map(|(p, source)| (source, p.sha256.as_str(), p.bytes.as_slice()))
            .collect();
        let received = self.receive_many(mailbox, &items).await?;
        drop(items);
        let fresh: Vec<(RawId, Option<Parsed>)> = batch
            .drain(..)
            .zip(&received)
            .filter(|(_, r)| r.new)
            .map(|(p, r)| (r.raw_id, Some(p.parsed)))
            .collect();
        summary.duplicates += (received.len() - fresh.len()) as u64;
        for outcome in self.process_parsed(&fresh).await? {
            match outcome {
                ProcessOutcome::Filed { .. } => summary.imported += 1,
                ProcessOutcome::Duplicate { .. } | ProcessOutcome::AlreadyDone => {
                    summary.duplicates += 1
                }
                ProcessOutcome::Unparseable { .. } => summary.unparseable += 1,
            }
        }
        Ok(())
    }
}

/// Every message file under a folder: Maildir `cur`/`new` (and plain
/// folders of one-message files), skipping `tmp` (half-delivered) and
/// hidden files, in a stable order.
fn collect_files(root: &Path) -> Vec<PathBuf> {
    let mut out = Vec::new();
    let mut stack = vec![root.to_path_buf()];
    while let Some(dir) = stack.pop() {
        let Ok(entries) = std::fs::read_dir(&dir) else {
            continue;
        };
        for entry in entries.flatten() {
            let name = entry.file_name();
            let name = name.to_string_lossy();
            if name.starts_with('.') && !is_maildirpp_folder(&name) {
                continue;
            }
            let path = entry.path();
            match entry.file_type() {
                Ok(t) if t.is_dir() && name != "tmp" => stack.push(path),
                Ok(t) if t.is_file() && !is_maildir_metadata(&name) => out.push(path),
                _ => {}
            }
        }
    }
    out.sort();
    out
}

/// Maildir++ subfolders (`.Sent`, `.Archive`) hold mail too.
fn is_maildirpp_folder(name: &str) -> bool {
    name.len() > 1 && !name.contains('/')
}

fn is_maildir_metadata(name: &str) -> bool {
    name.starts_with("dovecot")
        || name == "maildirfolder"
        || name == "subscriptions"
        || name == "cmds"
}

fn read_files(files: Vec<PathBuf>, tx: &mpsc::Sender<Item>) {
    for path in files {
        let item = match std::fs::metadata(&path) {
            Ok(m) if m.len() > MAX_MESSAGE_BYTES => Item::Skipped {
                path,
                reason: format!("larger than {} MB", MAX_MESSAGE_BYTES / 1024 / 1024),
            },
            Ok(m) if m.len() == 0 => Item::Skipped {
                path,
                reason: "empty file".into(),
            },
            _ => match std::fs::read(&path) {
                Ok(bytes) => Prepared::item(bytes, 1),
                Err(e) => Item::Skipped {
                    path,
                    reason: e.to_string(),
                },
            },
        };
        if tx.blocking_send(item).is_err() {
            return;
        }
    }
}

fn read_mbox_or_file(path: &Path, tx: &mpsc::Sender<Item>) {
    let file = match std::fs::File::open(path) {
        Ok(f) => f,
        Err(e) => {
            let _ = tx.blocking_send(Item::Skipped {
                path: path.to_path_buf(),
                reason: e.to_string(),
            });
            return;
        }
    };
    let mut buffered = std::io::BufReader::with_capacity(1 << 20, file);
    // A lone message (.eml) is not mbox even if its body has a line that
    // starts with "From ": only split files that begin with a separator.
    let is_mbox = std::io::BufRead::fill_buf(&mut buffered).is_ok_and(|b| b.starts_with(b"From "));
    if !is_mbox {
        read_files(vec![path.to_path_buf()], tx);
        return;
    }
    let mut reader = MboxReader::new(buffered);
    loop {
        match reader.next_message() {
            Ok(Some(bytes)) => {
                let units = bytes.len() as u64;
                if tx.blocking_send(Prepared::item(bytes, units)).is_err() {
                    return;
                }
            }
            Ok(None) => return,
            Err(e) => {
                let _ = tx.blocking_send(Item::Skipped {
                    path: path.to_path_buf(),
                    reason: e.to_string(),
                });
                return;
            }
        }
    }
}
