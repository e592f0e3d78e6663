//! The fluid model of a BitTorrent-like swarm (Qiu & Srikant, "Modeling and performance
//! analysis of BitTorrent-like peer-to-peer networks", SIGCOMM 2004;
//! docs/validation.md#qiu-srikant-fluid-model).
//!
//! The swarm is two continuous populations, x leechers and y seeds:
//!
//! ```text
//!   dx/dt = λ − θ·x − min{ c·x, μ·(η·x + y) }      arrivals, aborts, completions
//!   dy/dt =           min{ c·x, μ·(η·x + y) } − γ·y completions, seed departures
//! ```
//!
//! λ is the arrival rate; c and μ a peer's download and upload rates counted in *files* per
//! unit time; θ the rate at which a leecher aborts; γ the rate at which a seed leaves; η ∈
//! (0, 1] the efficiency of leechers' upload (the fraction of it that finds a peer that needs
//! what the leecher has). Completions are limited either by what leechers can take in (c·x:
//! **download-constrained**) or by what the swarm can send out (μ(ηx + y):
//! **upload-constrained**).
//!
//! The steady state has a closed form ([`FluidParams::steady_state`]):
//!
//! ```text
//!   1/β = max{ 1/c, (1/η)(1/μ − 1/γ) },  x̄ = λ/(β + θ),  ȳ = λβ/(γ(β + θ)),  T = 1/(β + θ)
//! ```
//!
//! download-constrained when 1/c ≥ (1/η)(1/μ − 1/γ) (ties go to download), T being the mean
//! download time. A small fixed-step RK4 integrator ([`FluidParams::integrate`]) solves the
//! differential equations themselves, which checks the closed form and shows the transient.
//!
//! **Time unit.** The model only needs one consistent unit: every rate is "per unit time"
//! and x̄, ȳ are counts. [`FluidParams::from_scenario`] uses seconds, so T is in seconds; the
//! worked example (in minutes, docs/validation.md#qiu-srikant-fluid-model) is in this
//! module's tests.
//!
//! **Edge cases** (all explicit in [`FluidParams::steady_state`]):
//! - 1/μ − 1/γ ≤ 0 (a seed stays at least as long as it takes to upload one copy, γ ≤ μ):
//!   seeds alone keep up with any demand, the swarm is download-constrained whatever η is.
//! - γ = 0 (seeds never leave, `seed_time = "forever"`): download-constrained, x̄ and T are
//!   finite (the limits as t → ∞), but seeds accumulate without bound: ȳ = +∞ (serialized
//!   as `null` in JSON).
//! - γ = +∞ (peers leave on completion, `seed_time = "0s"`): ȳ = 0 and 1/γ = 0.
//! - λ = 0: the empty swarm, x̄ = ȳ = 0.
//!
//! **Aborts cost upload** ([`FluidParams::steady_state_with_partial_downloads`]). In the
//! equations above every unit of upload the swarm sends becomes part of a completed file:
//! a leecher that aborts leaves with nothing having been sent to it, so abandoned downloads
//! are free. Real ones are not: a user who gives up after half the file has taken half a
//! file of the swarm's upload, and that upload is lost. With θ > 0 the closed form therefore
//! predicts too few leechers and too short downloads in an upload-constrained swarm (on
//! `fluid-upload.toml` with θ = 1/240 per s it gives x̄ = 26.7, T = 80 s; the simulator
//! measures x̄ ≈ 42.5 and completed downloads taking ≈ 180 s), and, since its completions are
//! memoryless, the wrong leecher count in a download-constrained one too (x̄ = λ/(c + θ)
//! where a download of fixed length 1/c gives more).
//!
//! The extension keeps the fluid model's two assumptions — the swarm's upload
//! μ(ηx + y) (or the leechers' download c·x, whichever is smaller) is shared evenly by the
//! leechers, and a leecher abandons at rate θ (exponential patience τ, mean 1/θ) — and
//! follows one leecher instead of the population. In the steady state every leecher
//! receives at the same rate r (files per unit time), so it needs D = 1/r to complete and
//! stays S = min(τ, D):
//!
//! ```text
//!   P(complete) = P(τ > D) = e^(−θ/r)
//!   E[S] = ∫₀^D e^(−θt) dt = (1 − e^(−θ/r))/θ          (→ 1/r as θ → 0)
//!   x̄ = λ·E[S]                                         (Little's law)
//!   ȳ = λ·e^(−θ/r)/γ                                   (completions × mean seeding time)
//!   upload received per unit time = r·x̄ = λ·r·E[S]     (what arrivals take, files)
//! ```
//!
//! Balance: the rate r is what the swarm can supply per leecher, r·x̄ = μ(η·x̄ + ȳ), capped
//! by the download link, r ≤ c. Dividing by λ,
//!
//! ```text
//!   (r − μη)·(1 − e^(−θ/r))/θ = μ·e^(−θ/r)/γ,   r ≤ c
//! ```
//!
//! download-constrained (r = c) when at r = c the supply is at least the demand,
//! μ(ηx̄ + ȳ) ≥ c·x̄; otherwise upload-constrained with r the root below c (found by
//! bisection; when several rates balance — the seeds a faster swarm produces feed it back —
//! the fastest, the one a swarm that starts with its content available settles at). An
//! abandoning leecher has received on average (r·E\[S\] − e^(−θ/r))/(1 − e^(−θ/r)) of the
//! file, and the share of all upload spent on downloads that are then abandoned is
//! 1 − e^(−θ/r)/(r·E\[S\]) = 1 − (θ/r)·e^(−θ/r)/(1 − e^(−θ/r)). As θ → 0 the balance becomes
//! r(1 − μ/γ) = μη, i.e. 1/r = (1/η)(1/μ − 1/γ): Qiu & Srikant's β, x̄, ȳ and T exactly.
//! (Deterministic progress is the point: Qiu & Srikant's completions are memoryless, so an
//! aborting leecher in their model is one that had, on average, received as much as any
//! other; here progress accumulates, and a leecher's chance of finishing falls with the
//! time it needs.) E[min(τ, D)] for exponential τ is the standard truncated mean; the
//! derivation is this module's own, checked against the simulator in `tests/fluid.rs`
//! (within 5% for x̄, ȳ, T and the abandoned share in both regimes).
//!
//! **Mapping a scenario** ([`FluidParams::from_scenario`]) is an approximation: see its
//! documentation and [`scenario_caveats`] for what the model leaves out (the origin, the
//! initial seeds, class mixes, fixed seeding times, the arrival window, and the time a
//! leecher waits for its first piece, the main source of η < 1 in the simulator's swarms:
//! [`first_piece_delay_s`]).

