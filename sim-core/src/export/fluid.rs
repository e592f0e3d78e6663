//! What `swarmsim fluid` prints: the Qiu–Srikant steady state of one content's swarm
//! ([`crate::fluid`]) as text for people or as JSON (unbounded figures are `null`).

use std::fmt::Write as _;

use crate::fluid::{
    scenario_caveats, FluidError, FluidParams, PartialSteadyState, Regime, SteadyState,
};
use crate::scenario::Scenario;

/// The fluid model's prediction for one content of a scenario.
#[derive(Debug, Clone)]
pub struct Prediction {
    /// Scenario name.
    pub scenario: String,
    /// Content name.
    pub content: String,
    /// The content is one of a catalog of several (the text names it).
    pub in_catalog: bool,
    /// The model's parameters (rates per second).
    pub params: FluidParams,
    /// Qiu & Srikant's closed form.
    pub closed_form: SteadyState,
    /// With aborts (θ > 0): the extension that charges abandoned downloads the upload
    /// they took, whose figures are the ones given (the closed form treats them as free).
    pub with_aborts: Option<PartialSteadyState>,
    /// What the model leaves out of the scenario.
    pub caveats: Vec<String>,
}

impl Prediction {
    /// The prediction for content `k` of `s` with upload efficiency `eta` (in (0, 1]).
    pub fn of(s: &Scenario, k: usize, eta: f64) -> Result<Prediction, FluidError> {
        let params = FluidParams::from_scenario(s, k, eta)?;
        let closed_form = params.steady_state()?;
        // With aborts the closed form treats abandoned downloads as free: the figures
        // given are the extension's, which charges the upload they took (fluid.rs).
        let with_aborts = if params.theta > 0.0 {
            Some(params.steady_state_with_partial_downloads(0.0)?)
        } else {
            None
        };
        Ok(Prediction {
            scenario: s.name.clone(),
            content: s.contents[k].name.clone(),
            in_catalog: s.contents.len() > 1,
            caveats: scenario_caveats(s, k, &params),
            params,
            closed_form,
            with_aborts,
        })
    }

    /// The JSON text (pretty, trailing newline).
    pub fn json(&self) -> String {
        let (p, ss) = (&self.params, &self.closed_form);
        let finite = |v: f64| v.is_finite().then_some(v);
        let params = serde_json::json!({
            "lambda": p.lambda,
            "c": p.c,
            "mu": p.mu,
            "theta": p.theta,
            "gamma": finite(p.gamma),
            "eta": p.eta,
        });
        let doc = match &self.with_aborts {
            Some(q) => serde_json::json!({
                "scenario": self.scenario,
                "content": self.content,
                "model": "Qiu & Srikant fluid model (SIGCOMM 2004), \
                          docs/validation.md#qiu-srikant-fluid-model, with \
                          abandoned downloads charged the upload they took \
                          (docs/validation.md#fluid-model-with-aborts-extension)",
                "params_per_s": params,
                "regime": q.regime,
                "beta_per_s": q.rate,
                "leechers": q.leechers,
                "seeds": finite(q.seeds),
                "download_time_s": q.download_time,
                "download_time_min": q.download_time / 60.0,
                "aborts": {
                    "warning": "Qiu & Srikant's closed form treats abandoned downloads as \
                                free; the figures above charge the upload they took",
                    "mean_stay_s": q.mean_stay,
                    "completed_share": q.completed_share,
                    "abandoned_fraction_received": q.abandoned_fraction_received,
                    "wasted_upload_share": q.wasted_upload_share,
                    "qiu_srikant": {
                        "regime": ss.regime,
                        "beta_per_s": ss.beta,
                        "leechers": ss.leechers,
                        "seeds": finite(ss.seeds),
                        "mean_stay_s": ss.download_time,
                    },
                },
                "caveats": self.caveats,
            }),
            None => serde_json::json!({
                "scenario": self.scenario,
                "content": self.content,
                "model": "Qiu & Srikant fluid model (SIGCOMM 2004), \
                          docs/validation.md#qiu-srikant-fluid-model",
                "params_per_s": params,
                "regime": ss.regime,
                "beta_per_s": ss.beta,
                "leechers": ss.leechers,
                "seeds": finite(ss.seeds),
                "download_time_s": ss.download_time,
                "download_time_min": ss.download_time / 60.0,
                "caveats": self.caveats,
            }),
        };
        let mut text = serde_json::to_string_pretty(&doc).expect("prediction serialises");
        text.push('\n');
        text
    }

