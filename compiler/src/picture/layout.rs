//! Layered (Sugiyama-style) layout of one scope of a state graph: break cycles, assign layers
//! by longest path, put a dummy node wherever an edge crosses a layer (a labelled edge's first
//! dummy carries its label, so labels take room like nodes and never sit on one), order each
//! layer by barycenters, then place x by a balanced two-pass compaction.
//!
//! It sits behind [`Layout`], so another engine (a layout crate) can replace it without the
//! renderer changing; layout-rs 0.1.3 was measured against it (see `picture.rs`).

use std::collections::BTreeMap;

/// Gap between two nodes of one layer, and between layers.
const NODE_GAP: f64 = 28.0;
const LAYER_GAP: f64 = 34.0;
/// Width of a dummy node that carries no label: the room one edge takes between nodes.
const DUMMY_WIDTH: f64 = 14.0;
/// Barycenter sweeps (down and up) when ordering layers.
const ORDER_SWEEPS: usize = 6;
/// Placement rounds (each a sweep down and a sweep up).
const PLACE_ROUNDS: usize = 8;

/// A node to place: its size, and the group (a loop) it belongs to.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LNode {
    pub w: f64,
    pub h: f64,
    pub group: Option<usize>,
}

/// An edge to route. `label` is the size of its label; `bundle` merges the routes of edges
/// with the same key and target (catch edges to one handler run as one line); `weight` is how
/// hard the edge pulls its ends into line (the main flow straight, catch edges hardly at all).
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LEdge {
    pub from: usize,
    pub to: usize,
    pub label: Option<(f64, f64)>,
    pub bundle: Option<usize>,
    pub weight: f64,
}

#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct LGraph {
    pub nodes: Vec<LNode>,
    pub edges: Vec<LEdge>,
}

/// Where an edge goes: points from its source to its target, and its label's center.
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Route {
    pub points: Vec<(f64, f64)>,
    pub label: Option<(f64, f64)>,
    /// It goes against the flow (a loop's way back).
    pub back: bool,
}

/// Node centers and edge routes, in the graph's own coordinates (from 0, 0).
#[derive(Debug, Clone, Default, PartialEq)]
pub(crate) struct Placement {
    pub nodes: Vec<(f64, f64)>,
    pub edges: Vec<Route>,
    pub width: f64,
    pub height: f64,
}

/// A layout engine for one scope (Parallel branches and Map processors are laid out on their
/// own and placed as one big node).
pub(crate) trait Layout {
    fn place(&self, graph: &LGraph) -> Placement;
}

/// flowc's own layered layout.
pub(crate) struct Layered;

/// A node of the layered graph: a real node or a dummy on an edge's way.
#[derive(Debug, Clone)]
struct Slot {
    w: f64,
    h: f64,
    layer: usize,
    group: Option<usize>,
    x: f64,
    /// A dummy shared by a bundle of edges: ordering leans it right, so the bundle keeps to
    /// one side of the main flow down the whole page.
    bundled: bool,
}