use serde::Serialize;

use crate::scenario::{Arrivals, Policy, Scenario, SeedTime};

/// Parameters of the fluid model. Rates are per unit time (per second when built by
/// [`FluidParams::from_scenario`]); c and μ count whole files.
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FluidParams {
    /// λ: leecher arrival rate, peers per unit time (≥ 0).
    pub lambda: f64,
    /// c: download rate of one leecher, files per unit time (> 0, finite).
    pub c: f64,
    /// μ: upload rate of one peer, files per unit time (> 0, finite).
    pub mu: f64,
    /// θ: abort rate of one leecher, per unit time (≥ 0).
    pub theta: f64,
    /// γ: departure rate of one seed, per unit time (≥ 0; 0 = seeds never leave, +∞ = peers
    /// leave on completion).
    pub gamma: f64,
    /// η: efficiency of leechers' upload, in (0, 1].
    pub eta: f64,
}

/// Which resource limits completions in the steady state.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Regime {
    /// Leechers' download links are the bottleneck: 1/c ≥ (1/η)(1/μ − 1/γ).
    DownloadConstrained,
    /// The swarm's upload capacity is the bottleneck: 1/c < (1/η)(1/μ − 1/γ).
    UploadConstrained,
}

impl std::fmt::Display for Regime {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.write_str(match self {
            Regime::DownloadConstrained => "download-constrained",
            Regime::UploadConstrained => "upload-constrained",
        })
    }
}

