//! SVG plots of one load run: latency by percentile (corrected versus service time) and the per-second timeline.
//!
//! Drawn with plotters' SVG backend without a font engine: text goes out as `<text>` elements that the viewer's
//! fonts draw, and plotters' built-in width estimate places the labels. Odd data (zeros, one point, equal values,
//! huge values) draws a plot, never a panic; a report with nothing to draw is a [`PlotError::NothingToPlot`].

use plotters::coord::Shift;
use plotters::coord::types::RangedCoordf64;
use plotters::prelude::*;

use crate::report::performance::{Arrival, MeasurementSource, PerformanceReport, PlotKind, PlotRef, TimelinePoint};

/// Why a plot could not be drawn.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum PlotError {
    /// plotters failed to draw (its message).
    #[error("draw the {plot} plot: {message}")]
    Drawing {
        /// The plot being drawn.
        plot: &'static str,
        /// plotters' error.
        message: String,
    },
    /// The report holds no data for the plot.
    #[error("plot the {what}: it is empty")]
    NothingToPlot {
        /// What was empty (`latency distribution`, `timeline`).
        what: &'static str,
    },
}

/// Latency by percentile, HdrHistogram style: the x axis is `1 / (1 − p)` on a log scale (ticks 0 %, 90 %, 99 %,
/// 99.9 %, …), the y axis latency in ms on a log scale; one line from each request's intended send time
/// (corrected) and one from its actual send time (service).
pub fn latency_distribution_svg(report: &PerformanceReport) -> Result<String, PlotError> {
    const PLOT: &str = "latency distribution";
    let points: Vec<(f64, f64, f64)> = report
        .latency
        .distribution
        .iter()
        .filter(|p| p.percentile.is_finite() && p.corrected_ms.is_finite() && p.service_ms.is_finite())
        .map(|p| (p.percentile, p.corrected_ms, p.service_ms))
        .collect();
    if points.is_empty() {
        return Err(PlotError::NothingToPlot { what: PLOT });
    }
    // The maximum (100 %) sits one decade past the highest percentile below it, HdrHistogram style.
    let below_max = points.iter().filter(|p| p.0 < 100.0).map(|p| percentile_x(p.0)).fold(0.0_f64, f64::max);
    let max_x = (below_max.ceil() + 1.0).min(MAX_DECADES);
    let points: Vec<(f64, f64, f64)> = points.into_iter().map(|(p, c, s)| (percentile_x(p).min(max_x), c, s)).collect();
    let decades = max_x.max(2.0);
    let (y_low, y_high) = log_range(points.iter().flat_map(|p| [p.1, p.2]));
    let corrected: Vec<(f64, f64)> = points.iter().map(|p| (p.0, p.1.clamp(y_low, y_high))).collect();
    let service: Vec<(f64, f64)> = points.iter().map(|p| (p.0, p.2.clamp(y_low, y_high))).collect();
    let title = format!("Latency by percentile — {}", run_description(report));

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, 600)).into_drawing_area();
        let draw = |e: &dyn std::fmt::Display| PlotError::Drawing { plot: PLOT, message: e.to_string() };
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let mut chart = ChartBuilder::on(&root)
            .caption(title, ("sans-serif", 22))
            .margin(16)
            .margin_right(56)
            .x_label_area_size(48)
            .y_label_area_size(72)
            .build_cartesian_2d(0.0..decades, (y_low..y_high).log_scale())
            .map_err(|e| draw(&e))?;
        chart
            .configure_mesh()
            .x_desc("percentile")
            .y_desc("latency (ms)")
            .label_style(("sans-serif", 14))
            .axis_desc_style(("sans-serif", 16))
            // One label per decade: the range is whole decades, so the labels fall on them.
            .x_labels(decades as usize + 1)
            .x_label_formatter(&|x| percentile_label(*x))
            .y_label_formatter(&|y| format_value(*y))
            .draw()
            .map_err(|e| draw(&e))?;
        // The corrected line is drawn wider, so it still shows where it equals the service line (k6 imports).
        let series = [
            ("corrected (from intended send time)", &corrected, BLUE, 4),
            ("service (from actual send time)", &service, RED, 2),
        ];
        for (label, data, colour, width) in series {
            let style = colour.stroke_width(width);
            chart
                .draw_series(LineSeries::new(data.iter().copied(), style))
                .map_err(|e| draw(&e))?
                .label(label)
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
            chart.draw_series(data.iter().map(|&p| Circle::new(p, 3, colour.filled()))).map_err(|e| draw(&e))?;
        }
        draw_legend(&mut chart, SeriesLabelPosition::UpperLeft).map_err(|e| draw(&e))?;
        root.present().map_err(|e| draw(&e))?;
    }
    Ok(svg)
}

