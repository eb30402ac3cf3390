//! [`FileStore`]: the embedded default store, one file per record in a directory the app
//! gives it, committed with write-to-temporary, fsync, rename, fsync-directory.
//!
//! ```text
//! <dir>/zhengzhao-store                 marker: format version, mode, key check
//! <dir>/credentials/<id>.rec            one record per credential (all its batch copies)
//! <dir>/disclosure-log/<id>.rec         one record per disclosed document
//! <dir>/keys/<alias>.rec                sealed software keys
//!
//! record  = "ZZR" 0x01 ‖ mode ‖ body
//! mode 0  : body = payload ‖ SHA-256(label ‖ place ‖ payload)          (checksum)
//! mode 1  : body = nonce(12) ‖ AES-256-GCM(payload, aad = place) ‖ tag  (encryption at rest)
//! place   = "ZZR" 0x01 ‖ mode ‖ collection name ‖ 0x00 ‖ record id
//! ```

use std::fmt;
use std::fs::{self, OpenOptions};
use std::io::{ErrorKind, Read, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use zeroize::Zeroizing;

use super::seal;
use super::store::{Collection, CredentialStore, RecordId, StoreError, StoreKey, MAX_RECORD_LEN};

/// The marker file's name.
const MARKER: &str = "zhengzhao-store";
/// The marker's first bytes: format version 1.
const MARKER_MAGIC: &[u8; 8] = b"ZZSTORE\x01";
/// A record's first bytes: record format version 1.
const RECORD_MAGIC: &[u8; 4] = b"ZZR\x01";
/// Records carry a checksum.
const MODE_CHECKSUM: u8 = 0;
/// Records are encrypted (AES-256-GCM).
const MODE_AEAD: u8 = 1;
/// A committed record's file name ends with this.
const RECORD_SUFFIX: &str = ".rec";
/// An uncommitted temporary file's name starts with `.` and ends with this.
const TEMP_SUFFIX: &str = ".tmp";
/// HKDF label of the record-encryption key.
const RECORD_KEY_LABEL: &str = "zhengzhao file store records v1";
/// HKDF label of the key-check value in the marker.
const KEY_CHECK_LABEL: &str = "zhengzhao file store key check v1";
/// Length of the checksum of a record without encryption.
const CHECKSUM_LEN: usize = 32;
/// Bytes a record file adds to its payload: magic, mode, and the checksum or nonce and tag.
const RECORD_OVERHEAD: usize = 5 + if CHECKSUM_LEN > seal::NONCE_LEN + seal::TAG_LEN {
    CHECKSUM_LEN
} else {
    seal::NONCE_LEN + seal::TAG_LEN
};

/// Makes temporary file names unique within the process (the process id makes them unique
/// across processes).
static TEMP_COUNTER: AtomicU64 = AtomicU64::new(0);

/// The embedded default [`CredentialStore`]: a directory of files, one per record.
///
/// * **Atomic commits.** A record is written to a temporary file in its collection's
///   directory, the file is `fsync`ed, renamed over the record's name and the directory is
///   `fsync`ed; only then does [`put`](CredentialStore::put) return `Ok`. A crash at any
///   instant leaves the old record or the new one, never a partial one; temporaries left by
///   a crash are removed when the store is opened.
/// * **Damage stays local.** Every record carries a SHA-256 checksum, or with encryption an
///   AES-GCM tag, over its contents *and its place* (collection and identifier): a damaged,
///   truncated or moved record is [`StoreError::Corrupted`] and the others stay readable.
/// * **Encryption at rest** ([`FileStore::open_encrypted`]): AES-256-GCM under a key derived
///   from the host's [`StoreKey`]; a fresh random nonce per record. The marker file records
///   whether a store is encrypted and a key-check value, so the wrong key is
///   [`StoreError::WrongKey`] rather than every record looking damaged.
/// * **Threads.** Every method may be called from many threads at once; each commit uses its
///   own temporary file, and concurrent commits of one record are each atomic (the last
///   rename wins).
/// * **Processes.** One process at a time. Two processes on one directory never see a torn
///   record (each commit is still an atomic rename), but read-modify-write sequences (the
///   wallet marking a batch copy used) can lose the other process's update, and opening the
///   store removes temporary files, failing (with an error, not silently) a commit another
///   process has in flight. Apps with extensions (share sheets, widgets) should give each
///   process its own directory or route wallet calls through one process.
///
/// File names hold only record identifiers (random, or a time and a random suffix); nothing
/// personal. On Unix the directory is `fsync`ed after renames and deletions; elsewhere that
/// step is skipped (the platform offers no portable way).
pub struct FileStore {
    root: PathBuf,
    record_key: Option<Zeroizing<[u8; 32]>>,
}

impl fmt::Debug for FileStore {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.debug_struct("FileStore")
            .field("encrypted", &self.record_key.is_some())
            .finish_non_exhaustive()
    }
}