/// The steady state of the fluid model (docs/validation.md#qiu-srikant-fluid-model).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct SteadyState {
    /// Which resource limits completions.
    pub regime: Regime,
    /// β: completion rate of one leecher, files per unit time; 1/β = max{1/c, (1/η)(1/μ − 1/γ)}.
    pub beta: f64,
    /// x̄: mean number of leechers.
    pub leechers: f64,
    /// ȳ: mean number of seeds (+∞ when γ = 0: seeds never leave and accumulate).
    pub seeds: f64,
    /// T: mean download time, in the parameters' time unit (seconds from a scenario).
    pub download_time: f64,
}

/// One point of an ODE trajectory ([`FluidParams::integrate`]).
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct FluidSample {
    /// Time since the start of the integration, in the parameters' time unit.
    pub t: f64,
    /// x(t): leechers.
    pub leechers: f64,
    /// y(t): seeds.
    pub seeds: f64,
}

/// Why the fluid model cannot be evaluated.
#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum FluidError {
    /// A parameter is out of its domain.
    #[error("fluid model: {name} = {value}: expected {expected}")]
    BadParameter {
        /// The parameter (`lambda`, `c`, `mu`, `theta`, `gamma` or `eta`).
        name: &'static str,
        /// The value given.
        value: f64,
        /// What the model needs.
        expected: &'static str,
    },
    /// The scenario has no Poisson arrival process, so no arrival rate λ.
    #[error(
        "fluid model: needs Poisson arrivals ([arrivals] process = \"poisson\"): the steady \
         state needs a constant arrival rate (for a flash crowd, see the Kumar–Ross bound that \
         `swarmsim run` prints)"
    )]
    NotPoisson,
    /// The scenario uses `policy = "http-only"`: there is no swarm.
    #[error(
        "fluid model: client.policy = \"http-only\" has no peer exchange, so no swarm to model"
    )]
    HttpOnly,
    /// A class or the whole mix has no upload or no download capacity.
    #[error("fluid model: {0}")]
    Scenario(String),
}

impl FluidParams {
    /// Checks every parameter's domain: λ ≥ 0, 0 < c, μ < ∞, θ ≥ 0, γ ≥ 0 (+∞ allowed),
    /// 0 < η ≤ 1; none NaN.
    pub fn validate(&self) -> Result<(), FluidError> {
        let bad = |name, value, expected| {
            Err(FluidError::BadParameter {
                name,
                value,
                expected,
            })
        };
        if !(self.lambda >= 0.0 && self.lambda.is_finite()) {
            return bad("lambda", self.lambda, "a finite arrival rate >= 0");
        }
        if !(self.c > 0.0 && self.c.is_finite()) {
            return bad(
                "c",
                self.c,
                "a finite download rate > 0 (files per unit time)",
            );
        }
        if !(self.mu > 0.0 && self.mu.is_finite()) {
            return bad(
                "mu",
                self.mu,
                "a finite upload rate > 0 (files per unit time)",
            );
        }
        if !(self.theta >= 0.0 && self.theta.is_finite()) {
            return bad("theta", self.theta, "a finite abort rate >= 0");
        }
        if self.gamma.is_nan() || self.gamma < 0.0 {
            return bad("gamma", self.gamma, "a seed departure rate >= 0 (or +inf)");
        }
        if !(self.eta > 0.0 && self.eta <= 1.0) {
            return bad("eta", self.eta, "an efficiency in (0, 1]");
        }
        Ok(())
    }

    /// (1/η)(1/μ − 1/γ): the time per file the swarm's upload needs per leecher, in the
    /// time unit; −∞ when γ = 0 (seeds never leave, upload never limits).
    fn upload_time(&self) -> f64 {
        if self.gamma == 0.0 {
            return f64::NEG_INFINITY;
        }
        (1.0 / self.mu - 1.0 / self.gamma) / self.eta
    }

    /// The closed-form steady state (Qiu & Srikant 2004); see the module docs for the edge
    /// cases.
    pub fn steady_state(&self) -> Result<SteadyState, FluidError> {
        self.validate()?;
        let download_time_per_file = 1.0 / self.c;
        let upload_time_per_file = self.upload_time();
        // Ties go to the download side, as in the module docs. When 1/μ − 1/γ ≤ 0 (including
        // γ = 0), the upload side is ≤ 0 < 1/c, so this is download-constrained.
        let (regime, inv_beta) = if download_time_per_file >= upload_time_per_file {
            (Regime::DownloadConstrained, download_time_per_file)
        } else {
            (Regime::UploadConstrained, upload_time_per_file)
        };
        let beta = 1.0 / inv_beta;
        let leechers = self.lambda / (beta + self.theta);
        let seeds = if self.lambda == 0.0 {
            0.0
        } else if self.gamma == 0.0 {
            f64::INFINITY
        } else {
            // Completions per unit time over γ (Little's law on seeds); 0 when γ = +∞.
            self.lambda * beta / (beta + self.theta) / self.gamma
        };
        Ok(SteadyState {
            regime,
            beta,
            leechers,
            seeds,
            download_time: 1.0 / (beta + self.theta),
        })
    }