/// The measured window second by second, in two panels over the same x axis: above, requests answered per second
/// and errors per second (with the requested rate as a dashed line when the arrival was open); below, the
/// corrected p50 and p99 latency of the requests answered in that second.
pub fn timeline_svg(report: &PerformanceReport) -> Result<String, PlotError> {
    const PLOT: &str = "timeline";
    let points: Vec<&TimelinePoint> =
        report.timeline.iter().filter(|p| p.p50_ms.is_finite() && p.p99_ms.is_finite()).collect();
    if points.is_empty() {
        return Err(PlotError::NothingToPlot { what: PLOT });
    }
    let last_second = points.iter().map(|p| p.second).max().unwrap_or(0);
    // A second's point sits at its middle, so one second still spans a visible width.
    let x_range = 0.0..f64::from(last_second) + 1.0;
    let at = |p: &TimelinePoint| f64::from(p.second) + 0.5;
    let value = |v: f64| v.clamp(0.0, CEILING);
    // Long runs have one point per several seconds (the gap between points): counts become rates per second.
    let span = report.timeline.windows(2).map(|w| w[1].second.saturating_sub(w[0].second)).min().unwrap_or(1).max(1);
    let per_second = |n: u64| n as f64 / f64::from(span);
    let completed: Vec<(f64, f64)> = points.iter().map(|p| (at(p), value(per_second(p.completed)))).collect();
    let errors: Vec<(f64, f64)> = points.iter().map(|p| (at(p), value(per_second(p.errors)))).collect();
    let p50: Vec<(f64, f64)> = points.iter().map(|p| (at(p), value(p.p50_ms))).collect();
    let p99: Vec<(f64, f64)> = points.iter().map(|p| (at(p), value(p.p99_ms))).collect();
    let requested = match report.arrival {
        Arrival::Open { rate } if rate.is_finite() && rate >= 0.0 => Some(rate.min(CEILING)),
        _ => None,
    };
    let rate_high = linear_top(completed.iter().chain(&errors).map(|p| p.1).chain(requested));
    let latency_high = linear_top(p50.iter().chain(&p99).map(|p| p.1));
    let title = format!("Timeline — {}", run_description(report));

    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, (1000, 760)).into_drawing_area();
        let draw = |e: &dyn std::fmt::Display| PlotError::Drawing { plot: PLOT, message: e.to_string() };
        root.fill(&WHITE).map_err(|e| draw(&e))?;
        let root = root.titled(&title, ("sans-serif", 22)).map_err(|e| draw(&e))?;
        let (upper, lower) = root.split_vertically(370);

        let mut chart = panel(&upper, x_range.clone(), rate_high).map_err(|e| draw(&e))?;
        timeline_mesh(&mut chart, "requests/s").map_err(|e| draw(&e))?;
        let series = [("completed/s", completed.as_slice(), BLUE), ("errors/s", errors.as_slice(), RED)];
        draw_lines(&mut chart, &series).map_err(|e| draw(&e))?;
        // Over the lines, so it shows where the run kept the rate.
        if let Some(rate) = requested {
            let style = BLACK.stroke_width(1);
            chart
                .draw_series(DashedLineSeries::new([(x_range.start, rate), (x_range.end, rate)], 8, 6, style))
                .map_err(|e| draw(&e))?
                .label(format!("requested rate ({} req/s)", format_value(rate)))
                .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        }
        draw_legend(&mut chart, SeriesLabelPosition::LowerRight).map_err(|e| draw(&e))?;

        let mut chart = panel(&lower, x_range, latency_high).map_err(|e| draw(&e))?;
        timeline_mesh(&mut chart, "latency (ms)").map_err(|e| draw(&e))?;
        let series = [
            ("p50 (corrected)", p50.as_slice(), GREEN.mix(0.9).to_rgba()),
            ("p99 (corrected)", p99.as_slice(), MAGENTA.to_rgba()),
        ];
        draw_lines(&mut chart, &series).map_err(|e| draw(&e))?;
        draw_legend(&mut chart, SeriesLabelPosition::UpperRight).map_err(|e| draw(&e))?;
        root.present().map_err(|e| draw(&e))?;
    }
    Ok(svg)
}

