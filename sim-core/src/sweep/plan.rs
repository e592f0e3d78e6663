//! A sweep resolved into its points: the cartesian product of its dimensions (the named
//! variants, outermost, then each `[[parameter]]` in file order), each point a list of
//! overrides on the base scenario, every point's scenario loaded and checked before any
//! run starts. Run seeds are mixed from (master seed, point, replication).

use std::path::{Path, PathBuf};

use crate::scenario::{self, Override, Scenario};

use super::spec::{RawParameter, RawRange, RawSweep};
use super::SweepError;

/// Default runs per point.
pub const DEFAULT_REPLICATIONS: u32 = 10;
/// Default cap on the number of runs of a sweep (`max_runs` raises it).
pub const DEFAULT_MAX_RUNS: u64 = 10_000;
/// Largest accepted `max_runs`: a million runs is weeks of CPU for a national audience;
/// beyond it a sweep is surely a typo.
pub const MAX_RUNS_LIMIT: u64 = 1_000_000;
/// Largest number of values of one `range`.
pub const MAX_RANGE_STEPS: u32 = 10_000;

/// One level of a dimension: the text of each of its columns and the overrides it makes.
#[derive(Debug, Clone)]
struct Level {
    labels: Vec<String>,
    overrides: Vec<Override>,
}

/// One point of the sweep: a configuration, run `replications` times.
#[derive(Debug, Clone)]
pub struct Point {
    /// Position in the sweep, from 0.
    pub index: usize,
    /// The value of each varied column ([`Sweep::columns`]), as written in the results.
    pub labels: Vec<String>,
    /// Every override of this point, in order: the sweep's `set`, its variant's, its
    /// parameters'.
    pub overrides: Vec<Override>,
    /// The point's resolved scenario (its seed is replaced per run).
    pub scenario: Scenario,
}

/// A sweep file resolved and checked: ready to run.
#[derive(Debug, Clone)]
pub struct Sweep {
    /// The sweep file.
    pub file: PathBuf,
    /// Its text (copied beside the results).
    pub text: String,
    /// The base scenario file.
    pub base: PathBuf,
    /// Runs per point.
    pub replications: u32,
    /// Master seed.
    pub master_seed: u64,
    /// Replication `r` of every point shares one seed.
    pub common_random_numbers: bool,
    /// Names of the varied columns: `variant` (with variants), then each parameter's key(s).
    pub columns: Vec<String>,
    /// The points, in order.
    pub points: Vec<Point>,
}

/// SplitMix64's finaliser (Steele, Lea & Flood, "Fast splittable pseudorandom number
/// generators", OOPSLA 2014): a bijection of 64-bit words that spreads every input bit
/// ([`crate::rng::splitmix64`], the mixer the random streams use too).
pub use crate::rng::splitmix64 as mix64;

/// The seed of replication `rep` of point `point` under master seed `master`: a fixed
/// mix of the three, so it depends on nothing else (not the job count, not the finishing
/// order), kept below 2⁶³ so it can also be written in a scenario file. With common random
/// numbers, replication `r` runs with seed `master + r` at every point (as `--seed` would),
/// so points differ only by their parameters and their differences are measured with
/// less noise.
pub fn run_seed(master: u64, point: usize, rep: u32, common_random_numbers: bool) -> u64 {
    if common_random_numbers {
        return master.wrapping_add(u64::from(rep)) & (u64::MAX >> 1);
    }
    mix64(mix64(mix64(master) ^ (point as u64).wrapping_add(1)) ^ u64::from(rep)) >> 1
}