    /// Right-hand side of the ODE at (x, y): (dx/dt, dy/dt), per unit time. With γ = +∞
    /// seeds leave as soon as they complete: y stays 0 and dy/dt is 0.
    pub fn derivative(&self, x: f64, y: f64) -> (f64, f64) {
        let completions = (self.c * x).min(self.mu * (self.eta * x + y));
        let dx = self.lambda - self.theta * x - completions;
        let dy = if self.gamma.is_infinite() {
            0.0
        } else {
            completions - self.gamma * y
        };
        (dx, dy)
    }

    /// Integrates the ODE from (x0, y0) at t = 0 to `t_end` with the classical fixed-step
    /// Runge–Kutta method (RK4) of step `dt` (the last step is shortened to land on `t_end`).
    /// Returns every step, starting with (0, x0, y0) and ending at `t_end`. Deterministic:
    /// the same inputs give bit-identical samples.
    ///
    /// The right-hand side has a kink where c·x = μ(ηx + y); RK4 stays accurate to O(dt)
    /// locally there, so use a step well below 1/c, 1/μ and 1/γ (e.g. 1/100 of the smallest).
    /// x and y are clamped at 0 after each step (the exact solution never leaves the
    /// positive quadrant: at x = 0, dx/dt = λ ≥ 0; at y = 0, dy/dt ≥ 0).
    pub fn integrate(
        &self,
        x0: f64,
        y0: f64,
        t_end: f64,
        dt: f64,
    ) -> Result<Vec<FluidSample>, FluidError> {
        self.validate()?;
        for (name, value, ok) in [
            ("x0", x0, x0 >= 0.0 && x0.is_finite()),
            ("y0", y0, y0 >= 0.0 && y0.is_finite()),
            ("t_end", t_end, t_end >= 0.0 && t_end.is_finite()),
            ("dt", dt, dt > 0.0 && dt.is_finite()),
        ] {
            if !ok {
                return Err(FluidError::BadParameter {
                    name,
                    value,
                    expected: "a finite value >= 0 (dt > 0)",
                });
            }
        }
        let y0 = if self.gamma.is_infinite() { 0.0 } else { y0 };
        let steps = (t_end / dt).ceil() as usize;
        let mut out = Vec::with_capacity(steps + 1);
        let (mut x, mut y) = (x0, y0);
        out.push(FluidSample {
            t: 0.0,
            leechers: x,
            seeds: y,
        });
        for i in 0..steps {
            let t = i as f64 * dt;
            let h = if i + 1 == steps { t_end - t } else { dt };
            let (k1x, k1y) = self.derivative(x, y);
            let (k2x, k2y) = self.derivative(x + 0.5 * h * k1x, y + 0.5 * h * k1y);
            let (k3x, k3y) = self.derivative(x + 0.5 * h * k2x, y + 0.5 * h * k2y);
            let (k4x, k4y) = self.derivative(x + h * k3x, y + h * k3y);
            x = (x + h / 6.0 * (k1x + 2.0 * k2x + 2.0 * k3x + k4x)).max(0.0);
            y = (y + h / 6.0 * (k1y + 2.0 * k2y + 2.0 * k3y + k4y)).max(0.0);
            out.push(FluidSample {
                t: if i + 1 == steps { t_end } else { t + h },
                leechers: x,
                seeds: y,
            });
        }
        Ok(out)
    }