impl Layout for Layered {
    fn place(&self, graph: &LGraph) -> Placement {
        let n = graph.nodes.len();
        if n == 0 {
            return Placement::default();
        }
        let back = back_edges(graph);
        // Edges as layered: (from, to) with back edges turned around.
        let directed: Vec<(usize, usize)> = graph
            .edges
            .iter()
            .zip(&back)
            .map(|(e, b)| if *b { (e.to, e.from) } else { (e.from, e.to) })
            .collect();
        let layer = layers(graph, &directed);
        let mut slots: Vec<Slot> = graph
            .nodes
            .iter()
            .zip(&layer)
            .map(|(node, layer)| Slot {
                w: node.w,
                h: node.h,
                layer: *layer,
                group: node.group,
                x: 0.0,
                bundled: false,
            })
            .collect();
        // Each edge's chain of slots, from its (layered) source to its target.
        let mut chains: Vec<Vec<usize>> = Vec::with_capacity(graph.edges.len());
        let mut bundles: BTreeMap<(usize, usize, usize), usize> = BTreeMap::new();
        for ((edge, (from, to)), is_back) in graph.edges.iter().zip(&directed).zip(&back) {
            let mut chain = vec![*from];
            let (lo, hi) = (layer[*from], layer[*to]);
            for l in lo + 1..hi {
                let first = l == lo + 1;
                let labelled = first && edge.label.is_some();
                let key = edge
                    .bundle
                    .filter(|_| !is_back && !labelled)
                    .map(|b| (b, *to, l));
                if let Some(existing) = key.and_then(|k| bundles.get(&k)) {
                    chain.push(*existing);
                    continue;
                }
                let (w, h) = match edge.label {
                    Some(size) if first => size,
                    _ => (DUMMY_WIDTH, 1.0),
                };
                slots.push(Slot {
                    w,
                    h,
                    layer: l,
                    group: None,
                    x: 0.0,
                    bundled: key.is_some(),
                });
                let id = slots.len() - 1;
                if let Some(k) = key {
                    bundles.insert(k, id);
                }
                chain.push(id);
            }
            chain.push(*to);
            chains.push(chain);
        }
        let depth = slots.iter().map(|s| s.layer).max().unwrap_or(0) + 1;
        // Neighbours one layer up and down, from the chains, with the pull of their edges.
        let mut up: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
        let mut down: Vec<Vec<usize>> = vec![Vec::new(); slots.len()];
        let mut pull: BTreeMap<(usize, usize), f64> = BTreeMap::new();
        for (chain, edge) in chains.iter().zip(&graph.edges) {
            for pair in chain.windows(2) {
                if let [a, b] = pair
                    && a != b
                {
                    let w = pull.entry((*a, *b)).or_insert(0.0);
                    *w = w.max(edge.weight);
                    if !down[*a].contains(b) {
                        down[*a].push(*b);
                        up[*b].push(*a);
                    }
                }
            }
        }
        let mut rows = order(&slots, n, depth, &up, &down);
        keep_groups_together(&slots, &mut rows);
        let ys = row_centers(&slots, &rows);
        place_x(&mut slots, &rows, &up, &down, &pull);
        let width = slots
            .iter()
            .map(|s| s.x + s.w / 2.0)
            .fold(0.0_f64, f64::max);
        let height = rows.last().and_then(|row| row.first()).map_or(0.0, |s| {
            ys[slots[*s].layer] + row_height(&slots, rows.last()) / 2.0
        });
        let heights: Vec<f64> = rows.iter().map(|r| row_height(&slots, Some(r))).collect();
        // Nodes hang from the top of their layer, so an edge from above reaches a small node
        // beside a tall Parallel or Map box in the gap between the layers, not behind the box.
        let center = |s: usize| {
            let layer = slots[s].layer;
            (
                slots[s].x,
                ys[layer] - heights[layer] / 2.0 + slots[s].h / 2.0,
            )
        };
        let edges: Vec<Route> = graph
            .edges
            .iter()
            .zip(&chains)
            .zip(&back)
            .map(|((edge, chain), is_back)| {
                let mut points = Vec::with_capacity(chain.len() + 2);
                let first = chain[0];
                let last = chain[chain.len() - 1];
                let (fx, fy) = center(first);
                points.push((fx, fy + slots[first].h / 2.0));
                // Through each layer crossed, straight down beside its nodes (a tall Parallel
                // or Map box would otherwise hide the curve between two layers' centers).
                for s in &chain[1..chain.len() - 1] {
                    let layer = slots[*s].layer;
                    let half = heights[layer] / 2.0;
                    points.push((slots[*s].x, ys[layer] - half));
                    points.push((slots[*s].x, ys[layer] + half));
                }
                let (tx, ty) = center(last);
                points.push((tx, ty - slots[last].h / 2.0));
                let label = edge
                    .label
                    .and_then(|_| chain.get(1).filter(|s| **s >= n).map(|s| center(*s)));
                if *is_back {
                    points.reverse();
                }
                Route {
                    points,
                    label,
                    back: *is_back,
                }
            })
            .collect();
        let mut edges: Vec<Route> = edges;
        spread_ports(&mut edges, graph, &slots);
        Placement {
            nodes: (0..n).map(center).collect(),
            edges,
            width,
            height,
        }
    }
}

/// Edges ending side by side at one point of a node (a bundle's arrive together), with the x
/// they head for.
type Ends = (Vec<usize>, f64);

/// Spacing of the ends of edges that leave or reach one side of a node.
const PORT_GAP: f64 = 12.0;