impl Sweep {
    /// Reads and resolves the sweep file at `path`: every point's scenario is loaded, so
    /// a bad key path or value fails here, before anything is run or written.
    pub fn load(path: &Path) -> Result<Sweep, SweepError> {
        let file = path.display().to_string();
        let text =
            super::read_limited(path).map_err(|message| SweepError::at(&file, None, message))?;
        let raw: RawSweep = toml::from_str(&text).map_err(|e| {
            let line = e.span().map(|s| super::line_of(&text, s.start));
            SweepError::at(&file, line, super::one_line(e.message()))
        })?;
        let locate = |table: &str, i: usize| super::table_line(&text, table, i);
        let base = path.parent().unwrap_or(Path::new(".")).join(&raw.scenario);
        let replications = raw.replications.unwrap_or(DEFAULT_REPLICATIONS);
        if replications == 0 {
            return Err(SweepError::at(
                &file,
                super::key_line(&text, "replications"),
                "replications: 0; expected at least 1 run per point".into(),
            ));
        }
        let max_runs = raw.max_runs.unwrap_or(DEFAULT_MAX_RUNS);
        if max_runs == 0 || max_runs > MAX_RUNS_LIMIT {
            return Err(SweepError::at(
                &file,
                super::key_line(&text, "max_runs"),
                format!("max_runs: {max_runs}; expected 1 to {MAX_RUNS_LIMIT}"),
            ));
        }
        let parse_sets = |sets: &[String], what: &str, line: Option<usize>| {
            sets.iter()
                .map(|s| {
                    Override::parse(s)
                        .map_err(|e| SweepError::at(&file, line, format!("{what}: {e}")))
                })
                .collect::<Result<Vec<_>, _>>()
        };
        let fixed = parse_sets(&raw.set, "set", super::key_line(&text, "set"))?;

        let mut columns = Vec::new();
        let mut dims: Vec<Vec<Level>> = Vec::new();
        let mut varied: Vec<String> = Vec::new();
        if !raw.variant.is_empty() {
            columns.push("variant".to_string());
            let mut levels = Vec::new();
            for (i, v) in raw.variant.iter().enumerate() {
                let line = locate("variant", i);
                if v.name.trim().is_empty() {
                    return Err(SweepError::at(
                        &file,
                        line,
                        "variant.name: empty; expected a name".into(),
                    ));
                }
                if raw.variant[..i].iter().any(|w| w.name == v.name) {
                    return Err(SweepError::at(
                        &file,
                        line,
                        format!("variant.name: {:?} twice; expected distinct names", v.name),
                    ));
                }
                levels.push(Level {
                    labels: vec![v.name.clone()],
                    overrides: parse_sets(&v.set, &format!("variant {:?}: set", v.name), line)?,
                });
            }
            dims.push(levels);
        }
        for (i, p) in raw.parameter.iter().enumerate() {
            let line = locate("parameter", i);
            let (names, levels) =
                parameter_levels(p).map_err(|m| SweepError::at(&file, line, m))?;
            for o in &levels[0].overrides {
                if varied.contains(&o.path) {
                    return Err(SweepError::at(
                        &file,
                        line,
                        format!(
                            "parameter {:?} is varied twice; expected each key in one parameter",
                            o.path
                        ),
                    ));
                }
                varied.push(o.path.clone());
            }
            for n in &names {
                if columns.contains(n) {
                    return Err(SweepError::at(
                        &file,
                        line,
                        format!("column {n:?} twice; expected distinct parameter names"),
                    ));
                }
            }
            columns.extend(names);
            dims.push(levels);
        }

        let points_count = dims.iter().map(|d| d.len() as u64).product::<u64>();
        let runs = points_count.saturating_mul(u64::from(replications));
        if runs > max_runs {
            let shape: Vec<String> = dims.iter().map(|d| d.len().to_string()).collect();
            return Err(SweepError::at(
                &file,
                None,
                format!(
                    "{} points ({}) × {replications} replications = {runs} runs, above \
                     max_runs = {max_runs}; reduce the sweep or raise max_runs (at most {MAX_RUNS_LIMIT})",
                    points_count,
                    if shape.is_empty() { "1".into() } else { shape.join(" × ") },
                ),
            ));
        }

        let mut points = Vec::with_capacity(points_count as usize);
        for index in 0..points_count as usize {
            // Mixed radix, the last dimension fastest.
            let mut rest = index;
            let mut picks = vec![0; dims.len()];
            for (d, levels) in dims.iter().enumerate().rev() {
                picks[d] = rest % levels.len();
                rest /= levels.len();
            }
            let mut labels = Vec::new();
            let mut overrides = fixed.clone();
            for (d, &k) in picks.iter().enumerate() {
                labels.extend(dims[d][k].labels.iter().cloned());
                overrides.extend(dims[d][k].overrides.iter().cloned());
            }
            let scenario = scenario::load_file(&base, &overrides).map_err(|e| {
                let at = columns
                    .iter()
                    .zip(&labels)
                    .map(|(c, l)| format!("{c}={l}"))
                    .collect::<Vec<_>>()
                    .join(", ");
                SweepError::at(&file, None, format!("point {index} ({at}): {e}"))
            })?;
            points.push(Point {
                index,
                labels,
                overrides,
                scenario,
            });
        }
        Ok(Sweep {
            file: path.to_path_buf(),
            text,
            base,
            replications,
            master_seed: raw.seed.unwrap_or(crate::scenario::Scenario::DEFAULT_SEED),
            common_random_numbers: raw.common_random_numbers.unwrap_or(false),
            columns,
            points,
        })
    }

    /// Number of runs: points × replications.
    pub fn runs(&self) -> usize {
        self.points.len() * self.replications as usize
    }

    /// Seed of replication `rep` of point `point` ([`run_seed`]).
    pub fn seed(&self, point: usize, rep: u32) -> u64 {
        run_seed(self.master_seed, point, rep, self.common_random_numbers)
    }