    /// The fluid parameters of content `k` of a scenario (0 for a scenario of one content),
    /// per second, with leecher efficiency `eta`.
    ///
    /// - λ: the content's Poisson rate (`process = "poisson"`); any other process is an
    ///   error ([`FluidError::NotPoisson`]).
    /// - F = the content's size × 8 bits; c and μ are rates in bits/s divided by F.
    /// - μ: the share-weighted **arithmetic** mean of the classes' upload caps. Upload
    ///   capacity adds up, and seeding time does not depend on the class, so the seeds'
    ///   class mix is the arrivals' mix and μ·y is their exact total; for leechers it is
    ///   exact when all classes download at a similar pace (upload-constrained swarms).
    /// - c: the share-weighted **harmonic** mean of the download caps, 1/c = Σ share·F/d:
    ///   in a download-constrained swarm a class-k leecher takes F/d_k, so this 1/c is the
    ///   exact mean download time and λ/c the exact mean leecher count. (The arithmetic mean
    ///   would overestimate c, and so underestimate T, for a mix of slow and fast links:
    ///   on `scenarios/poisson-steady.toml` the harmonic mean predicts x̄ = 1.9 leechers and
    ///   T = 56.5 s, the simulator's Little's-law test measures 1.88 and about 56 s, while
    ///   the arithmetic mean would give 44 s.) With one class both means are exact.
    /// - γ = 1/mean seeding time: `exp(m)` → 1/m; a fixed `d` → 1/d (the model assumes
    ///   exponential times, but the steady-state means depend only on the mean, by Little's
    ///   law; transients differ); `"0s"` → +∞ (peers leave on completion, ȳ = 0);
    ///   `"forever"` → 0: no steady state for seeds (ȳ = +∞) and a download-constrained
    ///   swarm (see the module docs).
    /// - θ = `client.abort_rate` (per second; 0 = never). With θ > 0 use
    ///   [`FluidParams::steady_state_with_partial_downloads`]: the closed form treats
    ///   abandoned downloads as free (module docs).
    /// - `eta` is not in the scenario: 1 is the model's ideal; measured values for the
    ///   simulator's swarms are in `tests/fluid.rs`.
    ///
    /// The origin, the initial seeds and the finite arrival window are outside the model:
    /// [`scenario_caveats`] lists the ones that apply.
    pub fn from_scenario(s: &Scenario, k: usize, eta: f64) -> Result<FluidParams, FluidError> {
        let content = &s.contents[k];
        let Arrivals::Poisson { rate_per_s, .. } = content.arrivals else {
            return Err(FluidError::NotPoisson);
        };
        if content.policy.kind == Policy::HttpOnly {
            return Err(FluidError::HttpOnly);
        }
        let file_bits = content.size_bytes as f64 * 8.0;
        let total_share: f64 = s.classes.iter().map(|k| k.share).sum();
        let mean_up_bps = mean_upload_bps(s);
        if s.classes.iter().any(|k| k.download_bps == 0) {
            return Err(FluidError::Scenario(
                "a class has download 0: it never completes".into(),
            ));
        }
        let harmonic_down_bps = total_share
            / s.classes
                .iter()
                .map(|k| k.share / k.download_bps as f64)
                .sum::<f64>();
        if mean_up_bps <= 0.0 {
            return Err(FluidError::Scenario(
                "no class uploads (upload = 0 everywhere): μ = 0, the swarm never serves itself"
                    .into(),
            ));
        }
        let gamma = match &s.client.seed_time {
            SeedTime::Exponential(mean) | SeedTime::Fixed(mean) if mean.as_us() > 0 => {
                1.0 / mean.as_secs_f64()
            }
            SeedTime::Exponential(_) | SeedTime::Fixed(_) => f64::INFINITY,
            SeedTime::Empirical(v) => {
                let mean_s = v.iter().map(|d| d.as_secs_f64()).sum::<f64>() / v.len() as f64;
                if mean_s > 0.0 {
                    1.0 / mean_s
                } else {
                    f64::INFINITY
                }
            }
            SeedTime::Forever => 0.0,
        };
        let p = FluidParams {
            lambda: rate_per_s,
            c: harmonic_down_bps / file_bits,
            mu: mean_up_bps / file_bits,
            theta: s.client.abort_rate_per_s,
            gamma,
            eta,
        };
        p.validate()?;
        Ok(p)
    }
}