/// The highest percentile decade drawn: 99.9999 % (a run needs a million samples to reach it).
const MAX_DECADES: f64 = 6.0;

/// A cartesian chart on one panel: linear x (seconds) and linear y from 0.
type Panel<'a, 'b> = ChartContext<'a, SVGBackend<'b>, Cartesian2d<RangedCoordf64, RangedCoordf64>>;

/// One timeline panel.
fn panel<'a, 'b>(
    area: &'a DrawingArea<SVGBackend<'b>, Shift>,
    x_range: std::ops::Range<f64>,
    y_high: f64,
) -> Result<Panel<'a, 'b>, DrawingAreaErrorKind<std::io::Error>> {
    ChartBuilder::on(area)
        .margin(16)
        .x_label_area_size(44)
        .y_label_area_size(72)
        .build_cartesian_2d(x_range, 0.0..y_high)
}

/// One labelled line: legend text, points, colour.
/// The grid and axis labels of a timeline panel.
fn timeline_mesh(chart: &mut Panel<'_, '_>, y_desc: &str) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    chart
        .configure_mesh()
        .x_desc("second of the measured window")
        .y_desc(y_desc)
        .label_style(("sans-serif", 14))
        .axis_desc_style(("sans-serif", 16))
        .x_label_formatter(&|x| format_value(*x))
        .y_label_formatter(&|y| format_value(*y))
        .draw()
}

type Series<'a, C> = (&'a str, &'a [(f64, f64)], C);

/// Lines, each labelled for the legend; a lone point gets a marker so a single second still shows.
fn draw_lines<C: Into<RGBAColor> + Copy>(
    chart: &mut Panel<'_, '_>,
    series: &[Series<'_, C>],
) -> Result<(), DrawingAreaErrorKind<std::io::Error>> {
    for &(label, data, colour) in series {
        let colour: RGBAColor = colour.into();
        let style = colour.stroke_width(2);
        chart
            .draw_series(LineSeries::new(data.iter().copied(), style))?
            .label(label)
            .legend(move |(x, y)| PathElement::new(vec![(x, y), (x + 24, y)], style));
        if data.len() < 2 {
            chart.draw_series(data.iter().map(|&p| Circle::new(p, 3, colour.filled())))?;
        }
    }
    Ok(())
}

/// The legend box.
fn draw_legend<'a, 'b: 'a, X, Y>(
    chart: &mut ChartContext<'a, SVGBackend<'b>, Cartesian2d<X, Y>>,
    position: SeriesLabelPosition,
) -> Result<(), DrawingAreaErrorKind<std::io::Error>>
where
    X: Ranged,
    Y: Ranged,
{
    chart
        .configure_series_labels()
        .position(position)
        .background_style(WHITE.mix(0.85))
        .border_style(BLACK.mix(0.5))
        .label_font(("sans-serif", 15))
        .draw()
}

/// What was run, for titles: profile, transport and rate (or virtual users), and k6 when it measured.
fn run_description(report: &PerformanceReport) -> String {
    let transport = match report.transport {
        crate::report::model::TransportKind::Stdio => "stdio",
        crate::report::model::TransportKind::Http => "HTTP",
    };
    let load = match report.arrival {
        Arrival::Open { rate } => format!("{} req/s open loop", format_value(rate)),
        Arrival::Closed { virtual_users } => format!("{virtual_users} virtual users, closed loop"),
    };
    let source = match report.source {
        MeasurementSource::Harness => "",
        MeasurementSource::K6 => ", measured by k6",
    };
    format!("{} profile, {transport} ({}), {load}{source}", report.profile.as_str(), report.pattern.as_str())
}

/// The x position of a percentile: `log10(1 / (1 − p))`, so 90 % is 1, 99 % is 2, 99.9 % is 3; 100 % (the
/// maximum) and anything above [`MAX_DECADES`] sit at the right edge.
fn percentile_x(percentile: f64) -> f64 {
    let remaining = (1.0 - percentile.clamp(0.0, 100.0) / 100.0).max(10f64.powf(-MAX_DECADES));
    -remaining.log10()
}