    /// Hash identifying what this sweep computes: every point's resolved scenario (seed
    /// aside), the replications and the seeds. An edit of the base scenario that changes a
    /// run changes it; reformatting the files does not.
    pub fn hash(&self) -> String {
        let mut d = crate::digest::Digest::default();
        for p in &self.points {
            let mut s = p.scenario.clone();
            s.seed = 0;
            for b in crate::report::scenario_hash(&s).bytes() {
                d.add(u64::from(b));
            }
            for l in &p.labels {
                for b in l.bytes() {
                    d.add(u64::from(b));
                }
                d.add(0xff);
            }
        }
        d.add(u64::from(self.replications));
        d.add(self.master_seed);
        d.add(u64::from(self.common_random_numbers));
        d.hex()
    }
}

/// The key columns and levels of one `[[parameter]]`.
fn parameter_levels(p: &RawParameter) -> Result<(Vec<String>, Vec<Level>), String> {
    let keys: Vec<String> = match (&p.key, &p.keys) {
        (Some(k), None) => vec![k.clone()],
        (None, Some(ks)) if !ks.is_empty() => ks.clone(),
        (None, Some(_)) => {
            return Err("parameter.keys: empty; expected at least one key path".into())
        }
        (Some(_), Some(_)) => return Err(
            "parameter: both key and keys; expected one (keys = [...] for keys that vary together)"
                .into(),
        ),
        (None, None) => {
            return Err("parameter: no key; expected key = \"a.key.path\" (or keys = [...])".into())
        }
    };
    for k in &keys {
        Override::parse(&format!("{k}=0")).map_err(|e| format!("parameter key {k:?}: {e}"))?;
    }
    let values: Vec<Vec<(String, String)>> = match (&p.values, &p.range) {
        (Some(_), Some(_)) => {
            return Err("parameter: both values and range; expected one of them".into())
        }
        (None, None) => {
            return Err(format!(
            "parameter {:?}: no values; expected values = [...] or range = {{ from, to, steps }}",
            keys.join(",")
        ))
        }
        (None, Some(r)) => {
            if keys.len() > 1 {
                return Err(
                    "parameter: a range varies one key; zipped keys need values = [[...], ...]"
                        .into(),
                );
            }
            range_values(r)
                .map_err(|m| format!("parameter {:?}: range: {m}", keys[0]))?
                .into_iter()
                .map(|v| vec![v])
                .collect()
        }
        (Some(vs), None) => {
            if vs.is_empty() {
                return Err(format!(
                    "parameter {:?}: values = []; expected at least one value",
                    keys.join(",")
                ));
            }
            let mut out = Vec::new();
            for v in vs {
                if keys.len() == 1 {
                    out.push(vec![value_text(v)]);
                } else {
                    let toml::Value::Array(items) = v else {
                        return Err(format!(
                            "parameter {:?}: value {v}: expected a list of {} values, one per key",
                            keys.join(","),
                            keys.len()
                        ));
                    };
                    if items.len() != keys.len() {
                        return Err(format!(
                            "parameter {:?}: value {v}: {} values for {} keys; expected one per key",
                            keys.join(","),
                            items.len(),
                            keys.len()
                        ));
                    }
                    out.push(items.iter().map(value_text).collect());
                }
            }
            out
        }
    };
    let columns = match (&p.labels, &p.name) {
        (None, Some(_)) => {
            return Err(format!(
            "parameter {:?}: name without labels; expected labels = [...] (one per value) with it",
            keys.join(",")
        ))
        }
        (None, None) => keys.clone(),
        (Some(labels), name) => {
            if labels.len() != values.len() {
                return Err(format!(
                    "parameter {:?}: {} labels for {} values; expected one label per value",
                    keys.join(","),
                    labels.len(),
                    values.len()
                ));
            }
            vec![name.clone().unwrap_or_else(|| keys.join("+"))]
        }
    };
    let levels = values
        .into_iter()
        .enumerate()
        .map(|(i, vals)| Level {
            labels: match &p.labels {
                Some(l) => vec![l[i].clone()],
                None => vals.iter().map(|(label, _)| label.clone()).collect(),
            },
            overrides: keys
                .iter()
                .zip(&vals)
                .map(|(k, (_, v))| Override {
                    path: k.clone(),
                    value: v.clone(),
                })
                .collect(),
        })
        .collect();
    Ok((columns, levels))
}

/// A value of the sweep file as (label for the results, value text for the override).
/// Strings are labelled as written and passed quoted, so `"true"` stays a string.
fn value_text(v: &toml::Value) -> (String, String) {
    match v {
        toml::Value::String(s) => (s.clone(), toml::Value::String(s.clone()).to_string()),
        other => (other.to_string(), other.to_string()),
    }
}