/// The steady state when abandoned downloads cost the upload they took (module docs,
/// "Aborts cost upload"). With θ = 0 it equals [`FluidParams::steady_state`].
#[derive(Debug, Clone, Copy, PartialEq, Serialize)]
pub struct PartialSteadyState {
    /// Which resource limits the leechers' progress.
    pub regime: Regime,
    /// r: the rate at which every leecher receives, files per unit time (c when
    /// download-constrained).
    pub rate: f64,
    /// x̄: mean number of leechers (downloads that will complete or be abandoned).
    pub leechers: f64,
    /// ȳ: mean number of seeds (+∞ when γ = 0).
    pub seeds: f64,
    /// 1/r: how long a completed download took, in the time unit.
    pub download_time: f64,
    /// x̄/λ: how long a leecher stays on average, abandoned downloads included.
    pub mean_stay: f64,
    /// e^(−θ/r): share of downloads that complete.
    pub completed_share: f64,
    /// Mean fraction of the file an abandoned download had received (0 when θ = 0).
    pub abandoned_fraction_received: f64,
    /// Share of the upload leechers receive that goes to downloads later abandoned.
    pub wasted_upload_share: f64,
}

impl FluidParams {
    /// E[min(τ, 1/r)] = (1 − e^(−θ/r))/θ, the mean stay of a leecher receiving at rate r.
    fn mean_stay_at(&self, r: f64) -> f64 {
        if self.theta == 0.0 {
            1.0 / r
        } else {
            -(-self.theta / r).exp_m1() / self.theta
        }
    }

    /// Upload supply minus demand per arriving leecher at rate r, files:
    /// μ(η·E[S] + e^(−θ/r)/γ + extra/λ) − r·E[S] (the balance of the module docs over λ).
    fn partial_excess(&self, r: f64, extra_upload: f64) -> f64 {
        let stay = self.mean_stay_at(r);
        let seeds = if self.gamma.is_infinite() {
            0.0
        } else {
            (-self.theta / r).exp() / self.gamma
        };
        self.mu * (self.eta * stay + seeds + extra_upload / self.lambda) - r * stay
    }

    /// The steady state in which partial downloads consume upload (module docs, "Aborts
    /// cost upload"). `extra_upload` is upload capacity outside the swarm's leechers and
    /// seeds, in peer uploads (μ each): 0 for the model proper; initial seeds add their
    /// capacity, and leechers that cannot upload yet (waiting for their first piece) take
    /// away η each. With θ = 0 and no extra upload it equals [`FluidParams::steady_state`].
    pub fn steady_state_with_partial_downloads(
        &self,
        extra_upload: f64,
    ) -> Result<PartialSteadyState, FluidError> {
        self.validate()?;
        if !extra_upload.is_finite() {
            return Err(FluidError::BadParameter {
                name: "extra_upload",
                value: extra_upload,
                expected: "a finite number of peer uploads",
            });
        }
        let download = self.lambda == 0.0
            || self.gamma == 0.0
            || self.partial_excess(self.c, extra_upload) >= 0.0;
        let (regime, rate) = if download {
            (Regime::DownloadConstrained, self.c)
        } else {
            // The supply exceeds the demand as r → 0 (everyone stays 1/θ, or 1/r → ∞ with
            // θ = 0, and takes almost nothing), and falls short at c: scan down from c on a
            // geometric grid for the first rate where it suffices (the fastest balance),
            // then bisect between it and the grid point above.
            let mut hi = self.c;
            let mut lo = hi;
            let mut found = false;
            for _ in 0..4096 {
                lo = hi * 0.995;
                if self.partial_excess(lo, extra_upload) >= 0.0 {
                    found = true;
                    break;
                }
                hi = lo;
            }
            if !found {
                return Err(FluidError::Scenario(
                    "fluid model with aborts: no rate balances upload and demand".into(),
                ));
            }
            for _ in 0..200 {
                let mid = 0.5 * (lo + hi);
                if self.partial_excess(mid, extra_upload) >= 0.0 {
                    lo = mid;
                } else {
                    hi = mid;
                }
            }
            (Regime::UploadConstrained, lo)
        };
        let stay = self.mean_stay_at(rate);
        let completed_share = (-self.theta / rate).exp();
        let seeds = if self.lambda == 0.0 || self.gamma.is_infinite() {
            0.0
        } else if self.gamma == 0.0 {
            f64::INFINITY
        } else {
            self.lambda * completed_share / self.gamma
        };
        let received = rate * stay; // files per arrival
        let abandoned_fraction_received = if completed_share < 1.0 {
            (received - completed_share) / (1.0 - completed_share)
        } else {
            0.0
        };
        Ok(PartialSteadyState {
            regime,
            rate,
            leechers: self.lambda * stay,
            seeds,
            download_time: 1.0 / rate,
            mean_stay: stay,
            completed_share,
            abandoned_fraction_received,
            wasted_upload_share: 1.0 - completed_share / received,
        })
    }
}