/// Edges leaving (or reaching) the same side of a node start (or end) side by side, in the
/// order of where they go, instead of all at its middle: a Next and a catch between the same
/// two states stay two lines, and a Choice's rules fan out in order.
fn spread_ports(routes: &mut [Route], graph: &LGraph, slots: &[Slot]) {
    // (node, leaving from the bottom?) -> ends: the edges (a bundle's arrive as one) and
    // the x they head for.
    let mut sides: BTreeMap<(usize, bool), Vec<Ends>> = BTreeMap::new();
    for (i, (route, edge)) in routes.iter().zip(&graph.edges).enumerate() {
        let (Some(first), Some(last)) = (route.points.first(), route.points.last()) else {
            continue;
        };
        let (from, to) = if route.back {
            (edge.to, edge.from)
        } else {
            (edge.from, edge.to)
        };
        let after_first = route.points.get(1).map_or(last.0, |p| p.0);
        let before_last = route
            .points
            .len()
            .checked_sub(2)
            .and_then(|k| route.points.get(k))
            .map_or(first.0, |p| p.0);
        sides
            .entry((from, true))
            .or_default()
            .push((vec![i], after_first));
        let arriving = sides.entry((to, false)).or_default();
        let joined = edge.bundle.and_then(|b| {
            arriving
                .iter_mut()
                .find(|(edges, _)| edges.iter().any(|e| graph.edges[*e].bundle == Some(b)))
        });
        match joined {
            Some((edges, _)) => edges.push(i),
            None => arriving.push((vec![i], before_last)),
        }
    }
    for ((node, bottom), mut ends) in sides {
        if ends.len() < 2 {
            continue;
        }
        ends.sort_by(|a, b| a.1.total_cmp(&b.1).then(a.0.cmp(&b.0)));
        let room = (slots[node].w - 16.0).max(0.0);
        let gap = PORT_GAP.min(room / (ends.len() - 1) as f64);
        let first = -gap * (ends.len() - 1) as f64 / 2.0;
        for (k, (edges, _)) in ends.iter().enumerate() {
            let offset = first + gap * k as f64;
            for edge in edges {
                let route = &mut routes[*edge];
                // Bottom of `from`: the route's first point (its last for a way back); top of
                // `to`: its last point (its first for a way back).
                let at_start = bottom != route.back;
                let point = if at_start {
                    route.points.first_mut()
                } else {
                    route.points.last_mut()
                };
                if let Some(p) = point {
                    p.0 += offset;
                }
            }
        }
    }
}

/// Edges that close a cycle, found by a depth-first walk from node 0 (the StartAt), then from
/// any node not reached, in written order; self-loops count as back edges.
fn back_edges(graph: &LGraph) -> Vec<bool> {
    let n = graph.nodes.len();
    let mut out: Vec<Vec<usize>> = vec![Vec::new(); n];
    for (i, e) in graph.edges.iter().enumerate() {
        out[e.from].push(i);
    }
    let mut back = vec![false; graph.edges.len()];
    // 0 unseen, 1 on the stack, 2 done.
    let mut state = vec![0u8; n];
    for root in 0..n {
        if state[root] != 0 {
            continue;
        }
        let mut stack: Vec<(usize, usize)> = vec![(root, 0)];
        state[root] = 1;
        while let Some((v, next)) = stack.last_mut() {
            let v = *v;
            if let Some(&e) = out[v].get(*next) {
                *next += 1;
                let w = graph.edges[e].to;
                match state[w] {
                    0 => {
                        state[w] = 1;
                        stack.push((w, 0));
                    }
                    1 => back[e] = true,
                    _ => {}
                }
            } else {
                state[v] = 2;
                stack.pop();
            }
        }
    }
    back
}

/// Longest-path layers: a node sits below all its sources; a labelled edge spans two layers
/// so that its label gets a layer of its own between the two.
fn layers(graph: &LGraph, directed: &[(usize, usize)]) -> Vec<usize> {
    let n = graph.nodes.len();
    let mut indegree = vec![0usize; n];
    let mut out: Vec<Vec<(usize, usize)>> = vec![Vec::new(); n];
    for ((from, to), edge) in directed.iter().zip(&graph.edges) {
        if from == to {
            continue;
        }
        let span = if edge.label.is_some() { 2 } else { 1 };
        out[*from].push((*to, span));
        indegree[*to] += 1;
    }
    let mut layer = vec![0usize; n];
    let mut ready: Vec<usize> = (0..n).rev().filter(|v| indegree[*v] == 0).collect();
    while let Some(v) = ready.pop() {
        for (w, span) in out[v].clone() {
            layer[w] = layer[w].max(layer[v] + span);
            indegree[w] -= 1;
            if indegree[w] == 0 {
                ready.push(w);
            }
        }
    }
    layer
}

