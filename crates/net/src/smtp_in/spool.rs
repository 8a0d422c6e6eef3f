//! The spool: DATA goes to a temporary file, never whole into memory. The
//! file is removed when its handle is dropped, whatever happened (client
//! vanished, size exceeded, delivery failed, task aborted at shutdown), unless
//! the sink took it over with [`SpooledMessage::persist`].

use std::io;
use std::path::{Path, PathBuf};

use tokio::io::AsyncWriteExt;

/// A received message, dot-unstuffed, exactly as the client meant it.
#[derive(Debug)]
pub struct SpooledMessage {
    path: PathBuf,
    size: u64,
    owned: bool,
}

impl SpooledMessage {
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Length in bytes.
    pub fn size(&self) -> u64 {
        self.size
    }

    pub async fn read_to_vec(&self) -> io::Result<Vec<u8>> {
        tokio::fs::read(&self.path).await
    }

    pub async fn open(&self) -> io::Result<tokio::fs::File> {
        tokio::fs::File::open(&self.path).await
    }

    /// Renames the file to `dest` (same filesystem) and gives up ownership:
    /// it is no longer removed on drop.
    pub async fn persist(mut self, dest: &Path) -> io::Result<()> {
        tokio::fs::rename(&self.path, dest).await?;
        self.owned = false;
        Ok(())
    }
}

impl Drop for SpooledMessage {
    fn drop(&mut self) {
        if self.owned {
            // A quick unlink; an async drop does not exist. Failure only
            // leaves a stray file in the spool directory.
            if let Err(e) = std::fs::remove_file(&self.path)
                && e.kind() != io::ErrorKind::NotFound
            {
                tracing::warn!(path = %self.path.display(), error = %e, "cannot remove spool file");
            }
        }
    }
}

/// A spool file being written; dropping it unfinished removes the file.
pub(super) struct SpoolWriter {
    file: tokio::fs::File,
    message: SpooledMessage,
}

impl SpoolWriter {
    pub(super) async fn create(dir: &Path, name: &str) -> io::Result<Self> {
        let path = dir.join(format!("{name}.eml"));
        let file = tokio::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)
            .await?;
        Ok(Self {
            file,
            message: SpooledMessage {
                path,
                size: 0,
                owned: true,
            },
        })
    }

    pub(super) async fn write(&mut self, bytes: &[u8]) -> io::Result<()> {
        self.file.write_all(bytes).await?;
        self.message.size += bytes.len() as u64;
        Ok(())
    }

    pub(super) async fn finish(mut self) -> io::Result<SpooledMessage> {
        self.file.flush().await?;
        Ok(self.message)
    }
}