impl FileStore {
    /// Opens (creating if needed) a store without encryption at rest in `dir`. Records carry a
    /// checksum. An encrypted store is [`StoreError::KeyRequired`].
    pub fn open(dir: impl AsRef<Path>) -> Result<Self, StoreError> {
        Self::open_with(dir.as_ref(), None)
    }

    /// Opens (creating if needed) a store in `dir` whose records are encrypted with
    /// AES-256-GCM under `key`. A store created without encryption is
    /// [`StoreError::NotEncrypted`]; one created under another key is [`StoreError::WrongKey`].
    pub fn open_encrypted(dir: impl AsRef<Path>, key: &StoreKey) -> Result<Self, StoreError> {
        Self::open_with(dir.as_ref(), Some(key))
    }

    /// Whether records are encrypted at rest.
    pub fn is_encrypted(&self) -> bool {
        self.record_key.is_some()
    }

    fn open_with(dir: &Path, key: Option<&StoreKey>) -> Result<Self, StoreError> {
        let root = dir.to_path_buf();
        fs::create_dir_all(&root).map_err(StoreError::io("creating the store directory"))?;
        // Only the marker's own temporaries: the app's directory may hold other files.
        remove_temporaries(&root, &format!(".{MARKER}."))?;
        let (record_key, check) = match key {
            Some(k) => (
                Some(k.derive(RECORD_KEY_LABEL)?),
                Some(k.derive(KEY_CHECK_LABEL)?),
            ),
            None => (None, None),
        };
        // The marker first: a directory holding something else is left alone.
        let marker = root.join(MARKER);
        let existing = match fs::read(&marker) {
            Ok(bytes) => bytes,
            Err(e) if e.kind() == ErrorKind::NotFound => {
                let mut fresh = MARKER_MAGIC.to_vec();
                match &check {
                    Some(check) => {
                        fresh.push(MODE_AEAD);
                        fresh.extend_from_slice(check.as_slice());
                    }
                    None => fresh.push(MODE_CHECKSUM),
                }
                write_atomically(&root, MARKER, &fresh)?;
                // Read back: a concurrent first open may have won the rename.
                fs::read(&marker).map_err(StoreError::io("reading the store marker"))?
            }
            Err(e) => {
                return Err(StoreError::Io {
                    op: "reading the store marker",
                    source: e,
                })
            }
        };
        check_marker(&existing, check.as_deref())?;
        for collection in Collection::ALL {
            let path = root.join(collection.name());
            fs::create_dir_all(&path).map_err(StoreError::io("creating a collection directory"))?;
            remove_temporaries(&path, ".")?;
        }
        sync_dir(&root)?;
        Ok(FileStore { root, record_key })
    }

    fn dir(&self, collection: Collection) -> PathBuf {
        self.root.join(collection.name())
    }

    fn mode(&self) -> u8 {
        if self.record_key.is_some() {
            MODE_AEAD
        } else {
            MODE_CHECKSUM
        }
    }

    /// The bytes that bind a record to its place.
    fn place(&self, collection: Collection, id: &RecordId) -> Vec<u8> {
        let mut aad = Vec::with_capacity(8 + collection.name().len() + id.as_str().len());
        aad.extend_from_slice(RECORD_MAGIC);
        aad.push(self.mode());
        aad.extend_from_slice(collection.name().as_bytes());
        aad.push(0);
        aad.extend_from_slice(id.as_str().as_bytes());
        aad
    }

    fn encode(
        &self,
        collection: Collection,
        id: &RecordId,
        payload: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let place = self.place(collection, id);
        let mut out = Vec::with_capacity(5 + payload.len() + CHECKSUM_LEN + seal::NONCE_LEN);
        out.extend_from_slice(RECORD_MAGIC);
        out.push(self.mode());
        match &self.record_key {
            Some(key) => out.extend_from_slice(&seal::seal(key, &place, payload)?),
            None => {
                out.extend_from_slice(payload);
                out.extend_from_slice(&seal::checksum(&place, payload));
            }
        }
        Ok(out)
    }

