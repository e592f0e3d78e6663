//! Unit tests of the fluid model: the worked example, both regimes, the integrator and
//! the partial-download extension.

use super::*;

/// The worked example of docs/validation.md#qiu-srikant-fluid-model, in minutes.
fn worked_example() -> FluidParams {
    FluidParams {
        lambda: 2.0,
        c: 1.0 / 10.0,
        mu: 1.0 / 40.0,
        theta: 0.0,
        gamma: 1.0 / 20.0,
        eta: 1.0,
    }
}

fn close(a: f64, b: f64, rel: f64) -> bool {
    (a - b).abs() <= rel * b.abs().max(1e-300)
}

#[test]
fn worked_example_matches_reference() {
    let ss = worked_example().steady_state().unwrap();
    assert_eq!(ss.regime, Regime::UploadConstrained);
    assert!(close(1.0 / ss.beta, 20.0, 1e-12), "{ss:?}");
    assert!(close(ss.leechers, 40.0, 1e-12), "{ss:?}");
    assert!(close(ss.seeds, 40.0, 1e-12), "{ss:?}");
    assert!(close(ss.download_time, 20.0, 1e-12), "{ss:?}");
}

#[test]
fn ode_converges_to_the_closed_form() {
    for p in [
        worked_example(),
        // Download-constrained, with aborts and imperfect efficiency.
        FluidParams {
            c: 1.0 / 30.0,
            theta: 0.01,
            eta: 0.8,
            ..worked_example()
        },
        // Upload-constrained with aborts.
        FluidParams {
            theta: 0.005,
            eta: 0.9,
            ..worked_example()
        },
    ] {
        let ss = p.steady_state().unwrap();
        let traj = p.integrate(0.0, 0.0, 2000.0, 0.05).unwrap();
        let last = traj.last().unwrap();
        assert_eq!(last.t, 2000.0);
        assert!(
            close(last.leechers, ss.leechers, 1e-6),
            "{p:?}: {last:?} vs {ss:?}"
        );
        assert!(
            close(last.seeds, ss.seeds, 1e-6),
            "{p:?}: {last:?} vs {ss:?}"
        );
        // The fixed point is a fixed point.
        let (dx, dy) = p.derivative(ss.leechers, ss.seeds);
        assert!(dx.abs() < 1e-12 && dy.abs() < 1e-12, "{dx} {dy}");
    }
}

#[test]
fn integration_is_deterministic_and_lands_on_t_end() {
    let p = worked_example();
    let a = p.integrate(5.0, 1.0, 10.3, 0.25).unwrap();
    let b = p.integrate(5.0, 1.0, 10.3, 0.25).unwrap();
    assert_eq!(a, b);
    assert_eq!(a.len(), 1 + 42);
    assert_eq!(a[0].t, 0.0);
    assert_eq!(a.last().unwrap().t, 10.3);
    assert!(p.integrate(0.0, 0.0, 1.0, 0.0).is_err());
    assert!(p.integrate(-1.0, 0.0, 1.0, 0.1).is_err());
}