/// The label of a decade tick: 0 %, 90 %, 99 %, 99.9 %, … (none between decades).
fn percentile_label(x: f64) -> String {
    if (x - x.round()).abs() > 1e-6 {
        return String::new();
    }
    match x.round() as u32 {
        0 => "0 %".to_owned(),
        1 => "90 %".to_owned(),
        n => format!("99{}{} %", if n > 2 { "." } else { "" }, "9".repeat(n as usize - 2)),
    }
}

/// A log-scale range covering every value: positive (zeros drawn at the floor), never empty, and at most
/// [`CEILING`] (plotters' log axis loops over the range's decades, so it must stay finite).
fn log_range(values: impl Iterator<Item = f64>) -> (f64, f64) {
    const FLOOR: f64 = 0.001;
    let (low, high) = values.fold((f64::MAX, f64::MIN_POSITIVE), |(low, high), v| {
        let v = v.clamp(FLOOR, CEILING);
        (low.min(v), high.max(v))
    });
    let low = low.min(high);
    // Half a decade of room at each end; equal values get a visible band.
    (low / 3.0, high * 3.0)
}

/// The top of a linear range from 0 covering every value (up to [`CEILING`]), with 10 % of room (at least 1).
fn linear_top(values: impl Iterator<Item = f64>) -> f64 {
    let high = values.filter(|v| v.is_finite()).fold(0.0_f64, f64::max).min(CEILING);
    (high * 1.1).max(1.0)
}

/// The largest value an axis reaches (10¹⁵: 30,000 years in ms); larger values are drawn at the edge.
const CEILING: f64 = 1e15;

/// A number for axis labels: three significant digits, plain below a million, scientific above.
fn format_value(v: f64) -> String {
    let a = v.abs();
    if a == 0.0 {
        "0".to_owned()
    } else if a >= 1e6 {
        format!("{v:.1e}")
    } else if a >= 100.0 {
        format!("{v:.0}")
    } else if a >= 10.0 {
        trim_zeros(format!("{v:.1}"))
    } else if a >= 1.0 {
        trim_zeros(format!("{v:.2}"))
    } else {
        trim_zeros(format!("{v:.3}"))
    }
}

/// `2.50` → `2.5`, `3.00` → `3`.
fn trim_zeros(s: String) -> String {
    if s.contains('.') { s.trim_end_matches('0').trim_end_matches('.').to_owned() } else { s }
}

/// A small, hand-made report: 20 s of an open-loop run at 100 req/s with a hiccup at second 12.
/// The file names of the plots in a report's directory.
pub const LATENCY_SVG: &str = "latency.svg";
/// See [`LATENCY_SVG`].
pub const TIMELINE_SVG: &str = "timeline.svg";

/// A function that draws one plot.
type Draw = fn(&PerformanceReport) -> Result<String, PlotError>;

/// Draws both plots of `report` into `dir` (beside report.json) and records them in `report.plots`. Returns one
/// line per plot that could not be drawn or written (nothing to plot, an I/O error); the others are still written.
pub fn write_plots(report: &mut PerformanceReport, dir: &std::path::Path) -> Vec<String> {
    let mut problems = Vec::new();
    report.plots.clear();
    let plots: [(PlotKind, &str, Draw); 2] = [
        (PlotKind::LatencyDistribution, LATENCY_SVG, latency_distribution_svg),
        (PlotKind::Timeline, TIMELINE_SVG, timeline_svg),
    ];
    for (kind, name, draw) in plots {
        match draw(report).map(|svg| std::fs::write(dir.join(name), svg)) {
            Ok(Ok(())) => report.plots.push(PlotRef { kind, path: name.to_owned() }),
            Ok(Err(e)) => problems.push(format!("could not write {}: {e}", dir.join(name).display())),
            Err(e) => problems.push(format!("{name} not drawn: {e}")),
        }
    }
    problems
}