/// Time in seconds a newly arrived leecher waits for its first complete piece, the earliest
/// it can upload anything: (`upload_slots` + `optimistic_slots`) × piece bits / mean upload
/// cap (share-weighted), i.e. one piece over one upload slot of a busy uploader, since
/// every uploader splits its link among that many unchoked peers.
///
/// In an upload-constrained swarm the fluid model's η is about 1 − this / T: leechers in
/// their first-piece phase (λ × this of them, by Little's law) add no upload. Measured
/// against the simulator in `sim-core/tests/fluid.rs`.
pub fn first_piece_delay_s(s: &Scenario, k: usize) -> f64 {
    let slots = (s.protocol.upload_slots + s.protocol.optimistic_slots) as f64;
    let c = &s.contents[k];
    slots * c.piece_size_bytes.min(c.size_bytes) as f64 * 8.0 / mean_upload_bps(s)
}

/// Share-weighted arithmetic mean of the classes' upload caps, bits/s.
fn mean_upload_bps(s: &Scenario) -> f64 {
    let total_share: f64 = s.classes.iter().map(|k| k.share).sum();
    s.classes
        .iter()
        .map(|k| k.share * k.upload_bps as f64)
        .sum::<f64>()
        / total_share
}

/// What the fluid model leaves out of scenario `s`, one sentence each, with `p` the
/// parameters [`FluidParams::from_scenario`] built from it: the origin and the initial seeds
/// (extra upload capacity; they lower x̄ and T when upload-constrained), class mixes and
/// cap spreads, the audience (HTTP-only users, upload switched off, NAT), a seeding upload
/// cap, online/offline sessions, fixed seeding times, seeds that never leave, the
/// first-piece delay of upload-constrained swarms ([`first_piece_delay_s`]), and an
/// arrival window too short to settle.
/// Empty when the model describes the scenario as well as it can.
pub fn scenario_caveats(s: &Scenario, k: usize, p: &FluidParams) -> Vec<String> {
    let mut out = Vec::new();
    let content = &s.contents[k];
    if s.contents.len() > 1 {
        out.push(format!(
            "catalog: {:?} shares the origin with {} other content(s); the model sees this \
             content's swarm alone",
            content.name,
            s.contents.len() - 1
        ));
    }
    let steady = p.steady_state().ok();
    let effect = match steady.map(|ss| ss.regime) {
        Some(Regime::UploadConstrained) => {
            "upload-constrained, each peer upload of extra capacity removes about 1/η \
             leechers from x̄ and shortens T accordingly"
        }
        _ => "download-constrained, extra upload capacity changes nothing in the model",
    };
    let file_bits = content.size_bytes as f64 * 8.0;
    let peer_up_bps = p.mu * file_bits;
    let eq = |bps: f64| bps / peer_up_bps;
    if s.origin.capacity_bps > 0 {
        let bps = s.origin.capacity_bps as f64;
        out.push(format!(
            "origin: {} of extra upload capacity (= {:.1} peer uploads) is not in the model; \
             {effect}",
            crate::units::fmt_rate(bps),
            eq(bps)
        ));
    }
    let own_seeds = || s.seeds.iter().filter(|g| g.content as usize == k);
    let seed_count: u64 = own_seeds().map(|g| g.count as u64).sum();
    if seed_count > 0 {
        let bps: f64 = own_seeds()
            .map(|g| g.count as f64 * g.upload_bps as f64)
            .sum();
        out.push(format!(
            "initial seeds: {seed_count} seed(s) uploading {} in total (= {:.1} peer uploads) \
             stay for the whole run and are not in the model (ȳ counts completed peers only); \
             {effect}",
            crate::units::fmt_rate(bps),
            eq(bps)
        ));
    }
    if s.classes.len() > 1 {
        out.push(format!(
            "{} peer classes: μ is the share-weighted mean upload, c the share-weighted \
             harmonic mean download (exact for T when download-constrained); classes that \
             are constrained differently are not modelled",
            s.classes.len()
        ));
    }
    if let Some(k) = s.classes.iter().find(|k| k.cap_sigma > 0.0) {
        out.push(format!(
            "class {:?}: caps spread lognormally (cap_sigma = {}); the model uses the class \
             values (the medians), so μ is somewhat low and c somewhat high",
            k.name, k.cap_sigma
        ));
    }
    let a = &s.audience;
    if a.p2p_share < 1.0 {
        out.push(format!(
            "audience.p2p_share = {}: only that share of arrivals joins the swarm (the others \
             use HTTP alone); the model takes every arrival as a peer, so scale λ, x̄ and ȳ by \
             it for the swarm alone",
            a.p2p_share
        ));
    }
    if a.upload_off_share > 0.0 {
        out.push(format!(
            "audience.upload_off_share = {}: that share of peers uploads nothing; the model's \
             μ does not include it (the swarm's mean upload is μ × {:.3})",
            a.upload_off_share,
            1.0 - a.upload_off_share
        ));
    }
    if a.nat_share > 0.0 {
        out.push(format!(
            "audience.nat_share = {}: NATed peers cannot connect to each other, which lowers \
             η in ways the model does not capture",
            a.nat_share
        ));
    }
    if let Some(cap_bps) = s.client.seed_upload_bps {
        out.push(format!(
            "client.seed_upload = {}: completed peers upload at most that, the model assumes \
             seeds upload like leechers (μ)",
            crate::units::fmt_rate(cap_bps as f64)
        ));
    }
    if s.sessions.is_some() {
        out.push(
            "[sessions]: peers go offline and come back; the model assumes they stay online \
             from arrival to departure"
                .into(),
        );
    }
    match &s.client.seed_time {
        SeedTime::Fixed(d) if d.as_us() > 0 => out.push(
            "fixed seeding time: the model assumes exponential seeding; the steady-state means \
             depend only on the mean (Little's law), the transient differs"
                .into(),
        ),
        SeedTime::Forever => out.push(
            "seed_time = \"forever\": γ = 0, seeds accumulate without bound (no steady state \
             for ȳ); x̄ and T are the long-run limits"
                .into(),
        ),
        _ => {}
    }
    if p.theta > 0.0 {
        let free = steady.map_or(String::new(), |ss| {
            format!(" (x̄ = {:.1}, T = {:.1} s)", ss.leechers, ss.download_time)
        });
        out.push(format!(
            "aborts (θ = {:.6}/s): Qiu & Srikant's closed form treats abandoned downloads as \
             free{free}; a user who gives up has taken upload from the swarm. The figures \
             given charge it (the partial-download extension, sim-core/src/fluid/mod.rs): more \
             leechers, longer downloads",
            p.theta
        ));
    }
    if let Some(ss) = steady {
        if ss.regime == Regime::UploadConstrained {
            let t1 = first_piece_delay_s(s, k);
            out.push(format!(
                "pieces: a leecher uploads nothing until its first piece is complete, about \
                 (upload_slots + optimistic_slots) × piece / upload = {t1:.1} s; \
                 upload-constrained, that adds about {t1:.1} s to T, i.e. η ≈ 1 − {t1:.1} s / T \
                 (see sim-core/tests/fluid.rs)"
            ));
        }
    }
    if let (Arrivals::Poisson { start, until, .. }, Some(ss)) = (&content.arrivals, steady) {
        let window_s = until.since(*start).as_secs_f64();
        let settle_s = ss.download_time + if p.gamma > 0.0 { 1.0 / p.gamma } else { 0.0 };
        if window_s < 10.0 * settle_s {
            out.push(format!(
                "arrival window {:.0} s is shorter than 10 × (T + 1/γ) = {:.0} s: the swarm \
                 spends much of it away from the steady state",
                window_s,
                10.0 * settle_s
            ));
        }
    }
    out
}

#[cfg(test)]
mod tests;
