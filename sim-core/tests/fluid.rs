//! The stochastic simulator against the fluid model of Qiu & Srikant (SIGCOMM 2004;
//! docs/validation.md#qiu-srikant-fluid-model), in both of its regimes.
//!
//! Each test runs a shipped scenario (`scenarios/fluid-upload.toml`,
//! `scenarios/fluid-download.toml`): Poisson arrivals with λT = 40, 64 pieces, exponential
//! seeding, one peer class (so c and μ are exact), no origin, and one initial seed (the
//! publisher: the content must exist) that uploads like one peer. It compares, over a window
//! after a warm-up, the time-averaged leechers x̄ and seeds ȳ (the publisher excluded) of the
//! simulator's time series, and the mean download time T of the peers that arrived in the
//! window, with the fluid steady state. Predictions use the arrival rate λ̂ realised in the
//! window (the fluid model's input), which removes the Poisson noise of the arrival count.
//!
//! `cargo test -p sim-core --test fluid -- --nocapture` prints the figures as table rows
//! (the README's validation table).

mod common;

use sim_core::fluid::{first_piece_delay_s, FluidParams, Regime};
use sim_core::{run, RunOutput, Scenario};

/// Start of the measurement window, seconds: 30 min. The fluid ODE started from an empty
/// swarm settles (within 2% for good) after about 17 min in both scenarios (asserted:
/// the warm-up is at least 1.5 times that). The simulator starts
/// worse: until the publisher has pushed out a first full copy, leechers pile up (about 12
/// min here, the "missing piece" transient of a seed no faster than one peer); time series
/// of several seeds are flat after 30 min.
const WARM_UP_S: f64 = 1800.0;

/// The window ends this long before arrivals stop (the swarm drains afterwards), seconds.
/// Peers that arrive before it complete, with room to spare, before arrivals stop.
const TAIL_S: f64 = 900.0;

/// Length of a batch for the batch-means standard errors, seconds: several times the
/// correlation time of the counts (≤ 1/μη ≈ 4 min, the fluid model's relaxation time).
const BATCH_S: f64 = 900.0;

/// What one run measured in the window [t0, t1).
#[derive(Debug)]
struct Measured {
    /// Arrivals per second in the window.
    lambda: f64,
    /// Time-averaged leechers.
    leechers: f64,
    /// Time-averaged seeds, initial seeds excluded.
    seeds: f64,
    /// Mean download time, seconds, of the peers that arrived in the window.
    download_time_s: f64,
    /// Peers that arrived in the window.
    peers: usize,
    /// Batch-means standard errors of `leechers`, `seeds` and `download_time_s`.
    se: (f64, f64, f64),
}

fn mean(v: &[f64]) -> f64 {
    v.iter().sum::<f64>() / v.len() as f64
}

/// Standard error of the mean of a stationary sequence (in time order) by batch means.
fn batch_se(v: &[f64], batches: usize) -> f64 {
    let per = v.len() / batches;
    let means: Vec<f64> = v.chunks(per).take(batches).map(mean).collect();
    let m = mean(&means);
    let var = means.iter().map(|b| (b - m).powi(2)).sum::<f64>() / (batches - 1) as f64;
    (var / batches as f64).sqrt()
}

/// The measurement window (after the warm-up, before the tail) and, in it, the leechers
/// and the seeds that are not initial seeds, one value per sample interval.
fn window_series(s: &Scenario, out: &RunOutput) -> (f64, f64, Vec<f64>, Vec<f64>) {
    let sim_core::scenario::Arrivals::Poisson { until, .. } = s.contents[0].arrivals else {
        panic!("fluid scenarios have Poisson arrivals");
    };
    let (t0, t1) = (WARM_UP_S, until.as_secs_f64() - TAIL_S);
    let initial_seeds: u32 = s.seeds.iter().map(|g| g.count).sum();
    let rows: Vec<_> = out
        .timeseries
        .iter()
        .filter(|r| r.time_s > t0 && r.time_s <= t1)
        .collect();
    let x: Vec<f64> = rows.iter().map(|r| r.active_leechers as f64).collect();
    let y: Vec<f64> = rows
        .iter()
        .map(|r| r.active_seeds as f64 - initial_seeds as f64)
        .collect();
    (t0, t1, x, y)
}

