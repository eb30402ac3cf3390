//! The issuer side: allocate entries, set statuses, sign the list to serve.

use super::{Bits, ListContent, Status, StatusError, StatusList, StatusListTokenBuilder};
use crate::crypto::{self, Signer};
use crate::time::UnixTime;
use crate::trust::Certificate;

/// How long a signed list is valid unless set otherwise (`exp = iat + this`): one day.
pub const DEFAULT_LIST_VALIDITY: u64 = 24 * 3600;

/// Random draws tried before [`StatusListPublisher::allocate`] falls back to a scan from a
/// random start (only a nearly full list gets there).
const RANDOM_TRIES: usize = 64;

/// A status list an issuing authority keeps and publishes.
///
/// [`StatusListPublisher::allocate`] draws an unused index **at random** (so an index says
/// nothing about when or in what order a credential was issued; Token Status List §12.4);
/// [`StatusListPublisher::set`] changes a status (suspend, restore, revoke);
/// [`StatusListPublisher::sign`] produces the token bytes to serve at the URI, with `iat`,
/// `exp` ([`StatusListPublisher::with_validity`]) and `ttl` ([`StatusListPublisher::with_ttl`]).
///
/// The publisher holds state in memory only: persist [`StatusListPublisher::list`]'s bytes
/// and [`StatusListPublisher::allocation_bitmap`], and rebuild it with
/// [`StatusListPublisher::from_parts`].
#[derive(Clone, Debug)]
pub struct StatusListPublisher {
    uri: String,
    list: StatusList,
    allocated: Vec<u8>,
    allocated_count: u64,
    validity: u64,
    ttl: Option<u64>,
}

impl StatusListPublisher {
    /// A list of `size` entries (all valid, none allocated) to be served at `uri`.
    pub fn new(uri: impl Into<String>, bits: Bits, size: usize) -> Result<Self, StatusError> {
        let list = StatusList::new(bits, size)?;
        let allocated = vec![0; list.len().div_ceil(8)];
        Ok(StatusListPublisher {
            uri: uri.into(),
            list,
            allocated,
            allocated_count: 0,
            validity: DEFAULT_LIST_VALIDITY,
            ttl: None,
        })
    }

    /// Rebuilds a publisher from a persisted list and allocation bitmap (bit `i % 8` of byte
    /// `i / 8` set when index `i` is allocated).
    pub fn from_parts(
        uri: impl Into<String>,
        list: StatusList,
        allocation_bitmap: Vec<u8>,
    ) -> Result<Self, StatusError> {
        let mut allocated = allocation_bitmap;
        allocated.resize(list.len().div_ceil(8), 0);
        let allocated_count = allocated.iter().map(|b| u64::from(b.count_ones())).sum();
        Ok(StatusListPublisher {
            uri: uri.into(),
            list,
            allocated,
            allocated_count,
            validity: DEFAULT_LIST_VALIDITY,
            ttl: None,
        })
    }

    /// Sets how long each signed token is valid (`exp = iat + secs`).
    pub fn with_validity(mut self, secs: u64) -> Self {
        self.validity = secs;
        self
    }

    /// Sets the `ttl` written into each token.
    pub fn with_ttl(mut self, secs: u64) -> Self {
        self.ttl = (secs > 0).then_some(secs);
        self
    }

    /// The URI the list is served at (the token's `sub`, the credentials' `uri`).
    pub fn uri(&self) -> &str {
        &self.uri
    }

    /// The list.
    pub fn list(&self) -> &StatusList {
        &self.list
    }

    /// The allocation bitmap (see [`StatusListPublisher::from_parts`]).
    pub fn allocation_bitmap(&self) -> &[u8] {
        &self.allocated
    }

    /// The number of allocated indexes.
    pub fn allocated(&self) -> u64 {
        self.allocated_count
    }

    fn is_allocated(&self, index: u64) -> bool {
        let byte = usize::try_from(index / 8).unwrap_or(usize::MAX);
        self.allocated
            .get(byte)
            .is_some_and(|b| b & (1 << (index % 8)) != 0)
    }

    /// Marks `index` allocated (for an index chosen elsewhere, e.g. restored from records).
    pub fn mark_allocated(&mut self, index: u64) -> Result<(), StatusError> {
        self.list.value(index)?;
        if !self.is_allocated(index) {
            let byte = usize::try_from(index / 8).unwrap_or(usize::MAX);
            if let Some(b) = self.allocated.get_mut(byte) {
                *b |= 1 << (index % 8);
                self.allocated_count += 1;
            }
        }
        Ok(())
    }

    /// Draws an unallocated index uniformly at random from the OS CSPRNG and marks it
    /// allocated. [`StatusError::ListFull`] when every index is taken.
    pub fn allocate(&mut self) -> Result<u64, StatusError> {
        let size = self.list.len() as u64;
        if self.allocated_count >= size {
            return Err(StatusError::ListFull);
        }
        let random = || -> Result<u64, StatusError> {
            let b = crypto::random_bytes(8).map_err(|_| StatusError::Signing)?;
            let mut a = [0u8; 8];
            a.copy_from_slice(b.get(..8).unwrap_or(&[0; 8]));
            Ok(u64::from_le_bytes(a))
        };
        // Rejection sampling: no modulo bias.
        let zone = u64::MAX - (u64::MAX % size);
        for _ in 0..RANDOM_TRIES {
            let r = random()?;
            if r >= zone {
                continue;
            }
            let index = r % size;
            if !self.is_allocated(index) {
                self.mark_allocated(index)?;
                return Ok(index);
            }
        }
        let start = random()? % size;
        for offset in 0..size {
            let index = (start + offset) % size;
            if !self.is_allocated(index) {
                self.mark_allocated(index)?;
                return Ok(index);
            }
        }
        Err(StatusError::ListFull)
    }

    /// Sets the status at `index`.
    pub fn set(&mut self, index: u64, status: Status) -> Result<(), StatusError> {
        self.list.set(index, status)
    }

    /// The status at `index`.
    pub fn status(&self, index: u64) -> Result<Status, StatusError> {
        self.list.get(index)
    }

    /// The Status List Token as of `now`, signed by the status signer `signer` whose
    /// certificate chain (leaf first, issued by the IACA) is `chain`.
    pub fn sign(
        &self,
        signer: &dyn Signer,
        chain: &[Certificate],
        now: UnixTime,
    ) -> Result<Vec<u8>, StatusError> {
        let mut builder = StatusListTokenBuilder::new(
            self.uri.as_str(),
            ListContent::Status(self.list.clone()),
            now,
        )
        .exp(now.add_secs(i64::try_from(self.validity).unwrap_or(i64::MAX)));
        if let Some(ttl) = self.ttl {
            builder = builder.ttl(ttl);
        }
        builder.sign(signer, chain)
    }
}