/// Without aborts the partial-download extension is the closed form, in every regime
/// and edge case; with them, the balance of the module docs holds at the rate found.
#[test]
fn partial_downloads_reduce_to_the_closed_form_and_balance() {
    let cases = [
        worked_example(),
        FluidParams {
            c: 1.0 / 30.0,
            ..worked_example()
        },
        FluidParams {
            c: 1.0 / 20.0, // the tie goes to download
            ..worked_example()
        },
        FluidParams {
            gamma: f64::INFINITY,
            eta: 0.7,
            ..worked_example()
        },
        FluidParams {
            gamma: 0.0,
            ..worked_example()
        },
        FluidParams {
            gamma: 1.0 / 50.0, // seeds alone keep up
            ..worked_example()
        },
    ];
    for p in cases {
        let ss = p.steady_state().unwrap();
        let q = p.steady_state_with_partial_downloads(0.0).unwrap();
        assert_eq!(q.regime, ss.regime, "{p:?}");
        assert!(close(q.rate, ss.beta, 1e-9), "{p:?}: {q:?} vs {ss:?}");
        assert!(close(q.leechers, ss.leechers, 1e-9), "{p:?}: {q:?}");
        assert!(
            q.seeds == ss.seeds || close(q.seeds, ss.seeds, 1e-9),
            "{p:?}: {q:?}"
        );
        assert!(close(q.download_time, ss.download_time, 1e-9));
        assert_eq!((q.completed_share, q.wasted_upload_share), (1.0, 0.0));
        // A vanishing abort rate changes nothing noticeable (continuity at θ = 0).
        let tiny = FluidParams { theta: 1e-12, ..p };
        let qt = tiny.steady_state_with_partial_downloads(0.0).unwrap();
        assert!(close(qt.leechers, ss.leechers, 1e-6), "{qt:?} vs {ss:?}");
    }
    // Aborts, upload-constrained: r·x̄ = μ(ηx̄ + ȳ), x̄ = λ(1 − e^(−θ/r))/θ.
    for theta in [0.001, 0.01, 0.05, 0.2] {
        let p = FluidParams {
            theta,
            eta: 0.9,
            ..worked_example()
        };
        let q = p.steady_state_with_partial_downloads(0.0).unwrap();
        assert_eq!(q.regime, Regime::UploadConstrained);
        let supply = p.mu * (p.eta * q.leechers + q.seeds);
        assert!(close(q.rate * q.leechers, supply, 1e-9), "{q:?}");
        let stay = (1.0 - (-theta / q.rate).exp()) / theta;
        assert!(close(q.leechers, p.lambda * stay, 1e-12));
        assert!(close(q.mean_stay, stay, 1e-12));
        // Charging aborts: more leechers and slower downloads than the closed form.
        let ss = p.steady_state().unwrap();
        assert!(q.leechers > ss.leechers && q.download_time > 1.0 / ss.beta);
        assert!((0.0..1.0).contains(&q.wasted_upload_share));
        assert!((0.0..1.0).contains(&q.abandoned_fraction_received));
    }
    // Download-constrained with aborts: every download takes 1/c.
    let p = FluidParams {
        c: 1.0 / 30.0,
        theta: 0.02,
        ..worked_example()
    };
    let q = p.steady_state_with_partial_downloads(0.0).unwrap();
    assert_eq!(q.regime, Regime::DownloadConstrained);
    let expect = p.lambda * (1.0 - (-0.02f64 * 30.0).exp()) / 0.02;
    assert!(close(q.leechers, expect, 1e-12) && close(q.download_time, 30.0, 1e-12));
    assert!(close(q.completed_share, (-0.6f64).exp(), 1e-12));
    // Extra upload (initial seeds) speeds an upload-constrained swarm up.
    let with_seed = worked_example()
        .steady_state_with_partial_downloads(5.0)
        .unwrap();
    assert!(with_seed.leechers < 40.0);
    assert!(worked_example()
        .steady_state_with_partial_downloads(f64::NAN)
        .is_err());
}

#[test]
fn regimes_and_edge_cases() {
    // Slow downloads: download-constrained, x̄ = λ/c.
    let slow = FluidParams {
        c: 1.0 / 30.0,
        ..worked_example()
    };
    let ss = slow.steady_state().unwrap();
    assert_eq!(ss.regime, Regime::DownloadConstrained);
    assert!(close(ss.leechers, 60.0, 1e-12) && close(ss.download_time, 30.0, 1e-12));
    assert!(close(ss.seeds, 40.0, 1e-12));
    // Tie: 1/c = (1/η)(1/μ − 1/γ) = 20 goes to download.
    let tie = FluidParams {
        c: 1.0 / 20.0,
        ..worked_example()
    };
    assert_eq!(
        tie.steady_state().unwrap().regime,
        Regime::DownloadConstrained
    );
    // Lower efficiency lengthens the upload-constrained time: (1/0.5)(40 − 20) = 40.
    let half = FluidParams {
        eta: 0.5,
        ..worked_example()
    };
    assert!(close(half.steady_state().unwrap().leechers, 80.0, 1e-12));
    // Seeds that stay longer than one upload (γ ≤ μ): download-constrained for any η.
    let loyal = FluidParams {
        gamma: 1.0 / 60.0,
        eta: 0.01,
        ..worked_example()
    };
    let ss = loyal.steady_state().unwrap();
    assert_eq!(ss.regime, Regime::DownloadConstrained);
    assert!(close(ss.seeds, 120.0, 1e-12));
    // γ = 0: seeds never leave, unbounded; leechers finite.
    let forever = FluidParams {
        gamma: 0.0,
        ..worked_example()
    };
    let ss = forever.steady_state().unwrap();
    assert_eq!(ss.regime, Regime::DownloadConstrained);
    assert!(ss.seeds.is_infinite() && close(ss.leechers, 20.0, 1e-12));
    let traj = forever.integrate(0.0, 0.0, 500.0, 0.05).unwrap();
    assert!(close(traj.last().unwrap().leechers, 20.0, 1e-6));
    // γ = +∞: leave on completion; y stays 0 in the ODE too.
    let leave = FluidParams {
        gamma: f64::INFINITY,
        ..worked_example()
    };
    let ss = leave.steady_state().unwrap();
    assert_eq!(ss.regime, Regime::UploadConstrained);
    assert_eq!(ss.seeds, 0.0);
    assert!(close(ss.leechers, 80.0, 1e-12));
    let traj = leave.integrate(0.0, 3.0, 2000.0, 0.05).unwrap();
    assert!(traj.iter().all(|s| s.seeds == 0.0));
    assert!(close(traj.last().unwrap().leechers, 80.0, 1e-6));
    // λ = 0: empty.
    let ss = FluidParams {
        lambda: 0.0,
        gamma: 0.0,
        ..worked_example()
    }
    .steady_state()
    .unwrap();
    assert_eq!((ss.leechers, ss.seeds), (0.0, 0.0));
    // Bad parameters are errors, not NaNs.
    for bad in [
        FluidParams {
            eta: 0.0,
            ..worked_example()
        },
        FluidParams {
            eta: 1.5,
            ..worked_example()
        },
        FluidParams {
            mu: 0.0,
            ..worked_example()
        },
        FluidParams {
            c: f64::NAN,
            ..worked_example()
        },
        FluidParams {
            gamma: -1.0,
            ..worked_example()
        },
    ] {
        assert!(bad.steady_state().is_err(), "{bad:?}");
    }
}