fn measure(s: &Scenario, out: &RunOutput) -> Measured {
    let (t0, t1, x, y) = window_series(s, out);
    let times: Vec<f64> = out
        .peers
        .iter()
        .filter(|p| (t0..t1).contains(&p.arrival.as_secs_f64()))
        .map(|p| p.download_time_s().expect("every peer completes"))
        .collect();
    let batches = ((t1 - t0) / BATCH_S) as usize;
    Measured {
        lambda: times.len() as f64 / (t1 - t0),
        leechers: mean(&x),
        seeds: mean(&y),
        download_time_s: mean(&times),
        peers: times.len(),
        se: (
            batch_se(&x, batches),
            batch_se(&y, batches),
            batch_se(&times, batches),
        ),
    }
}

/// Time, seconds, after which the fluid ODE from an empty swarm stays within 2% of its
/// steady state (x and y).
fn fluid_settling_time_s(p: &FluidParams) -> f64 {
    let ss = p.steady_state().unwrap();
    let traj = p.integrate(0.0, 0.0, 4.0 * WARM_UP_S, 0.5).unwrap();
    let last_out = traj.iter().rev().find(|q| {
        (q.leechers - ss.leechers).abs() > 0.02 * ss.leechers
            || (q.seeds - ss.seeds).abs() > 0.02 * ss.seeds
    });
    let settle = last_out.map_or(0.0, |q| q.t);
    assert!(
        settle < traj.last().unwrap().t,
        "the ODE never settles: {p:?}"
    );
    settle
}

fn rel(got: f64, want: f64) -> f64 {
    (got - want) / want
}

/// Qiu & Srikant, upload-constrained: the worked example (λ = 2/min, c = 1/10, μ = 1/40,
/// γ = 1/20 per min) with time compressed 10× (`scenarios/fluid-upload.toml`): the fluid
/// model with η = 1 predicts x̄ = ȳ = 40, T = 120 s.
///
/// **η < 1, measured and explained.** The simulator has x̄ ≈ 46–47, not 40: the effective
/// efficiency η̂ = (λ/μ − ȳ − s₀)/x̄ (from the fluid balance λ = μ(ηx̄ + ȳ + s₀), s₀ = 1 the
/// publisher's capacity in peer uploads) is 0.84 (10 seeds: 0.830–0.854; printed). Its
/// cause is piece granularity: a leecher uploads nothing until its first 375 kB piece is
/// complete, which takes t₁ ≈ (4 + 1 slots) × piece / u = 18.75 s since every uploader
/// splits its link over 5 unchoked peers ([`first_piece_delay_s`]). λt₁ leechers are in
/// that phase, so the balance becomes λ = μ(x̄ − λt₁ + ȳ + s₀), i.e.
/// x̄ = λ(1/μ − 1/γ) − s₀ + λt₁ = 45.2 and η = 1 − t₁/T = 0.86. This prediction is not
/// fitted: on the same scenario with 32, 128 and 256 pieces it gives x̄ = 51.5, 42.1 and
/// 40.6 against 51.1, 42.4 and 41.0 simulated (η̂ = 0.78, 0.93, 0.96). The test asserts x̄
/// and T against it, ȳ against λ/γ (which does not depend on η), and η̂ within a band
/// around its measured value.
///
/// **Tolerances**, from 10 seeds (2,700 arrivals each in the 2 h 15 min window):
/// - ȳ vs λ/γ: Little's law, no bias (mean −0.6%); spread 2.8% (one standard deviation),
///   extremes −4.8% and +4.2%. Tolerance 10% (3.5σ).
/// - x̄ and T vs the first-piece prediction: bias +3% (η̂ 0.84 vs 0.86: the model ignores
///   upload slots left idle while a leecher's neighbours are not yet interested, and the
///   endgame), spread 2.5%, extremes −1.4% and +6.7%. Tolerance 12% (bias + 3.5σ). Against
///   the η = 1 model they are 15–20% high: that is η, reported, not a tolerance.
/// - η̂: 0.842 ± 0.007; band [0.80, 0.90] (4σ), which halving or doubling the piece count
///   leaves (0.78 with 32 pieces, 0.93 with 128).
///
/// The batch-means errors the test prints (15-min batches, 2–3.5% for x̄) are cruder than
/// the spread across seeds: the swarm's damped oscillation (period ≈ 25 min) correlates
/// neighbouring batches. x̄ and ȳ are anticorrelated (their sum is set by the upload
/// capacity). The publisher is subtracted (s₀) rather than absorbed in the tolerance: it is
/// 1/80 of the capacity, 2.5% of x̄.
#[test]
fn upload_constrained_swarm_matches_the_fluid_model() {
    let s = common::shipped("fluid-upload.toml", &[]);
    let p = FluidParams::from_scenario(&s, 0, 1.0).unwrap();
    let nominal = p.steady_state().unwrap();
    assert_eq!(nominal.regime, Regime::UploadConstrained);
    assert!((nominal.leechers - 40.0).abs() < 1e-9 && (nominal.seeds - 40.0).abs() < 1e-9);
    assert!((nominal.download_time - 120.0).abs() < 1e-9);
    let settle = fluid_settling_time_s(&p);
    assert!(
        WARM_UP_S >= 1.5 * settle,
        "warm-up {WARM_UP_S} s vs settling {settle} s"
    );

    let out = run(&s);
    common::assert_conservation(&s, &out);
    let m = measure(&s, &out);

    let pure = FluidParams {
        lambda: m.lambda,
        ..p
    }
    .steady_state()
    .unwrap();
    let peer_up = s.classes[0].upload_bps as f64;
    let s0: f64 = s
        .seeds
        .iter()
        .map(|g| g.count as f64 * g.upload_bps as f64 / peer_up)
        .sum();
    let t1 = first_piece_delay_s(&s, 0);
    let x_pred = pure.leechers - s0 + m.lambda * t1;
    let t_pred = x_pred / m.lambda;
    let eta_hat = (m.lambda / p.mu - m.seeds - s0) / m.leechers;
    let eta_piece = 1.0 - t1 / t_pred;
    println!(
        "| upload-constrained | {:.1} | {} | {:.2} ± {:.2} | {:.1} / {:.2} | {:.2} ± {:.2} | {:.1} \
         | {:.1} ± {:.1} s | {:.1} / {:.1} s | η̂ = {:.3} (first piece: {:.3}, t₁ = {:.2} s) |",
        m.lambda * pure.download_time,
        m.peers,
        m.leechers,
        m.se.0,
        pure.leechers,
        x_pred,
        m.seeds,
        m.se.1,
        pure.seeds,
        m.download_time_s,
        m.se.2,
        pure.download_time,
        t_pred,
        eta_hat,
        eta_piece,
        t1
    );
    println!(
        "  columns: regime | λT | peers in window | x̄ sim ± se | x̄ fluid η=1 / first-piece \
         | ȳ sim ± se | ȳ fluid | T sim ± se | T fluid η=1 / first-piece | η"
    );
    assert!(
        rel(m.seeds, pure.seeds).abs() <= 0.10,
        "seeds: {:.2} vs λ/γ = {:.2}",
        m.seeds,
        pure.seeds
    );
    assert!(
        rel(m.leechers, x_pred).abs() <= 0.12,
        "leechers: {:.2} vs first-piece fluid {x_pred:.2} (η=1: {:.2})",
        m.leechers,
        pure.leechers
    );
    assert!(
        rel(m.download_time_s, t_pred).abs() <= 0.12,
        "download time: {:.1} s vs first-piece fluid {t_pred:.1} s (η=1: {:.1} s)",
        m.download_time_s,
        pure.download_time
    );
    assert!(
        (0.80..=0.90).contains(&eta_hat),
        "efficiency η̂ = {eta_hat:.3} outside [0.80, 0.90]"
    );
}