    /// The text for people.
    pub fn text(&self) -> String {
        let (p, ss) = (&self.params, &self.closed_form);
        let mut out = String::new();
        let upload_time = if p.gamma == 0.0 {
            "-inf s (seeds never leave)".to_string()
        } else {
            let t = (1.0 / p.mu - 1.0 / p.gamma) / p.eta;
            let note = if t <= 0.0 {
                " (seeds stay longer than one upload: they alone keep up)"
            } else {
                ""
            };
            format!("{t:.1} s{note}")
        };
        let (cmp, why) = match ss.regime {
            Regime::DownloadConstrained => (">=", "leechers' download links limit completions"),
            Regime::UploadConstrained => ("<", "the swarm's upload capacity limits completions"),
        };
        let of_content = if self.in_catalog {
            format!(", content {:?}", self.content)
        } else {
            String::new()
        };
        let _ = writeln!(
            out,
            "scenario    {}{of_content} (Qiu & Srikant fluid model, SIGCOMM 2004; \
             docs/validation.md#qiu-srikant-fluid-model)",
            self.scenario
        );
        let _ = writeln!(
            out,
            "parameters  λ = {:.4}/s ({:.2}/min), c = {}, μ = {}, γ = {}, θ = {}, η = {}",
            p.lambda,
            p.lambda * 60.0,
            per_s(p.c),
            per_s(p.mu),
            per_s(p.gamma),
            per_s(p.theta),
            p.eta
        );
        let _ = writeln!(
            out,
            "regime      {}: 1/c = {:.1} s {cmp} (1/η)(1/μ − 1/γ) = {upload_time}; {why}",
            ss.regime,
            1.0 / p.c
        );
        match &self.with_aborts {
            Some(q) => self.aborts_text(q, &mut out),
            None => self.closed_form_text(&mut out),
        }
        out
    }

    /// The rest of the text without aborts: the closed form's figures.
    fn closed_form_text(&self, out: &mut String) {
        let (p, ss) = (&self.params, &self.closed_form);
        let _ = writeln!(out, "leechers    x̄ = {:.1}", ss.leechers);
        seeds_line(out, ss.seeds);
        let _ = writeln!(
            out,
            "download    T = {:.1} s ({:.2} min), λT = {:.1}",
            ss.download_time,
            ss.download_time / 60.0,
            p.lambda * ss.download_time
        );
        let _ = writeln!(
            out,
            "β           {:.6}/s (1/β = {:.1} s per file per leecher)",
            ss.beta,
            1.0 / ss.beta
        );
        if self.caveats.is_empty() {
            let _ = writeln!(out, "caveats     none");
        } else {
            self.caveats_lines(out);
        }
    }

    /// The rest of the text when θ > 0: the partial-download extension's figures, with
    /// the closed form's beside them and what the difference is.
    fn aborts_text(&self, q: &PartialSteadyState, out: &mut String) {
        let (p, ss) = (&self.params, &self.closed_form);
        let _ = writeln!(
            out,
            "warning     θ > 0: Qiu & Srikant's closed form treats abandoned downloads as free \
             (x̄ = {:.1}, T = {:.1} s); the figures below charge the upload they took \
             (docs/validation.md#fluid-model-with-aborts-extension)",
            ss.leechers, ss.download_time
        );
        if q.regime != ss.regime {
            let _ = writeln!(
                out,
                "            with aborts charged the swarm is {}",
                q.regime
            );
        }
        let _ = writeln!(out, "leechers    x̄ = {:.1}", q.leechers);
        seeds_line(out, q.seeds);
        let _ = writeln!(
            out,
            "download    T = {:.1} s ({:.2} min) for a completed download; a leecher stays \
             {:.1} s on average (abandoned ones included), λ × stay = x̄",
            q.download_time,
            q.download_time / 60.0,
            q.mean_stay
        );
        let _ = writeln!(
            out,
            "aborts      {:.1}% of downloads abandoned, after {:.0}% of the file on average: \
             {:.1}% of the upload leechers receive is wasted",
            100.0 * (1.0 - q.completed_share),
            100.0 * q.abandoned_fraction_received,
            100.0 * q.wasted_upload_share
        );
        let _ = writeln!(
            out,
            "rate        every leecher receives 1 file per {:.1} s (c: 1 per {:.1} s)",
            q.download_time,
            1.0 / p.c
        );
        self.caveats_lines(out);
    }

    /// One line per caveat, the first labelled.
    fn caveats_lines(&self, out: &mut String) {
        for (i, c) in self.caveats.iter().enumerate() {
            let label = if i == 0 { "caveats" } else { "" };
            let _ = writeln!(out, "{label:<11} - {c}");
        }
    }
}

/// The seeds line: ȳ, or that it is unbounded.
fn seeds_line(out: &mut String, seeds: f64) {
    if seeds.is_finite() {
        let _ = writeln!(
            out,
            "seeds       ȳ = {seeds:.1} (completed peers still seeding)"
        );
    } else {
        let _ = writeln!(
            out,
            "seeds       ȳ unbounded (seeds never leave: no steady state)"
        );
    }
}

/// A rate per second as "1/N s" (N = its inverse in seconds), "0" or "inf (...)"; only
/// γ can be 0 or infinite.
fn per_s(rate: f64) -> String {
    if rate == 0.0 {
        "0".into()
    } else if rate.is_infinite() {
        "inf (peers leave on completion)".into()
    } else {
        format!("1/{:.1} s", 1.0 / rate)
    }
}