#[test]
fn scenario_mapping() {
    let text = r#"
[content]
size = "24MB"
[origin]
capacity = "1Mbps"
[client]
seed_time = "exp(2min)"
[[seeds]]
upload = "800kbps"
[[classes]]
name = "a"
share = 0.5
upload = "800kbps"
download = "1Mbps"
[[classes]]
name = "b"
share = 0.5
upload = "400kbps"
download = "4Mbps"
[arrivals]
process = "poisson"
rate = "20/min"
until = "3h"
"#;
    let s = crate::scenario::load_str(text, "t.toml", "t", &[]).unwrap();
    let p = FluidParams::from_scenario(&s, 0, 0.9).unwrap();
    let f = 24e6 * 8.0;
    assert!(close(p.lambda, 20.0 / 60.0, 1e-12));
    assert!(close(p.mu, 600e3 / f, 1e-12));
    assert!(
        close(p.c, 1.6e6 / f, 1e-12),
        "harmonic mean of 1 and 4 Mbps"
    );
    assert!(close(p.gamma, 1.0 / 120.0, 1e-12));
    assert_eq!((p.theta, p.eta), (0.0, 0.9));
    let caveats = scenario_caveats(&s, 0, &p);
    assert_eq!(caveats.len(), 4, "{caveats:#?}");
    assert!(caveats[2].starts_with("2 peer classes"));
    // Upload-constrained: 5 slots × 256 KiB × 8 / 600 kbps.
    assert!(caveats[3].contains("17.5 s"), "{}", caveats[3]);
    assert!(caveats[0].starts_with("origin"));
    assert!(caveats[1].starts_with("initial seeds: 1 seed(s)"));

    // Features outside the model are named, not ignored.
    let sets: Vec<crate::scenario::Override> = [
        "audience.upload_off_share=0.2",
        "client.seed_upload=100kbps",
        "classes.0.cap_sigma=0.5",
    ]
    .iter()
    .map(|o| crate::scenario::Override::parse(o).unwrap())
    .collect();
    let s2 = crate::scenario::load_str(text, "t.toml", "t", &sets).unwrap();
    let p2 = FluidParams::from_scenario(&s2, 0, 0.9).unwrap();
    assert_eq!(p2, p);
    let more = scenario_caveats(&s2, 0, &p2);
    assert_eq!(more.len(), 7, "{more:#?}");
    for (c, start) in more[3..6].iter().zip([
        "class \"a\": caps spread",
        "audience.upload_off_share = 0.2",
        "client.seed_upload = 100",
    ]) {
        assert!(c.starts_with(start), "{c}");
    }

    let forever = text.replace("exp(2min)", "forever");
    let s = crate::scenario::load_str(&forever, "t.toml", "t", &[]).unwrap();
    let p = FluidParams::from_scenario(&s, 0, 1.0).unwrap();
    assert_eq!(p.gamma, 0.0);
    assert!(p.steady_state().unwrap().seeds.is_infinite());

    let flash = text.replace(
        "process = \"poisson\"\nrate = \"20/min\"\nuntil = \"3h\"",
        "process = \"flash-crowd\"\npeers = 10",
    );
    let s = crate::scenario::load_str(&flash, "t.toml", "t", &[]).unwrap();
    assert_eq!(
        FluidParams::from_scenario(&s, 0, 1.0),
        Err(FluidError::NotPoisson)
    );
}