/// Qiu & Srikant, download-constrained (`scenarios/fluid-download.toml`): upload is twice
/// download, so every leecher is limited by its own link; the fluid model predicts
/// x̄ = λ/c = 40, ȳ = λ/γ = 10, T = 1/c = F/d = 240 s, whatever η is (above 1/4).
///
/// **Tolerances**, from 10 seeds (1,950 arrivals each in the 3 h 15 min window):
/// - T vs F/d: every leecher downloads at its cap, so T is nearly deterministic; it exceeds
///   F/d by +0.9% to +1.0% (request round trips of 2 × 25 ms on new connections, the 1 ms
///   completion grid, the endgame). Tolerance 3%.
/// - x̄ vs λ/c: x̄ = λT by Little's law, so it carries T's +1%; with λ̂ realised in the
///   window the spread is only 0.3% (extremes +0.4%, +1.4%). Tolerance 5%.
/// - ȳ vs λ/γ: no bias (Little's law; mean +1.2%); a small count (10) with a short memory
///   (1/γ = 1 min) spreads 2.6% (extremes −3.0%, +4.9%). Tolerance 10% (3.8σ).
///
/// The publisher adds capacity that does not matter here (download-constrained) and is not
/// counted in ȳ.
#[test]
fn download_constrained_swarm_matches_the_fluid_model() {
    let s = common::shipped("fluid-download.toml", &[]);
    let p = FluidParams::from_scenario(&s, 0, 1.0).unwrap();
    let nominal = p.steady_state().unwrap();
    assert_eq!(nominal.regime, Regime::DownloadConstrained);
    assert!((nominal.leechers - 40.0).abs() < 1e-9 && (nominal.seeds - 10.0).abs() < 1e-9);
    assert!((nominal.download_time - 240.0).abs() < 1e-9);
    // The regime holds for any efficiency above 1/4.
    let low_eta = FluidParams { eta: 0.26, ..p }.steady_state().unwrap();
    assert_eq!(low_eta.regime, Regime::DownloadConstrained);
    let settle = fluid_settling_time_s(&p);
    assert!(
        WARM_UP_S >= 1.5 * settle,
        "warm-up {WARM_UP_S} s vs settling {settle} s"
    );

    let out = run(&s);
    common::assert_conservation(&s, &out);
    let m = measure(&s, &out);

    let pred = FluidParams {
        lambda: m.lambda,
        ..p
    }
    .steady_state()
    .unwrap();
    println!(
        "| download-constrained | {:.1} | {} | {:.2} ± {:.2} | {:.2} | {:.2} ± {:.2} | {:.2} \
         | {:.1} ± {:.1} s | {:.1} s | η irrelevant |",
        m.lambda * pred.download_time,
        m.peers,
        m.leechers,
        m.se.0,
        pred.leechers,
        m.seeds,
        m.se.1,
        pred.seeds,
        m.download_time_s,
        m.se.2,
        pred.download_time,
    );
    println!(
        "  columns: regime | λT | peers in window | x̄ sim ± se | x̄ fluid | ȳ sim ± se | ȳ fluid \
         | T sim ± se | T fluid"
    );
    assert!(
        rel(m.leechers, pred.leechers).abs() <= 0.05,
        "leechers: {:.2} vs λ/c = {:.2}",
        m.leechers,
        pred.leechers
    );
    assert!(
        rel(m.seeds, pred.seeds).abs() <= 0.10,
        "seeds: {:.2} vs λ/γ = {:.2}",
        m.seeds,
        pred.seeds
    );
    assert!(
        rel(m.download_time_s, pred.download_time).abs() <= 0.03,
        "download time: {:.1} s vs 1/c = {:.1} s",
        m.download_time_s,
        pred.download_time
    );
}

