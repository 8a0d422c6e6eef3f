//! The DNS answers mail-auth asks for, kept between messages: parsed SPF,
//! DKIM and DMARC records and addresses, until their TTL runs out. A
//! [`Zone`] fills the same store with fixed records and answers "no such
//! name" for everything else, so tests (and hosts without DNS) never touch
//! the network.

use mail_auth::common::parse::TxtRecordParser;
use mail_auth::common::verify::DomainKey;
use mail_auth::dmarc::Dmarc;
use mail_auth::hickory_resolver::proto::op::ResponseCode;
use mail_auth::spf::Spf;
use mail_auth::{DnsError, DnssecStatus, Error, MX, RecordSet, ResolverCache, Txt};
use std::borrow::Borrow;
use std::collections::HashMap;
use std::hash::Hash;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};
use std::sync::{Arc, Mutex, MutexGuard};
use std::time::Instant;

/// Entries kept per record type before the expired ones are dropped (and,
/// if that is not enough, all of them).
const MAX_ENTRIES: usize = 4096;

/// What a lookup of a name that a [`Zone`] does not hold answers.
pub(crate) trait Missing {
    fn missing() -> Self;
}

impl Missing for Txt {
    fn missing() -> Self {
        Txt::Error(Error::Dns(DnsError::RecordNotFound(ResponseCode::NXDomain)))
    }
}

impl<T> Missing for RecordSet<T> {
    fn missing() -> Self {
        set(Vec::new())
    }
}

pub(crate) struct Cache<K, V> {
    entries: Mutex<HashMap<K, (V, Option<Instant>)>>,
    /// Names not held do not exist (a [`Zone`]): no lookup goes out.
    authoritative: bool,
}

impl<K: Hash + Eq, V: Clone + Missing> Cache<K, V> {
    fn new(authoritative: bool) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            authoritative,
        }
    }

    fn lock(&self) -> MutexGuard<'_, HashMap<K, (V, Option<Instant>)>> {
        // A panic elsewhere while holding the lock leaves a usable map.
        self.entries.lock().unwrap_or_else(|p| p.into_inner())
    }

    fn put(&self, key: K, value: V, until: Option<Instant>) {
        let mut map = self.lock();
        if map.len() >= MAX_ENTRIES {
            let now = Instant::now();
            map.retain(|_, (_, until)| until.is_none_or(|t| t > now));
            if map.len() >= MAX_ENTRIES {
                map.retain(|_, (_, until)| until.is_none());
            }
        }
        map.insert(key, (value, until));
    }
}

impl<K: Hash + Eq, V: Clone + Missing> ResolverCache<K, V> for Cache<K, V> {
    fn get<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        let map = self.lock();
        match map.get(name) {
            Some((value, until)) if until.is_none_or(|t| t > Instant::now()) => Some(value.clone()),
            _ if self.authoritative => Some(V::missing()),
            _ => None,
        }
    }

    fn remove<Q>(&self, name: &Q) -> Option<V>
    where
        K: Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.lock().remove(name).map(|(v, _)| v)
    }

    fn insert(&self, key: K, value: V, valid_until: Instant) {
        if !self.authoritative {
            self.put(key, value, Some(valid_until));
        }
    }
}

/// One cache per record type, as mail-auth's `Parameters` want them.
pub(crate) struct Caches {
    pub txt: Cache<Box<str>, Txt>,
    pub mx: Cache<Box<str>, RecordSet<MX>>,
    pub ipv4: Cache<Box<str>, RecordSet<Ipv4Addr>>,
    pub ipv6: Cache<Box<str>, RecordSet<Ipv6Addr>>,
    pub ptr: Cache<IpAddr, RecordSet<Box<str>>>,
}

impl Caches {
    pub fn new() -> Self {
        Self::with_authority(false)
    }

    fn with_authority(authoritative: bool) -> Self {
        Self {
            txt: Cache::new(authoritative),
            mx: Cache::new(authoritative),
            ipv4: Cache::new(authoritative),
            ipv6: Cache::new(authoritative),
            ptr: Cache::new(authoritative),
        }
    }
}