/// The values of a range, rounded to 6 significant digits (so labels stay readable and a
/// log range hits its end points exactly), with the unit appended.
fn range_values(r: &RawRange) -> Result<Vec<(String, String)>, String> {
    if !r.from.is_finite() || !r.to.is_finite() {
        return Err("from and to must be finite numbers".into());
    }
    if r.steps == 0 {
        return Err("steps = 0; expected at least 1".into());
    }
    if r.steps > MAX_RANGE_STEPS {
        return Err(format!(
            "steps = {}; expected at most {MAX_RANGE_STEPS}",
            r.steps
        ));
    }
    if r.steps == 1 && r.from != r.to {
        return Err(format!(
            "steps = 1 between {} and {}; expected at least 2 (or from = to)",
            r.from, r.to
        ));
    }
    let log = match r.scale.as_deref() {
        None | Some("linear") => false,
        Some("log") => true,
        Some(other) => return Err(format!("scale = {other:?}; expected \"linear\" or \"log\"")),
    };
    if log && (r.from <= 0.0 || r.to <= 0.0) {
        return Err(format!(
            "a log scale needs from and to above 0 (from = {}, to = {})",
            r.from, r.to
        ));
    }
    let n = r.steps;
    let mut out: Vec<(String, String)> = Vec::new();
    for i in 0..n {
        let t = if n == 1 {
            0.0
        } else {
            f64::from(i) / f64::from(n - 1)
        };
        let mut x = if log {
            r.from * (r.to / r.from).powf(t)
        } else {
            r.from + (r.to - r.from) * t
        };
        x = if r.integer.unwrap_or(false) {
            x.round()
        } else {
            round_significant(x, 6)
        };
        let unit = r.unit.as_deref().unwrap_or("");
        let number = fmt_number(x);
        let label = format!("{number}{unit}");
        let value = if unit.is_empty() {
            number
        } else {
            toml::Value::String(label.clone()).to_string()
        };
        if out.iter().any(|(l, _)| *l == label) {
            return Err(format!(
                "two steps give the same value {label}; expected fewer steps or integer = false"
            ));
        }
        out.push((label, value));
    }
    Ok(out)
}

/// `x` rounded to `digits` significant digits.
fn round_significant(x: f64, digits: i32) -> f64 {
    if x == 0.0 {
        return 0.0;
    }
    let scale = 10f64.powi(digits - 1 - x.abs().log10().floor() as i32);
    (x * scale).round() / scale
}

/// A number as the shortest text that reads back to it (`10`, not `10.0`).
fn fmt_number(x: f64) -> String {
    if x.fract() == 0.0 && x.abs() < 1e15 {
        format!("{}", x as i64)
    } else {
        format!("{x}")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seeds_depend_on_point_and_replication_only() {
        let a = run_seed(1, 0, 0, false);
        assert_eq!(a, run_seed(1, 0, 0, false));
        assert_ne!(a, run_seed(1, 1, 0, false));
        assert_ne!(a, run_seed(1, 0, 1, false));
        assert_ne!(a, run_seed(2, 0, 0, false));
        assert_eq!(run_seed(1, 0, 3, true), run_seed(1, 7, 3, true));
        assert_eq!(
            run_seed(1, 7, 3, true),
            4,
            "common random numbers: master + replication"
        );
        assert!(run_seed(u64::MAX, usize::MAX, u32::MAX, false) < 1 << 63);
        // Pinned: a change of the mixer would silently change every published sweep.
        assert_eq!(
            run_seed(1, 0, 0, false),
            0x2bba_9325_4d3f_0d84,
            "mixer moved"
        );
    }

    #[test]
    fn log_range_hits_its_ends_and_rounds() {
        let r = RawRange {
            from: 10.0,
            to: 1000.0,
            steps: 3,
            scale: Some("log".into()),
            unit: Some("Mbps".into()),
            integer: None,
        };
        let v = range_values(&r).unwrap();
        let labels: Vec<&str> = v.iter().map(|(l, _)| l.as_str()).collect();
        assert_eq!(labels, ["10Mbps", "100Mbps", "1000Mbps"]);
        assert_eq!(v[1].1, "\"100Mbps\"");
    }

    #[test]
    fn linear_range_without_unit_is_a_number() {
        let r = RawRange {
            from: 0.05,
            to: 1.0,
            steps: 3,
            scale: None,
            unit: None,
            integer: None,
        };
        let v = range_values(&r).unwrap();
        assert_eq!(
            v.iter().map(|(_, x)| x.as_str()).collect::<Vec<_>>(),
            ["0.05", "0.525", "1"]
        );
    }
}