/// Orders each layer: first by when a walk from the start reaches a slot, then by barycenter
/// sweeps, keeping the order with the fewest crossings seen.
fn order(
    slots: &[Slot],
    real: usize,
    depth: usize,
    up: &[Vec<usize>],
    down: &[Vec<usize>],
) -> Vec<Vec<usize>> {
    let mut rows: Vec<Vec<usize>> = vec![Vec::new(); depth];
    let mut seen = vec![false; slots.len()];
    let mut queue = std::collections::VecDeque::new();
    for start in 0..slots.len() {
        if seen[start] || !up[start].is_empty() {
            continue;
        }
        seen[start] = true;
        queue.push_back(start);
        while let Some(s) = queue.pop_front() {
            rows[slots[s].layer].push(s);
            for t in &down[s] {
                if !seen[*t] {
                    seen[*t] = true;
                    queue.push_back(*t);
                }
            }
        }
    }
    for (s, seen) in seen.iter().enumerate() {
        if !seen {
            rows[slots[s].layer].push(s);
        }
    }
    // Edges' ways (dummies) start right of the states, so long edges and bundles keep to
    // one side instead of changing sides down the page.
    for row in &mut rows {
        row.sort_by_key(|s| *s >= real);
    }
    let mut best = rows.clone();
    let mut best_crossings = crossings(&rows, down);
    for sweep in 0..ORDER_SWEEPS {
        let downward = sweep % 2 == 0;
        let layers: Vec<usize> = if downward {
            (1..depth).collect()
        } else {
            (0..depth.saturating_sub(1)).rev().collect()
        };
        for l in layers {
            let reference = if downward { &rows[l - 1] } else { &rows[l + 1] };
            let position: BTreeMap<usize, usize> =
                reference.iter().enumerate().map(|(i, s)| (*s, i)).collect();
            let neighbours = if downward { up } else { down };
            let mut keyed: Vec<(f64, usize, usize)> = rows[l]
                .iter()
                .enumerate()
                .map(|(i, s)| {
                    let ps: Vec<f64> = neighbours[*s]
                        .iter()
                        .filter_map(|t| position.get(t).map(|p| *p as f64))
                        .collect();
                    let key = if ps.is_empty() {
                        i as f64
                    } else {
                        ps.iter().sum::<f64>() / ps.len() as f64
                    } + if slots[*s].bundled { 1.5 } else { 0.0 };
                    (key, i, *s)
                })
                .collect();
            // Ties: states before edges' ways, then the order before.
            keyed.sort_by(|a, b| {
                a.0.total_cmp(&b.0)
                    .then((a.2 >= real).cmp(&(b.2 >= real)))
                    .then(a.1.cmp(&b.1))
            });
            rows[l] = keyed.into_iter().map(|(_, _, s)| s).collect();
        }
        let c = crossings(&rows, down);
        if c < best_crossings {
            best_crossings = c;
            best = rows.clone();
        }
    }
    transpose(&mut best, down);
    best
}

/// Swaps neighbours of a layer while that removes crossings with the layers above and below
/// (what barycenters miss when two slots have the same one).
fn transpose(rows: &mut [Vec<usize>], down: &[Vec<usize>]) {
    let local = |rows: &[Vec<usize>], l: usize| {
        let mut c = 0;
        if l > 0 {
            c += crossings(&rows[l - 1..=l], down);
        }
        if l + 1 < rows.len() {
            c += crossings(&rows[l..=l + 1], down);
        }
        c
    };
    for _ in 0..4 {
        let mut improved = false;
        for l in 0..rows.len() {
            for i in 0..rows[l].len().saturating_sub(1) {
                let before = local(rows, l);
                rows[l].swap(i, i + 1);
                if local(rows, l) < before {
                    improved = true;
                } else {
                    rows[l].swap(i, i + 1);
                }
            }
        }
        if !improved {
            break;
        }
    }
}

/// Edge crossings between consecutive layers.
fn crossings(rows: &[Vec<usize>], down: &[Vec<usize>]) -> usize {
    let mut total = 0;
    for pair in rows.windows(2) {
        let [upper, lower] = pair else { continue };
        let position: BTreeMap<usize, usize> =
            lower.iter().enumerate().map(|(i, s)| (*s, i)).collect();
        let mut ends: Vec<(usize, usize)> = Vec::new();
        for (i, s) in upper.iter().enumerate() {
            for t in &down[*s] {
                if let Some(p) = position.get(t) {
                    ends.push((i, *p));
                }
            }
        }
        for (a, x) in ends.iter().enumerate() {
            for y in &ends[a + 1..] {
                if (x.0 < y.0 && x.1 > y.1) || (x.0 > y.0 && x.1 < y.1) {
                    total += 1;
                }
            }
        }
    }
    total
}