/// A record that could not be read as the kind its name calls for.
#[derive(Debug, thiserror::Error)]
#[error("{name}: not a valid {kind} record")]
pub struct ZoneError {
    pub name: String,
    pub kind: &'static str,
}

fn set<T>(items: Vec<T>) -> RecordSet<T> {
    RecordSet {
        rrset: Arc::from(items),
        dnssec_status: DnssecStatus::Indeterminate,
    }
}

/// Fixed DNS records, the only ones an authenticator built with
/// [`crate::authenticate::Authenticator::with_zone`] knows: every other
/// name does not exist.
#[derive(Default)]
pub struct Zone {
    txt: Vec<(Box<str>, Txt)>,
    ipv4: Vec<(Box<str>, Vec<Ipv4Addr>)>,
    ipv6: Vec<(Box<str>, Vec<Ipv6Addr>)>,
    mx: Vec<(Box<str>, u16, Box<str>)>,
}

fn fqdn(name: &str) -> Box<str> {
    let mut n = name.trim().to_lowercase();
    if !n.ends_with('.') {
        n.push('.');
    }
    n.into_boxed_str()
}

fn parse<T: TxtRecordParser + Into<Txt>>(
    name: &str,
    record: &str,
    kind: &'static str,
) -> Result<Txt, ZoneError> {
    T::parse(record.as_bytes())
        .map(Into::into)
        .map_err(|_| ZoneError {
            name: name.to_string(),
            kind,
        })
}

impl Zone {
    pub fn new() -> Self {
        Self::default()
    }

    /// A TXT record, read as its name says: `_dmarc.` names hold DMARC
    /// policies, `._domainkey.` names DKIM keys, any other SPF.
    pub fn txt(mut self, name: &str, record: &str) -> Result<Self, ZoneError> {
        let lower = name.to_ascii_lowercase();
        let txt = if lower.starts_with("_dmarc.") {
            parse::<Dmarc>(name, record, "DMARC")?
        } else if lower.contains("._domainkey.") {
            parse::<DomainKey>(name, record, "DKIM key")?
        } else {
            parse::<Spf>(name, record, "SPF")?
        };
        self.txt.push((fqdn(name), txt));
        Ok(self)
    }

    /// An A record set.
    pub fn a(mut self, name: &str, addrs: &[Ipv4Addr]) -> Self {
        self.ipv4.push((fqdn(name), addrs.to_vec()));
        self
    }

    /// An AAAA record set.
    pub fn aaaa(mut self, name: &str, addrs: &[Ipv6Addr]) -> Self {
        self.ipv6.push((fqdn(name), addrs.to_vec()));
        self
    }

    /// One MX record.
    pub fn mx(mut self, name: &str, preference: u16, exchange: &str) -> Self {
        self.mx.push((fqdn(name), preference, fqdn(exchange)));
        self
    }

    pub(crate) fn into_caches(self) -> Caches {
        let caches = Caches::with_authority(true);
        for (name, txt) in self.txt {
            caches.txt.put(name, txt, None);
        }
        for (name, addrs) in self.ipv4 {
            caches.ipv4.put(name, set(addrs), None);
        }
        for (name, addrs) in self.ipv6 {
            caches.ipv6.put(name, set(addrs), None);
        }
        let mut mx: HashMap<Box<str>, Vec<(u16, Box<str>)>> = HashMap::new();
        for (name, preference, exchange) in self.mx {
            mx.entry(name).or_default().push((preference, exchange));
        }
        for (name, mut records) in mx {
            records.sort_by_key(|(p, _)| *p);
            let mut grouped: Vec<MX> = Vec::new();
            for (preference, exchange) in records {
                match grouped.last_mut() {
                    Some(last) if last.preference == preference => {
                        let mut exchanges = last.exchanges.to_vec();
                        exchanges.push(exchange);
                        last.exchanges = exchanges.into_boxed_slice();
                    }
                    _ => grouped.push(MX {
                        exchanges: vec![exchange].into_boxed_slice(),
                        preference,
                    }),
                }
            }
            caches.mx.put(name, set(grouped), None);
        }
        caches
    }
}