/// What a run with aborts measured in the window: as [`Measured`], with the download time
/// of the completed downloads only and the share of downloads abandoned.
#[derive(Debug)]
struct MeasuredAborts {
    lambda: f64,
    leechers: f64,
    seeds: f64,
    /// Mean download time of the downloads that completed, seconds.
    download_time_s: f64,
    /// Share of the window's arrivals that abandoned.
    abandoned_share: f64,
}

fn measure_aborts(s: &Scenario, out: &RunOutput) -> MeasuredAborts {
    let (t0, t1, x, y) = window_series(s, out);
    let window: Vec<_> = out
        .peers
        .iter()
        .filter(|p| (t0..t1).contains(&p.arrival.as_secs_f64()))
        .collect();
    let times: Vec<f64> = window.iter().filter_map(|p| p.download_time_s()).collect();
    let abandoned = window.iter().filter(|p| p.aborted).count();
    assert_eq!(times.len() + abandoned, window.len());
    MeasuredAborts {
        lambda: window.len() as f64 / (t1 - t0),
        leechers: mean(&x),
        seeds: mean(&y),
        download_time_s: mean(&times),
        abandoned_share: abandoned as f64 / window.len() as f64,
    }
}

/// Issue 7 point 9: with aborts (θ = 1/240 per s, a mean patience of 4 min, so about half
/// the downloads are abandoned) the simulator against the fluid model in both regimes.
/// Qiu & Srikant's closed form treats abandoned downloads as free and misses badly (x̄ 26.7
/// vs ≈ 42.5 measured upload-constrained, 20.0 vs ≈ 25.9 download-constrained); the
/// partial-download extension (`steady_state_with_partial_downloads`, derived in
/// `fluid.rs`) charges the upload they took. Inputs as in the tests above: the realised λ̂;
/// upload-constrained, the publisher's capacity (s₀ = 1 peer upload) added and the leechers
/// still waiting for their first piece (λ̂(1 − e^(−θt₁))/θ of them, t₁ from
/// [`first_piece_delay_s`]) taken away, as `extra_upload` — the same first-piece
/// correction, not fitted to these runs.
///
/// **Tolerances**, from seeds 1–6 of each scenario (2,600–2,800 and 1,930–2,040 arrivals in
/// the window), errors of the extension:
/// - x̄: −0.6% to +1.9% upload-, −1.1% to +1.9% download-constrained. Tolerance 5%.
/// - T of completed downloads: −0.5% to +3.0% and +2.3% to +3.1% (download-constrained:
///   the +1% of round trips and endgame seen without aborts, and completing downloads
///   are the ones that were not slowed). Tolerance 5%.
/// - abandoned share (about 0.53 and 0.63): +0.5% to +5.5% relative (a download that takes
///   3% longer than 1/r is abandoned a little more often). Tolerance 0.05 absolute.
/// - ȳ (about 19 and 3.7 seeds; few seeds with a 1- or 2-minute memory): −5.5% to +5.4%
///   and −0.8% to −10.8%. Tolerance 15%.
///
/// Upload-constrained, with seeds choking as mainline does (they keep the peers they
/// unchoked recently), the swarm is not the equal-rate swarm the extension assumes: seeds
/// concentrate their upload on a few peers, which finish, while the others wait with
/// little received, so fewer bytes go to downloads that are later abandoned. Seeds 1–6
/// then measure x̄ −8.2% to −4.5%, T −12% to −7% and the abandoned share −0.04 to −0.01
/// against the extension (which charges the most waste), far above the closed form (which
/// charges none). Tolerances there: x̄ −10%/+5%, T −15%/+5%, abandoned 0.05.
///
/// The closed form is asserted to miss x̄ by more than 15% in both: the test fails with the
/// model that treats aborts as free.
#[test]
fn aborted_downloads_cost_upload_as_the_extended_fluid_model_says() {
    let theta = "0.25/min";
    for (file, regime) in [
        ("fluid-upload.toml", Regime::UploadConstrained),
        ("fluid-download.toml", Regime::DownloadConstrained),
    ] {
        let set = format!("client.abort_rate={theta}");
        let s = common::shipped(file, &[set.as_str()]);
        let p = FluidParams::from_scenario(&s, 0, 1.0).unwrap();
        assert!((p.theta - 1.0 / 240.0).abs() < 1e-15);
        let out = run(&s);
        common::assert_conservation(&s, &out);
        let m = measure_aborts(&s, &out);
        let p = FluidParams {
            lambda: m.lambda,
            ..p
        };
        let peer_up = s.classes[0].upload_bps as f64;
        let s0: f64 = s
            .seeds
            .iter()
            .map(|g| g.count as f64 * g.upload_bps as f64 / peer_up)
            .sum();
        let t1 = first_piece_delay_s(&s, 0);
        let waiting = m.lambda * -(-p.theta * t1).exp_m1() / p.theta;
        let extra = s0 - p.eta * waiting;
        let q = p.steady_state_with_partial_downloads(extra).unwrap();
        let free = p.steady_state().unwrap();
        assert_eq!(q.regime, regime);
        println!(
            "| {regime} θ = 1/240 s | x̄ {:.2} sim, {:.2} extended, {:.2} closed form | ȳ {:.2} / \
             {:.2} / {:.2} | T {:.1} s / {:.1} s | abandoned {:.3} / {:.3} |",
            m.leechers,
            q.leechers,
            free.leechers,
            m.seeds,
            q.seeds,
            free.seeds,
            m.download_time_s,
            q.download_time,
            m.abandoned_share,
            1.0 - q.completed_share
        );
        // (lowest, highest) relative error allowed for x̄ and for T; see above.
        let (x_tol, t_tol) = match regime {
            Regime::UploadConstrained => ((-0.10, 0.05), (-0.15, 0.05)),
            Regime::DownloadConstrained => ((-0.05, 0.05), (-0.05, 0.05)),
        };
        let within = |e: f64, (lo, hi): (f64, f64)| (lo..=hi).contains(&e);
        assert!(
            within(rel(m.leechers, q.leechers), x_tol),
            "{file}: leechers {:.2} vs {:.2}",
            m.leechers,
            q.leechers
        );
        assert!(
            within(rel(m.download_time_s, q.download_time), t_tol),
            "{file}: download time {:.1} vs {:.1}",
            m.download_time_s,
            q.download_time
        );
        assert!(
            (m.abandoned_share - (1.0 - q.completed_share)).abs() <= 0.05,
            "{file}: abandoned {:.3} vs {:.3}",
            m.abandoned_share,
            1.0 - q.completed_share
        );
        assert!(
            rel(m.seeds, q.seeds).abs() <= 0.15,
            "{file}: seeds {:.2} vs {:.2}",
            m.seeds,
            q.seeds
        );
        assert!(
            rel(m.leechers, free.leechers) > 0.15,
            "{file}: the closed form ({:.2}) should miss x̄ = {:.2}",
            free.leechers,
            m.leechers
        );
    }
}