/// A loop's members come first in each of their layers, so the box drawn around them holds
/// nothing else (everything else is pushed right of it by [`place_x`]).
fn keep_groups_together(slots: &[Slot], rows: &mut [Vec<usize>]) {
    for row in rows.iter_mut() {
        // Stable: members of group 0, then of group 1, ..., then the rest, each in order.
        row.sort_by_key(|s| slots[*s].group.unwrap_or(usize::MAX));
    }
}

fn row_height(slots: &[Slot], row: Option<&Vec<usize>>) -> f64 {
    row.map_or(0.0, |r| r.iter().map(|s| slots[*s].h).fold(0.0, f64::max))
}

/// The y of each layer's center.
fn row_centers(slots: &[Slot], rows: &[Vec<usize>]) -> Vec<f64> {
    let mut ys = Vec::with_capacity(rows.len());
    let mut y = 0.0;
    for row in rows {
        let h = row_height(slots, Some(row));
        ys.push(y + h / 2.0);
        y += h + LAYER_GAP;
    }
    ys
}

/// x of every slot: each wants to sit at the mean of its neighbours' x (above on the way
/// down, below on the way up); the order and the gaps are kept by averaging a left-packed and
/// a right-packed solution (both keep them, so their mean does). Slots that are not in a loop
/// but share a layer with one stay right of the loop's widest layer.
fn place_x(
    slots: &mut [Slot],
    rows: &[Vec<usize>],
    up: &[Vec<usize>],
    down: &[Vec<usize>],
    pull: &BTreeMap<(usize, usize), f64>,
) {
    for row in rows {
        let mut x = 0.0;
        for s in row {
            slots[*s].x = x + slots[*s].w / 2.0;
            x += slots[*s].w + NODE_GAP;
        }
    }
    for round in 0..PLACE_ROUNDS * 2 {
        let downward = round % 2 == 0;
        let order: Vec<&Vec<usize>> = if downward {
            rows.iter().collect()
        } else {
            rows.iter().rev().collect()
        };
        for row in order {
            let neighbours = if downward { up } else { down };
            let desired: Vec<f64> = row
                .iter()
                .map(|s| {
                    let (mut sum, mut total) = (0.0, 0.0);
                    for t in &neighbours[*s] {
                        let key = if downward { (*t, *s) } else { (*s, *t) };
                        let w = pull.get(&key).copied().unwrap_or(1.0);
                        sum += w * slots[*t].x;
                        total += w;
                    }
                    if total > 0.0 {
                        sum / total
                    } else {
                        slots[*s].x
                    }
                })
                .collect();
            let sep = |a: usize, b: usize| (slots[a].w + slots[b].w) / 2.0 + NODE_GAP;
            let mut left = desired.clone();
            for i in 1..row.len() {
                left[i] = left[i].max(left[i - 1] + sep(row[i - 1], row[i]));
            }
            let mut right = desired.clone();
            for i in (0..row.len().saturating_sub(1)).rev() {
                right[i] = right[i].min(right[i + 1] - sep(row[i], row[i + 1]));
            }
            for (i, s) in row.iter().enumerate() {
                slots[*s].x = (left[i] + right[i]) / 2.0;
            }
        }
    }
    // Loops: everything else in their layers goes right of their widest extent.
    let groups: Vec<usize> = {
        let mut g: Vec<usize> = slots.iter().filter_map(|s| s.group).collect();
        g.sort_unstable();
        g.dedup();
        g
    };
    for g in groups {
        let members = || slots.iter().filter(move |s| s.group == Some(g));
        let (lo, hi) = members().fold((usize::MAX, 0), |(lo, hi), s| {
            (lo.min(s.layer), hi.max(s.layer))
        });
        let right = members().map(|s| s.x + s.w / 2.0).fold(f64::MIN, f64::max) + NODE_GAP;
        for row in &rows[lo..=hi] {
            let mut min_left = right;
            for s in row {
                if slots[*s].group == Some(g) {
                    continue;
                }
                let left = slots[*s].x - slots[*s].w / 2.0;
                if left < min_left {
                    slots[*s].x += min_left - left;
                }
                min_left = slots[*s].x + slots[*s].w / 2.0 + NODE_GAP;
            }
        }
    }
    // From x = 0.
    let min = slots
        .iter()
        .map(|s| s.x - s.w / 2.0)
        .fold(f64::MAX, f64::min);
    for s in slots.iter_mut() {
        s.x -= min;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn node(w: f64) -> LNode {
        LNode {
            w,
            h: 30.0,
            group: None,
        }
    }

    fn edge(from: usize, to: usize) -> LEdge {
        LEdge {
            from,
            to,
            label: None,
            bundle: None,
            weight: 1.0,
        }
    }

    fn overlaps(p: &Placement, g: &LGraph) -> Vec<(usize, usize)> {
        let mut found = Vec::new();
        for a in 0..g.nodes.len() {
            for b in a + 1..g.nodes.len() {
                let (ax, ay) = p.nodes[a];
                let (bx, by) = p.nodes[b];
                if (ax - bx).abs() < (g.nodes[a].w + g.nodes[b].w) / 2.0
                    && (ay - by).abs() < (g.nodes[a].h + g.nodes[b].h) / 2.0
                {
                    found.push((a, b));
                }
            }
        }
        found
    }

    #[test]
    fn a_loop_is_laid_out_downwards_with_its_way_back_marked() {
        // 0 -> 1 -> 2 -> 1 (back), 2 -> 3 (labelled)
        let graph = LGraph {
            nodes: vec![node(80.0), node(80.0), node(120.0), node(60.0)],
            edges: vec![
                edge(0, 1),
                edge(1, 2),
                edge(2, 1),
                LEdge {
                    label: Some((50.0, 14.0)),
                    ..edge(2, 3)
                },
            ],
        };
        let p = Layered.place(&graph);
        let y = |i: usize| p.nodes[i].1;
        assert!(y(0) < y(1) && y(1) < y(2) && y(2) < y(3), "{p:?}");
        assert_eq!(
            p.edges.iter().map(|e| e.back).collect::<Vec<_>>(),
            [false, false, true, false]
        );
        // The label sits between its edge's ends, on a layer of its own.
        let label = p.edges[3].label.unwrap_or_default();
        assert!(y(2) < label.1 && label.1 < y(3), "{p:?}");
        assert!(overlaps(&p, &graph).is_empty(), "{p:?}");
    }

    #[test]
    fn nodes_of_one_layer_never_overlap() {
        // A fan: 0 -> 1..6, all -> 7.
        let mut graph = LGraph {
            nodes: (0..8).map(|i| node(60.0 + 10.0 * i as f64)).collect(),
            edges: Vec::new(),
        };
        for i in 1..7 {
            graph.edges.push(edge(0, i));
            graph.edges.push(edge(i, 7));
        }
        let p = Layered.place(&graph);
        assert!(overlaps(&p, &graph).is_empty(), "{p:?}");
        assert!(p.width > 6.0 * 60.0);
    }
}

#[cfg(test)]
mod bundle_tests {
    use super::*;

    #[test]
    fn a_bundle_of_catch_edges_keeps_to_the_right_of_the_main_flow() {
        // 0 -> 1 -> 2 -> 3 -> 4 -> 5, each of 1..4 catches into 6; 5 -> 6.
        let node = || LNode {
            w: 100.0,
            h: 30.0,
            group: None,
        };
        let mut graph = LGraph {
            nodes: (0..7).map(|_| node()).collect(),
            edges: Vec::new(),
        };
        for i in 0..5 {
            graph.edges.push(LEdge {
                from: i,
                to: i + 1,
                label: None,
                bundle: None,
                weight: 1.0,
            });
        }
        graph.edges.push(LEdge {
            from: 5,
            to: 6,
            label: None,
            bundle: None,
            weight: 1.0,
        });
        for i in 1..5 {
            graph.edges.push(LEdge {
                from: i,
                to: 6,
                label: None,
                bundle: Some(0),
                weight: 0.05,
            });
        }
        let p = Layered.place(&graph);
        for e in &p.edges[6..] {
            let xs: Vec<f64> = e.points.iter().map(|p| p.0).collect();
            eprintln!("{xs:?}");
        }
        eprintln!("{:?}", p.nodes);
        let main_x = p.nodes[2].0;
        for e in &p.edges[6..] {
            for (x, _) in &e.points[1..e.points.len() - 1] {
                assert!(*x > main_x, "{p:?}");
            }
        }
    }
}
