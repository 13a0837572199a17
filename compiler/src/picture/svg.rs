//! SVG text of a laid-out picture: deterministic (coordinates to one decimal, elements in
//! written order), self-contained (styles inline, no scripts, no external fonts).

use std::fmt::Write as _;

use super::{Edge, EdgeKind, HEADER, Look, Node, PAD, Scope, text_width};

pub(crate) const NAME_SIZE: f64 = 13.0;
pub(crate) const TYPE_SIZE: f64 = 11.0;
pub(crate) const LABEL_SIZE: f64 = 11.0;
const MARGIN: f64 = 20.0;
const LEGEND_H: f64 = 30.0;

const COVERED: &str = "#2e7d32";
const UNCOVERED: &str = "#c62828";

/// The whole document; `words`, when coverage is drawn, say what green and red mean.
pub(crate) fn document(scope: &Scope, words: Option<(&str, &str)>) -> String {
    let coverage = words.is_some();
    let legend = legend(words);
    let legend_w = legend
        .iter()
        .map(|(_, _, text)| text_width(text, LABEL_SIZE) + 46.0)
        .sum::<f64>();
    let width = scope.width.max(legend_w) + 2.0 * MARGIN;
    let height = scope.height + 2.0 * MARGIN + LEGEND_H;
    let mut out = String::new();
    let _ = writeln!(
        out,
        r#"<svg xmlns="http://www.w3.org/2000/svg" width="{w}" height="{h}" viewBox="0 0 {w} {h}" font-family="DejaVu Sans, Arial, Helvetica, sans-serif">"#,
        w = n(width),
        h = n(height)
    );
    out.push_str(STYLE);
    let _ = writeln!(out, r#"<rect width="100%" height="100%" fill="white"/>"#);
    draw_scope(&mut out, scope, MARGIN, MARGIN, coverage);
    draw_legend(&mut out, &legend, MARGIN, height - LEGEND_H + 8.0);
    out.push_str("</svg>\n");
    out
}

const STYLE: &str = r##"<defs>
<marker id="a-next" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#444"/></marker>
<marker id="a-rule" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#1f5fa8"/></marker>
<marker id="a-catch" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c0392b"/></marker>
<marker id="a-retry" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#d35400"/></marker>
<marker id="a-yes" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#2e7d32"/></marker>
<marker id="a-no" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="7" markerHeight="7" orient="auto-start-reverse"><path d="M0,0 L10,5 L0,10 z" fill="#c62828"/></marker>
</defs>
<style>
.name{font-size:13px;font-weight:bold;fill:#1a1a1a}
.type{font-size:11px;fill:#666}
.label{font-size:11px}
.group{fill:none;stroke:#8e99a8;stroke-width:1.2;stroke-dasharray:6 3}
.gtitle{font-size:11px;font-style:italic;fill:#5b6573}
</style>
"##;

/// Per edge kind: stroke, dash pattern, marker.
fn edge_style(kind: EdgeKind, covered: Option<bool>) -> (&'static str, &'static str, &'static str) {
    let dash = match kind {
        EdgeKind::Catch => "6 4",
        EdgeKind::Default => "2 3",
        _ => "",
    };
    match (covered, kind) {
        (Some(true), _) => (COVERED, dash, "a-yes"),
        (Some(false), _) => (UNCOVERED, dash, "a-no"),
        (None, EdgeKind::Next) => ("#444", dash, "a-next"),
        (None, EdgeKind::Rule | EdgeKind::Default) => ("#1f5fa8", dash, "a-rule"),
        (None, EdgeKind::Catch) => ("#c0392b", dash, "a-catch"),
    }
}

fn draw_scope(out: &mut String, scope: &Scope, ox: f64, oy: f64, coverage: bool) {
    let at = |i: usize| {
        let (x, y) = scope.placement.nodes.get(i).copied().unwrap_or_default();
        (ox + x, oy + y)
    };
    for group in &scope.groups {
        let (mut x0, mut y0, mut x1, mut y1) = (f64::MAX, f64::MAX, f64::MIN, f64::MIN);
        for m in &group.members {
            let (x, y) = at(*m);
            let node = &scope.nodes[*m];
            let half_w = node.w / 2.0 + node.side;
            x0 = x0.min(x - half_w);
            x1 = x1.max(x + half_w);
            y0 = y0.min(y - node.h / 2.0);
            y1 = y1.max(y + node.h / 2.0);
        }
        let pad = 9.0;
        let _ = writeln!(
            out,
            r#"<rect class="group" x="{}" y="{}" width="{}" height="{}" rx="10"/>"#,
            n(x0 - pad),
            n(y0 - pad),
            n(x1 - x0 + 2.0 * pad),
            n(y1 - y0 + 2.0 * pad)
        );
        // Top left, outside: edges come in at the middle of the top.
        let _ = writeln!(
            out,
            r#"<text class="gtitle" x="{}" y="{}">{}</text>"#,
            n(x0 - pad + 4.0),
            n(y0 - pad - 4.0),
            esc(&group.title)
        );
    }
    // Edges under the nodes, labels over the edges.
    let mut labels = String::new();
    for (edge, route) in scope.edges.iter().zip(&scope.placement.edges) {
        draw_edge(out, &mut labels, edge, route, ox, oy);
    }
    for (i, node) in scope.nodes.iter().enumerate() {
        let (x, y) = at(i);
        draw_node(out, node, x, y, coverage);
    }
    out.push_str(&labels);
}

fn draw_edge(
    out: &mut String,
    labels: &mut String,
    edge: &Edge,
    route: &super::layout::Route,
    ox: f64,
    oy: f64,
) {
    let points: Vec<(f64, f64)> = route.points.iter().map(|(x, y)| (ox + x, oy + y)).collect();
    let Some(first) = points.first() else { return };
    let mut d = format!("M{},{}", n(first.0), n(first.1));
    for pair in points.windows(2) {
        let [(x0, y0), (x1, y1)] = pair else { continue };
        let dy = (y1 - y0) / 2.0;
        let _ = write!(
            d,
            " C{},{} {},{} {},{}",
            n(*x0),
            n(y0 + dy),
            n(*x1),
            n(y1 - dy),
            n(*x1),
            n(*y1)
        );
    }
    let (stroke, dash, marker) = edge_style(edge.kind, edge.covered);
    let dash = if dash.is_empty() {
        String::new()
    } else {
        format!(r#" stroke-dasharray="{dash}""#)
    };
    let _ = writeln!(
        out,
        r#"<path d="{d}" fill="none" stroke="{stroke}" stroke-width="1.4"{dash} marker-end="url(#{marker})"/>"#
    );
    if let (Some(text), Some((lx, ly))) = (&edge.label, route.label) {
        let (lx, ly) = (ox + lx, oy + ly);
        let color = match edge.label_covered {
            Some(true) => COVERED,
            Some(false) => UNCOVERED,
            None => stroke,
        };
        let w = text_width(text, LABEL_SIZE) + 6.0;
        let _ = writeln!(
            labels,
            r#"<rect x="{}" y="{}" width="{}" height="{}" rx="3" fill="white" fill-opacity="0.92"/><text class="label" x="{}" y="{}" text-anchor="middle" fill="{color}">{}</text>"#,
            n(lx - w / 2.0),
            n(ly - LABEL_SIZE / 2.0 - 3.0),
            n(w),
            n(LABEL_SIZE + 6.0),
            n(lx),
            n(ly + LABEL_SIZE * 0.36),
            esc(text)
        );
    }
}

fn draw_node(out: &mut String, node: &Node, x: f64, y: f64, coverage: bool) {
    let (w, h) = (node.w, node.h);
    let (left, top) = (x - w / 2.0, y - h / 2.0);
    let fill = match (node.covered, node.look) {
        (Some(true), _) => "#dff3e3",
        (Some(false), _) => "#fbe0e0",
        (None, Look::Choice) => "#fff8e1",
        (None, Look::Succeed) => "#e8f5e9",
        (None, Look::Fail) => "#ffebee",
        (None, _) => "#f5f7fa",
    };
    let (stroke, width) = match node.look {
        Look::Succeed => ("#2e7d32", 2.2),
        Look::Fail => ("#c62828", 2.2),
        Look::Choice => ("#b58900", 1.4),
        _ => ("#555", 1.2),
    };
    match node.look {
        Look::Start => {
            let _ = writeln!(
                out,
                r##"<circle cx="{}" cy="{}" r="6" fill="#333"/>"##,
                n(x),
                n(y)
            );
            return;
        }
        Look::Choice => {
            let k = 12.0;
            let _ = writeln!(
                out,
                r#"<polygon points="{},{} {},{} {},{} {},{} {},{} {},{}" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>"#,
                n(left + k),
                n(top),
                n(left + w - k),
                n(top),
                n(left + w),
                n(y),
                n(left + w - k),
                n(top + h),
                n(left + k),
                n(top + h),
                n(left),
                n(y)
            );
        }
        _ => {
            let _ = writeln!(
                out,
                r#"<rect x="{}" y="{}" width="{}" height="{}" rx="7" fill="{fill}" stroke="{stroke}" stroke-width="{width}"/>"#,
                n(left),
                n(top),
                n(w),
                n(h)
            );
            if node.look == Look::End {
                let _ = writeln!(
                    out,
                    r#"<rect x="{}" y="{}" width="{}" height="{}" rx="5" fill="none" stroke="{stroke}" stroke-width="1"/>"#,
                    n(left + 3.0),
                    n(top + 3.0),
                    n(w - 6.0),
                    n(h - 6.0)
                );
            }
        }
    }
    // Name and type: centred in a plain box, in the header of a Parallel / Map box.
    let text_y = if node.inner.is_empty() {
        y - 2.0
    } else {
        top + 20.0
    };
    let _ = writeln!(
        out,
        r#"<text class="name" x="{}" y="{}" text-anchor="middle">{}</text><text class="type" x="{}" y="{}" text-anchor="middle">{}</text>"#,
        n(x),
        n(text_y),
        esc(&node.name),
        n(x),
        n(text_y + 14.0),
        node.type_name
    );
    if let Some((text, covered)) = &node.retry {
        let color = match covered {
            Some(true) => COVERED,
            Some(false) => UNCOVERED,
            None => "#d35400",
        };
        let right = left + w;
        let cy = if node.inner.is_empty() {
            y
        } else {
            top + HEADER / 2.0
        };
        let _ = writeln!(
            out,
            r#"<path d="M{},{} C{},{} {},{} {},{}" fill="none" stroke="{color}" stroke-width="1.3" stroke-dasharray="3 2" marker-end="url(#a-retry)"/><text class="label" x="{}" y="{}" fill="{color}">{}</text>"#,
            n(right),
            n(cy + 7.0),
            n(right + 20.0),
            n(cy + 14.0),
            n(right + 20.0),
            n(cy - 14.0),
            n(right + 1.0),
            n(cy - 7.0),
            n(right + 22.0),
            n(cy + 4.0),
            esc(text)
        );
    }
    // Branches side by side under the header, each in a box of its own.
    let mut bx = left + PAD;
    let by = top + HEADER;
    for (title, scope) in &node.inner {
        let bw = scope.width + 2.0 * PAD;
        let bh = scope.height + 2.0 * PAD + LABEL_SIZE;
        let _ = writeln!(
            out,
            r##"<rect x="{}" y="{}" width="{}" height="{}" rx="6" fill="white" fill-opacity="0.7" stroke="#8e99a8" stroke-dasharray="4 3"/><text class="gtitle" x="{}" y="{}">{}</text>"##,
            n(bx),
            n(by),
            n(bw),
            n(bh),
            n(bx + 6.0),
            n(by + LABEL_SIZE + 2.0),
            esc(title)
        );
        draw_scope(out, scope, bx + PAD, by + PAD + LABEL_SIZE, coverage);
        bx += bw + PAD;
    }
}

/// What the legend shows: (stroke, dash, text).
fn legend<'w>(words: Option<(&'w str, &'w str)>) -> Vec<(&'static str, &'static str, &'w str)> {
    if let Some((covered, uncovered)) = words {
        vec![
            (COVERED, "", covered),
            (UNCOVERED, "", uncovered),
            ("#555", "6 4", "catch"),
            ("#555", "2 3", "Choice default"),
            ("#555", "3 2", "retry"),
        ]
    } else {
        vec![
            ("#444", "", "next"),
            ("#1f5fa8", "", "Choice rule"),
            ("#1f5fa8", "2 3", "default"),
            ("#c0392b", "6 4", "catch (States.ALL unless labelled)"),
            ("#d35400", "3 2", "retry (max attempts)"),
        ]
    }
}

fn draw_legend(out: &mut String, items: &[(&str, &str, &str)], x: f64, y: f64) {
    let mut x = x;
    for (stroke, dash, text) in items {
        let _ = writeln!(
            out,
            r##"<line x1="{}" y1="{}" x2="{}" y2="{}" stroke="{stroke}" stroke-width="2" stroke-dasharray="{dash}"/><text class="label" x="{}" y="{}" fill="#333">{}</text>"##,
            n(x),
            n(y),
            n(x + 26.0),
            n(y),
            n(x + 32.0),
            n(y + 4.0),
            esc(text)
        );
        x += text_width(text, LABEL_SIZE) + 46.0;
    }
}

/// A coordinate with one decimal, without a trailing `.0`.
fn n(v: f64) -> String {
    let r = (v * 10.0).round() / 10.0;
    if r == r.trunc() {
        format!("{}", r as i64)
    } else {
        format!("{r:.1}")
    }
}

fn esc(text: &str) -> String {
    text.replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;")
        .replace('"', "&quot;")
}