    fn decode(
        &self,
        collection: Collection,
        id: &RecordId,
        bytes: &[u8],
    ) -> Result<Vec<u8>, StoreError> {
        let corrupted = || StoreError::Corrupted {
            collection,
            id: id.clone(),
        };
        let (header, body) = bytes
            .split_at_checked(RECORD_MAGIC.len() + 1)
            .ok_or_else(corrupted)?;
        let (magic, mode) = header.split_at(RECORD_MAGIC.len());
        if magic != RECORD_MAGIC || mode != [self.mode()] {
            return Err(corrupted());
        }
        let place = self.place(collection, id);
        match &self.record_key {
            Some(key) => {
                let mut plain = seal::open(key, &place, body).ok_or_else(corrupted)?;
                Ok(std::mem::take(&mut *plain))
            }
            None => {
                let split = body.len().checked_sub(CHECKSUM_LEN).ok_or_else(corrupted)?;
                let (payload, sum) = body.split_at(split);
                if seal::checksum(&place, payload) != sum {
                    return Err(corrupted());
                }
                Ok(payload.to_vec())
            }
        }
    }
}

/// A store value with no directory, for decoding record files in memory (fuzzing only).
pub(crate) fn detached(key: Option<&StoreKey>) -> Result<FileStore, StoreError> {
    Ok(FileStore {
        root: PathBuf::new(),
        record_key: key.map(|k| k.derive(RECORD_KEY_LABEL)).transpose()?,
    })
}

impl FileStore {
    /// Decodes `bytes` as the record file of `id` in `collection`, as [`CredentialStore::get`]
    /// would after reading it; and, if it decodes, checks that encoding the payload again
    /// gives the same file (always, for checksum records; AEAD records are re-sealed under a
    /// fresh nonce, so only the payload is compared after opening them again).
    pub(crate) fn decode_for_fuzzing(
        &self,
        collection: Collection,
        id: &RecordId,
        bytes: &[u8],
    ) -> Result<Option<Vec<u8>>, &'static str> {
        let Ok(payload) = self.decode(collection, id, bytes) else {
            return Ok(None);
        };
        let again = self
            .encode(collection, id, &payload)
            .map_err(|_| "a decoded record does not encode")?;
        if self.record_key.is_none() && again != bytes {
            return Err("a checksum record re-encodes to other bytes");
        }
        match self.decode(collection, id, &again) {
            Ok(p) if p == payload => Ok(Some(payload)),
            _ => Err("a re-encoded record does not decode to its payload"),
        }
    }
}

impl CredentialStore for FileStore {
    fn put(&self, collection: Collection, id: &RecordId, record: &[u8]) -> Result<(), StoreError> {
        if record.len() > MAX_RECORD_LEN {
            return Err(StoreError::TooLarge {
                len: record.len(),
                limit: MAX_RECORD_LEN,
            });
        }
        let bytes = self.encode(collection, id, record)?;
        write_atomically(
            &self.dir(collection),
            &format!("{id}{RECORD_SUFFIX}"),
            &bytes,
        )
    }

    fn get(&self, collection: Collection, id: &RecordId) -> Result<Option<Vec<u8>>, StoreError> {
        let path = self.dir(collection).join(format!("{id}{RECORD_SUFFIX}"));
        let file = match fs::File::open(path) {
            Ok(file) => file,
            Err(e) if e.kind() == ErrorKind::NotFound => return Ok(None),
            Err(e) => {
                return Err(StoreError::Io {
                    op: "reading a record",
                    source: e,
                })
            }
        };
        // Read at most one byte more than the longest valid record file: a longer file is
        // damaged, and is never read whole.
        let most = MAX_RECORD_LEN + RECORD_OVERHEAD;
        let mut bytes = Vec::new();
        file.take(most as u64 + 1)
            .read_to_end(&mut bytes)
            .map_err(StoreError::io("reading a record"))?;
        if bytes.len() > most {
            return Err(StoreError::Corrupted {
                collection,
                id: id.clone(),
            });
        }
        self.decode(collection, id, &bytes).map(Some)
    }

    fn delete(&self, collection: Collection, id: &RecordId) -> Result<bool, StoreError> {
        let dir = self.dir(collection);
        match fs::remove_file(dir.join(format!("{id}{RECORD_SUFFIX}"))) {
            Ok(()) => {
                sync_dir(&dir)?;
                Ok(true)
            }
            Err(e) if e.kind() == ErrorKind::NotFound => Ok(false),
            Err(e) => Err(StoreError::Io {
                op: "deleting a record",
                source: e,
            }),
        }
    }