#[cfg(test)]
pub(crate) fn sample_performance_report() -> PerformanceReport {
    use crate::report::model::TransportKind;
    use crate::report::performance::{
        Environment, ErrorCounts, ErrorKind, GeneratorHealth, Latency, LatencySummary, LoadPattern, LoadProfile,
        PercentilePoint, QuantumFinding, SloThresholds, Throughput, WorkloadEntry,
    };

    let distribution = [
        (0.0, 0.41, 0.38),
        (50.0, 1.2, 1.1),
        (75.0, 1.6, 1.4),
        (90.0, 2.4, 2.0),
        (95.0, 3.5, 2.6),
        (99.0, 9.8, 4.9),
        (99.9, 48.0, 11.0),
        (99.99, 120.0, 19.5),
        (100.0, 131.0, 20.2),
    ]
    .into_iter()
    .map(|(percentile, corrected_ms, service_ms)| PercentilePoint { percentile, corrected_ms, service_ms })
    .collect();
    let timeline = (0..20)
        .map(|second| {
            let hiccup = second == 12;
            TimelinePoint {
                second,
                sent: 100,
                completed: if hiccup { 71 } else { 100 },
                errors: if hiccup { 3 } else { 0 },
                p50_ms: if hiccup { 38.0 } else { 1.2 },
                p99_ms: if hiccup { 120.0 } else { 4.5 },
            }
        })
        .collect();
    let summary = |scale: f64| LatencySummary {
        count: 2000,
        mean_ms: 1.5 * scale,
        p50_ms: 1.2 * scale,
        p90_ms: 2.4 * scale,
        p95_ms: 3.5 * scale,
        p99_ms: 9.8 * scale,
        p999_ms: 48.0 * scale,
        max_ms: 131.0 * scale,
    };
    PerformanceReport {
        source: MeasurementSource::Harness,
        profile: LoadProfile::Load,
        arrival: Arrival::Open { rate: 100.0 },
        transport: TransportKind::Http,
        pattern: LoadPattern::HttpSession,
        workload: vec![WorkloadEntry {
            method: "tools/call".to_owned(),
            tool: Some("echo".to_owned()),
            arguments: Some(serde_json::json!({"message": "hello"})),
            weight: 1,
            chosen_because: Some("no side effects".to_owned()),
        }],
        warmup_ms: 5000.0,
        duration_ms: 20000.0,
        sent: 2000,
        completed: 1971,
        throughput: Throughput {
            requested_per_sec: Some(100.0),
            achieved_per_sec: 98.55,
            sent_per_sec: 100.0,
            ratio: Some(0.9855),
        },
        latency: Latency { corrected: summary(1.0), service: summary(0.8), distribution },
        errors: ErrorCounts {
            total: 3,
            rate: 0.0015,
            by_kind: [(ErrorKind::Timeout, 3)].into_iter().collect(),
            by_code: Default::default(),
            examples: vec!["timeout after 10 s".to_owned()],
        },
        timeline,
        generator: GeneratorHealth {
            late_sends: 0,
            late_share: 0.0,
            max_lag_ms: 0.4,
            cpu_percent: Some(12.0),
            saturated: false,
            in_flight_limit: 64,
            window_full_waits: 0,
            connections: Some(4),
        },
        resources: None,
        quantum: QuantumFinding { share: 0.0, neighbour_share: 0.0, detected: false },
        stress: None,
        slo: SloThresholds {
            mean_ms: 50.0,
            p95_ms: 200.0,
            error_rate: 0.01,
            rss_growth_bytes: 64 << 20,
            achieved_ratio: 0.95,
        },
        plots: Vec::new(),
        environment: Environment { cpus: 2, ..Environment::default() },
        notes: Vec::new(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::report::performance::PercentilePoint;

    /// The checks every rendered plot must pass: an SVG document holding every label given.
    fn assert_svg(svg: &str, labels: &[&str]) {
        assert!(svg.trim_start().starts_with("<svg"), "not an SVG document: {}", &svg[..svg.len().min(200)]);
        assert!(svg.trim_end().ends_with("</svg>"), "an unterminated SVG document");
        for label in labels {
            assert!(svg.contains(label), "the plot lacks {label:?}");
        }
    }

    #[test]
    fn latency_distribution_draws_both_lines_with_legend_and_axes() {
        let svg = latency_distribution_svg(&sample_performance_report()).unwrap();
        assert_svg(
            &svg,
            &[
                "corrected (from intended send time)",
                "service (from actual send time)",
                "percentile",
                "latency (ms)",
                "99.9 %",
                "90 %",
                "load profile",
                "100 req/s",
            ],
        );
        assert!(svg.contains("<polyline"), "no line drawn");
    }

    #[test]
    fn timeline_draws_throughput_errors_latency_and_requested_rate() {
        let svg = timeline_svg(&sample_performance_report()).unwrap();
        assert_svg(
            &svg,
            &[
                "completed/s",
                "errors/s",
                "p50 (corrected)",
                "p99 (corrected)",
                "requested rate (100 req/s)",
                "requests/s",
                "latency (ms)",
                "second of the measured window",
            ],
        );
    }

    #[test]
    fn closed_loop_timeline_has_no_requested_rate() {
        let mut report = sample_performance_report();
        report.arrival = Arrival::Closed { virtual_users: 16 };
        let svg = timeline_svg(&report).unwrap();
        assert_svg(&svg, &["16 virtual users", "completed/s"]);
        assert!(!svg.contains("requested rate"));
    }

    #[test]
    fn empty_data_is_nothing_to_plot() {
        let mut report = sample_performance_report();
        report.latency.distribution.clear();
        report.timeline.clear();
        assert!(matches!(latency_distribution_svg(&report), Err(PlotError::NothingToPlot { .. })));
        assert!(matches!(timeline_svg(&report), Err(PlotError::NothingToPlot { .. })));
        let message = timeline_svg(&report).unwrap_err().to_string();
        assert_eq!(message, "plot the timeline: it is empty");
    }

    #[test]
    fn odd_data_draws_without_panicking() {
        let point = |percentile, ms| PercentilePoint { percentile, corrected_ms: ms, service_ms: ms };
        let distributions: [Vec<PercentilePoint>; 5] = [
            vec![point(50.0, 0.0)],
            vec![point(0.0, 0.0), point(100.0, 0.0)],
            vec![point(0.0, 7.0), point(50.0, 7.0), point(99.0, 7.0), point(100.0, 7.0)],
            vec![point(0.0, 1.0), point(99.99999, 1e300), point(100.0, f64::MAX)],
            vec![point(-5.0, -1.0), point(250.0, 3.0)],
        ];
        for distribution in distributions {
            let mut report = sample_performance_report();
            report.latency.distribution = distribution.clone();
            let svg =
                latency_distribution_svg(&report).unwrap_or_else(|e| panic!("{distribution:?} did not draw: {e}"));
            assert_svg(&svg, &["corrected (from intended send time)"]);
        }
        let second = |second, n, ms| TimelinePoint { second, sent: n, completed: n, errors: n, p50_ms: ms, p99_ms: ms };
        let timelines: [Vec<TimelinePoint>; 4] = [
            vec![second(0, 0, 0.0)],
            vec![second(3, 5, 2.0)],
            vec![second(0, 0, 0.0), second(1, 0, 0.0), second(2, 0, 0.0)],
            vec![second(0, u64::MAX, 1e300), second(u32::MAX - 1, 1, f64::MAX)],
        ];
        for timeline in timelines {
            for arrival in
                [Arrival::Open { rate: 0.0 }, Arrival::Open { rate: 1e12 }, Arrival::Closed { virtual_users: 0 }]
            {
                let mut report = sample_performance_report();
                report.timeline = timeline.clone();
                report.arrival = arrival;
                let svg = timeline_svg(&report).unwrap_or_else(|e| panic!("{timeline:?} did not draw: {e}"));
                assert_svg(&svg, &["completed/s", "p99 (corrected)"]);
            }
        }
    }

    #[test]
    fn percentiles_map_to_decades() {
        assert_eq!(percentile_x(0.0), 0.0);
        assert!((percentile_x(90.0) - 1.0).abs() < 1e-9);
        assert!((percentile_x(99.9) - 3.0).abs() < 1e-9);
        assert_eq!(percentile_x(100.0), MAX_DECADES);
        let labels: Vec<String> = (0..=4).map(|d| percentile_label(f64::from(d))).collect();
        assert_eq!(labels, ["0 %", "90 %", "99 %", "99.9 %", "99.99 %"]);
        assert_eq!(format_value(2.5), "2.5");
        assert_eq!(format_value(100.0), "100");
        assert_eq!(format_value(0.0123), "0.012");
    }
}
