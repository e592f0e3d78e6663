//! The pre-run check: a run whose resource estimate ([`sim_core::estimate::Estimate`])
//! exceeds the memory the machine has available or the output budget is refused before
//! anything is generated, with the estimate and the flag that overrides the refusal.

use anyhow::Result;
use sim_core::estimate::Estimate;
use sim_core::scenario::Scenario;
use sim_core::units::{fmt_bytes, fmt_bytes_binary};

/// `--output-budget SIZE`: a size with a unit, as in scenario files (`"1GiB"`).
pub fn parse_size(text: &str) -> Result<u64, String> {
    sim_core::units::parse_bytes(text)
}

/// `estimate: ~N events, ~X memory, ~Y of results`, the line `validate` prints.
pub fn line(e: &Estimate) -> String {
    format!(
        "estimate: ~{} peers, ~{} events, ~{} memory, ~{} of results",
        count(e.peers),
        count(e.events),
        fmt_bytes(e.memory_bytes as u64),
        fmt_bytes(e.output_bytes as u64)
    )
}

/// Refuses a run of `s` whose memory estimate exceeds `MemAvailable` (when the system
/// reports it) or whose output estimate exceeds `output_budget_bytes`, unless `force`.
/// Pure arithmetic and one read of `/proc/meminfo`: nothing is allocated for the run.
pub fn check(s: &Scenario, output_budget_bytes: u64, force: bool) -> Result<Estimate> {
    let e = Estimate::of(s);
    if force {
        return Ok(e);
    }
    let mut over = Vec::new();
    if let Some(available) = mem_available_bytes() {
        if e.memory_bytes > available as f64 {
            over.push(format!(
                "~{} of memory, above the {} available (MemAvailable, /proc/meminfo)",
                fmt_bytes(e.memory_bytes as u64),
                fmt_bytes(available)
            ));
        }
    }
    if e.output_bytes > output_budget_bytes as f64 {
        over.push(format!(
            "~{} of results, above the output budget of {} (--output-budget SIZE)",
            fmt_bytes(e.output_bytes as u64),
            fmt_bytes_binary(output_budget_bytes)
        ));
    }
    if over.is_empty() {
        return Ok(e);
    }
    anyhow::bail!(
        "refusing to run {:?}: it would need {}.\n{}\nMake the scenario smaller (fewer \
         peers or pieces, a longer sample_interval), raise --output-budget, or pass --force \
         to run anyway.",
        s.name,
        over.join(", and "),
        line(&e)
    )
}

/// `MemAvailable` of `/proc/meminfo` in bytes, or `None` where the system does not say.
pub fn mem_available_bytes() -> Option<u64> {
    let text = std::fs::read_to_string("/proc/meminfo").ok()?;
    let rest = text.lines().find_map(|l| l.strip_prefix("MemAvailable:"))?;
    let kib: u64 = rest.trim().strip_suffix("kB")?.trim().parse().ok()?;
    kib.checked_mul(1024)
}

/// A count readably: `81718` → `"82k"`, `2.2e6` → `"2.2M"`, `1.9e13` → `"19T"`.
fn count(x: f64) -> String {
    let (v, unit) = if x >= 1e12 {
        (x / 1e12, "T")
    } else if x >= 1e9 {
        (x / 1e9, "G")
    } else if x >= 1e6 {
        (x / 1e6, "M")
    } else if x >= 1e3 {
        (x / 1e3, "k")
    } else {
        return format!("{}", x.round());
    };
    if v < 10.0 {
        format!("{v:.1}{unit}")
    } else {
        format!("{v:.0}{unit}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn counts_read_easily() {
        assert_eq!(count(301.0), "301");
        assert_eq!(count(81_718.0), "82k");
        assert_eq!(count(2.2e6), "2.2M");
        assert_eq!(count(1.9e13), "19T");
    }

    #[test]
    fn a_budget_refuses_and_force_overrides() {
        let text = std::fs::read_to_string(
            std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../scenarios/quickstart.toml"),
        )
        .unwrap();
        let s = sim_core::scenario::load_str(&text, "q.toml", "q", &[]).unwrap();
        let e = check(&s, 1_000, false).unwrap_err().to_string();
        assert!(e.contains("above the output budget of 1 kB"), "{e}");
        assert!(e.contains("--force"), "{e}");
        assert!(check(&s, 1_000, true).is_ok());
        assert!(check(&s, 1 << 30, false).is_ok());
        assert!(mem_available_bytes().is_none_or(|b| b > 0));
    }
}
