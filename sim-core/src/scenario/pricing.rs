//! Resolve, `[origin]`'s price list: a flat `price_per_gb` or marginal volume tiers, an
//! optional 95th-percentile price, and the currency of them all (ISO 4217), each bounded
//! (`scenario/limits.rs`).

use super::error::{missing, Invalid};
use super::limits::{MAX_PRICE_PER_GB, MAX_PRICE_PER_MBPS_MONTH};
use super::model::{PriceTier, Pricing};
use super::raw::{Number, RawPriceTier, Tab};
use crate::units::fmt_bytes;

/// A number as written, in scientific notation when large: `1e308`, `0.05`.
fn fmt_number(x: f64) -> String {
    if x.abs() >= 1e9 {
        format!("{x:e}")
    } else {
        format!("{x}")
    }
}

/// `[origin]` prices: a flat `price_per_gb`, or `[[origin.price_tiers]]`, and an optional
/// 95th-percentile `price_per_mbps_month`.
pub(super) fn resolve_pricing(
    flat: Option<Number>,
    tiers: Option<Vec<Tab<RawPriceTier>>>,
    per_mbps: Option<Number>,
    currency: Option<String>,
) -> Result<Pricing, Invalid> {
    let currency = match currency {
        None => Pricing::DEFAULT_CURRENCY.to_string(),
        Some(c) if c.len() == 3 && c.bytes().all(|b| b.is_ascii_uppercase()) => c,
        Some(c) => {
            return Err(Invalid::new(
                "origin.currency",
                format!(
                    "expected an ISO 4217 currency code of three capital letters, e.g. \"USD\", \"EUR\", \"JPY\"; got {c:?}"
                ),
            ))
        }
    };
    let price = |x: f64, path: &str| {
        let (max, usual) = if path.ends_with("price_per_mbps_month") {
            (
                MAX_PRICE_PER_MBPS_MONTH,
                "list prices are 0.1 to 10 per Mbps per month",
            )
        } else {
            (MAX_PRICE_PER_GB, "CDN list prices are 0.01 to 0.2 per GB")
        };
        if x < 0.0 {
            Err(Invalid::new(
                path,
                format!("expected a price of 0 or more, got {x}"),
            ))
        } else if x > max {
            Err(Invalid::new(
                path,
                format!(
                    "expected a price of at most {max} ({usual}; \
                     scenarios/README.md#bounds), got {}",
                    fmt_number(x)
                ),
            ))
        } else {
            Ok(x)
        }
    };
    let tiers = match (flat, tiers) {
        (Some(_), Some(_)) => {
            return Err(Invalid::new(
                "origin.price_tiers",
                "give either price_per_gb (one flat price) or [[origin.price_tiers]], not both",
            )
            .also("origin.price_per_gb"))
        }
        (Some(x), None) => vec![PriceTier {
            up_to_bytes: u64::MAX,
            per_gb: price(x.0, "origin.price_per_gb")?,
        }],
        (None, Some(raw)) => {
            let n = raw.len();
            let mut out: Vec<PriceTier> = Vec::with_capacity(n);
            for (i, t) in raw.into_iter().enumerate() {
                let at = |k: &str| format!("origin.price_tiers[{i}].{k}");
                let per_gb =
                    t.0.price_per_gb
                        .ok_or_else(|| missing(at("price_per_gb"), "a price per GB, e.g. 0.05"))?
                        .0;
                let per_gb = price(per_gb, &at("price_per_gb"))?;
                let up_to_bytes = match (t.0.up_to, i + 1 == n) {
                    (Some(v), _) => v.0,
                    (None, true) => u64::MAX,
                    (None, false) => {
                        return Err(missing(
                            at("up_to"),
                            "the volume where this tier ends, e.g. up_to = \"10TB\" \
                             (only the last tier may omit it)",
                        ))
                    }
                };
                if let Some(prev) = out.last() {
                    if up_to_bytes <= prev.up_to_bytes {
                        return Err(Invalid::new(
                            at("up_to"),
                            format!(
                                "expected tiers in ascending order: {} is not above the previous tier's {}",
                                fmt_bytes(up_to_bytes),
                                fmt_bytes(prev.up_to_bytes)
                            ),
                        ));
                    }
                }
                out.push(PriceTier {
                    up_to_bytes,
                    per_gb,
                });
            }
            out
        }
        (None, None) => Vec::new(),
    };
    Ok(Pricing {
        currency,
        tiers,
        per_mbps_month: match per_mbps {
            Some(x) => price(x.0, "origin.price_per_mbps_month")?,
            None => 0.0,
        },
    })
}
