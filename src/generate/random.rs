//! Seeded randomness and the deterministic helpers built on it: the random source [`R`], sub-seed
//! mixing, stable hex ids and suffixes, and timestamps. Every value the generator draws goes through
//! here, so the order of calls on [`R`] is what makes a seed reproduce the same findings.

use rand::{Rng, RngCore, SeedableRng};
use rand_chacha::ChaCha8Rng;
use time::OffsetDateTime;

use crate::model::timestamp;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// The seeded random source every choice is drawn from.
pub(super) struct R(ChaCha8Rng);

impl R {
    pub(super) fn new(seed: u64) -> R {
        R(ChaCha8Rng::seed_from_u64(seed))
    }

    /// Uniform in `0..n` (n > 0).
    pub(super) fn below(&mut self, n: usize) -> usize {
        self.0.random_range(0..n.max(1))
    }

    /// Uniform in `lo..=hi`.
    pub(super) fn int(&mut self, lo: i64, hi: i64) -> i64 {
        self.0.random_range(lo..=hi.max(lo))
    }

    pub(super) fn unit(&mut self) -> f64 {
        self.0.random::<f64>()
    }

    pub(super) fn chance(&mut self, p: f64) -> bool {
        self.unit() < p
    }

    pub(super) fn pick<'a, T>(&mut self, xs: &'a [T]) -> &'a T {
        &xs[self.below(xs.len())]
    }

    pub(super) fn pick_weighted<'a, T>(&mut self, xs: &'a [(T, u32)]) -> &'a T {
        let total: u32 = xs.iter().map(|x| x.1).sum();
        let mut x = self.0.random_range(0..total.max(1));
        for (item, w) in xs {
            if x < *w {
                return item;
            }
            x -= w;
        }
        &xs[xs.len() - 1].0
    }

    /// Index drawn with the given cumulative weights.
    pub(super) fn pick_cumulative(&mut self, cumulative: &[u32]) -> usize {
        let total = cumulative.last().copied().unwrap_or(1).max(1);
        let x = self.0.random_range(0..total);
        cumulative.partition_point(|&c| c <= x).min(cumulative.len().saturating_sub(1))
    }

    fn push_hex(&mut self, out: &mut String, n: usize) {
        let mut left = n;
        while left > 0 {
            let mut v = self.0.next_u64();
            for _ in 0..left.min(16) {
                out.push(char::from(HEX[(v & 15) as usize]));
                v >>= 4;
            }
            left = left.saturating_sub(16);
        }
    }

    pub(super) fn hex(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        self.push_hex(&mut s, n);
        s
    }

    pub(super) fn upper_hex(&mut self, n: usize) -> String {
        self.hex(n).to_ascii_uppercase()
    }

    pub(super) fn uuid(&mut self) -> String {
        let h = self.hex(32);
        let variant = char::from(b"89ab"[self.below(4)]);
        format!("{}-{}-4{}-{}{}-{}", &h[..8], &h[8..12], &h[13..16], variant, &h[17..20], &h[20..32])
    }

    /// An address from the documentation ranges (RFC 5737).
    pub(super) fn public_ip(&mut self) -> String {
        let net = self.pick(&["192.0.2.", "198.51.100.", "203.0.113."]);
        format!("{net}{}", self.int(1, 254))
    }

    pub(super) fn private_ip(&mut self, second: u8) -> String {
        format!("10.{second}.{}.{}", self.int(0, 255), self.int(4, 254))
    }

    pub(super) fn digits(&mut self, n: usize) -> String {
        let mut s = String::with_capacity(n);
        s.push(char::from(b'1' + self.below(9) as u8));
        for _ in 1..n {
            s.push(char::from(b'0' + self.below(10) as u8));
        }
        s
    }
}

/// SplitMix64 finaliser: a good 64-bit mixer for deriving sub-seeds.
pub(super) fn mix(mut z: u64) -> u64 {
    z = z.wrapping_add(0x9E37_79B9_7F4A_7C15);
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

pub(super) fn hash_hex(v: u64, len: usize) -> String {
    let mut s = String::with_capacity(len);
    let mut x = v;
    while s.len() < len {
        x = mix(x);
        for i in 0..16 {
            if s.len() == len {
                break;
            }
            s.push(char::from(HEX[((x >> (i * 4)) & 15) as usize]));
        }
    }
    s
}

/// A 6-hex-digit suffix that is distinct for every `idx` below 2^24 (odd multiplier, bijective mod 2^24).
pub(super) fn unique_suffix(idx: u32, salt: u64) -> String {
    let v = idx.wrapping_mul(0x9E37_79B1).wrapping_add(salt as u32) & 0x00FF_FFFF;
    format!("{v:06x}")
}

/// An ASFF timestamp for milliseconds since the epoch.
pub(super) fn ts(ms: i64) -> String {
    match OffsetDateTime::from_unix_timestamp_nanos(i128::from(ms) * 1_000_000) {
        Ok(t) => timestamp::format(t),
        Err(_) => String::from("1970-01-01T00:00:00.000Z"),
    }
}

pub(super) const DAY_MS: i64 = 86_400_000;
pub(super) const HOUR_MS: i64 = 3_600_000;

/// FNV-1a of a Region name, to derive a per-Region id (GuardDuty detectors) from the seed.
pub(super) fn region_code(region: &str) -> u64 {
    region.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3))
}