    fn list(&self, collection: Collection) -> Result<Vec<RecordId>, StoreError> {
        let mut ids = Vec::new();
        for entry in
            fs::read_dir(self.dir(collection)).map_err(StoreError::io("listing records"))?
        {
            let entry = entry.map_err(StoreError::io("listing records"))?;
            let name = entry.file_name();
            let Some(stem) = name.to_str().and_then(|n| n.strip_suffix(RECORD_SUFFIX)) else {
                continue;
            };
            if let Ok(id) = RecordId::new(stem) {
                ids.push(id);
            }
        }
        ids.sort();
        Ok(ids)
    }
}

/// Checks the marker against how the store is being opened.
fn check_marker(marker: &[u8], check: Option<&[u8; 32]>) -> Result<(), StoreError> {
    let rest = marker
        .strip_prefix(MARKER_MAGIC.as_slice())
        .ok_or(StoreError::UnknownFormat)?;
    match (rest.split_first(), check) {
        (Some((&MODE_CHECKSUM, [])), None) => Ok(()),
        (Some((&MODE_CHECKSUM, [])), Some(_)) => Err(StoreError::NotEncrypted),
        (Some((&MODE_AEAD, stored)), _) if stored.len() != 32 => Err(StoreError::UnknownFormat),
        (Some((&MODE_AEAD, _)), None) => Err(StoreError::KeyRequired),
        (Some((&MODE_AEAD, stored)), Some(check)) if stored == check.as_slice() => Ok(()),
        (Some((&MODE_AEAD, _)), Some(_)) => Err(StoreError::WrongKey),
        _ => Err(StoreError::UnknownFormat),
    }
}

/// Writes `bytes` to `dir/name` atomically and durably: temporary file, fsync, rename,
/// fsync of the directory.
fn write_atomically(dir: &Path, name: &str, bytes: &[u8]) -> Result<(), StoreError> {
    let temp = dir.join(format!(
        ".{name}.{}.{}{TEMP_SUFFIX}",
        std::process::id(),
        TEMP_COUNTER.fetch_add(1, Ordering::Relaxed)
    ));
    let result = (|| {
        let mut file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&temp)
            .map_err(StoreError::io("creating a temporary file"))?;
        file.write_all(bytes)
            .map_err(StoreError::io("writing a record"))?;
        file.sync_all()
            .map_err(StoreError::io("syncing a record"))?;
        // Closed before the rename (Windows cannot rename an open file). On targets without
        // a file system (wasm32-unknown-unknown) `File` has no `Drop` and clippy says so.
        #[cfg_attr(target_family = "wasm", allow(clippy::drop_non_drop))]
        drop(file);
        fs::rename(&temp, dir.join(name)).map_err(StoreError::io("committing a record"))?;
        sync_dir(dir)
    })();
    if result.is_err() {
        // Best effort: a leftover temporary is removed at the next open anyway.
        let _ = fs::remove_file(&temp);
    }
    result
}

/// Removes temporary files (named `prefix…` and ending in `.tmp`) a crash left behind;
/// never a committed record.
fn remove_temporaries(dir: &Path, prefix: &str) -> Result<(), StoreError> {
    for entry in fs::read_dir(dir).map_err(StoreError::io("listing temporary files"))? {
        let entry = entry.map_err(StoreError::io("listing temporary files"))?;
        let name = entry.file_name();
        let is_temp = name
            .to_str()
            .is_some_and(|n| n.starts_with(prefix) && n.ends_with(TEMP_SUFFIX));
        if is_temp {
            match fs::remove_file(entry.path()) {
                Ok(()) => {}
                Err(e) if e.kind() == ErrorKind::NotFound => {}
                Err(e) => {
                    return Err(StoreError::Io {
                        op: "removing a temporary file",
                        source: e,
                    })
                }
            }
        }
    }
    Ok(())
}

/// Makes a directory's entries (renames, deletions) durable.
#[cfg(unix)]
fn sync_dir(dir: &Path) -> Result<(), StoreError> {
    fs::File::open(dir)
        .and_then(|d| d.sync_all())
        .map_err(StoreError::io("syncing a directory"))
}

/// Makes a directory's entries durable: not portably possible outside Unix; the rename
/// itself is still atomic.
#[cfg(not(unix))]
fn sync_dir(_dir: &Path) -> Result<(), StoreError> {
    Ok(())
}
