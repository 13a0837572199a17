//! Runtime JSONPath evaluation with Jayway's semantics as AWS applies them: definite paths select
//! one node or nothing; indefinite paths (wildcards, slices, unions, filters, deep scan) always
//! select a list, empty when nothing matches (so a slice over a missing field yields `[]`).
//!
//! Interim: `asl::path` is the agreed home of JSONPath parsing; its evaluator (`select`) is not
//! committed yet. This module is the simulator's seam (`query` calls only `Path::parse`,
//! `select`, `set`), so switching to `asl::path` once it evaluates touches one file.

use serde_json::{Map, Value};
use std::fmt;

#[derive(Debug, Clone, PartialEq)]
enum Segment {
    Field(String),
    Index(i64),
    Wildcard,
    Slice(Option<i64>, Option<i64>, Option<i64>),
    Fields(Vec<String>),
    Indexes(Vec<i64>),
    DeepScan(Box<Segment>),
    Filter(Filter),
    Length,
}

#[derive(Debug, Clone, PartialEq)]
enum Operand {
    Current(Vec<Segment>),
    Root(Vec<Segment>),
    Literal(Value),
}

#[derive(Debug, Clone, PartialEq)]
enum Filter {
    Exists(Operand),
    Compare(Operand, String, Operand),
    And(Box<Filter>, Box<Filter>),
    Or(Box<Filter>, Box<Filter>),
    Not(Box<Filter>),
}

/// A parsed JSONPath (`$...` or `$$...`).
#[derive(Debug, Clone, PartialEq)]
pub struct Path {
    text: String,
    context: bool,
    segments: Vec<Segment>,
}

/// The result of `select`.
#[derive(Debug, Clone, PartialEq)]
pub enum Selection {
    /// A definite path found its node.
    One(Value),
    /// A definite path found nothing.
    Missing,
    /// An indefinite path: every match in document order.
    Many(Vec<Value>),
}

impl Path {
    pub fn parse(text: &str) -> Result<Self, String> {
        let trimmed = text.trim();
        let (context, rest) = if let Some(r) = trimmed.strip_prefix("$$") {
            (true, r)
        } else if let Some(r) = trimmed.strip_prefix('$') {
            (false, r)
        } else {
            return Err(format!("the path '{text}' does not start with '$'"));
        };
        let mut p = Parser { src: rest, pos: 0 };
        let segments = p.segments(false)?;
        if p.pos < p.src.len() {
            return Err(format!("unexpected '{}' in path '{text}'", &p.src[p.pos..]));
        }
        Ok(Self {
            text: trimmed.to_string(),
            context,
            segments,
        })
    }

    pub fn as_str(&self) -> &str {
        &self.text
    }

    /// `$$.…`: a path into the context object.
    pub fn is_context(&self) -> bool {
        self.context
    }

    /// True when the path can select at most one node.
    pub fn is_definite(&self) -> bool {
        self.segments
            .iter()
            .all(|s| matches!(s, Segment::Field(_) | Segment::Index(_) | Segment::Length))
    }

    pub fn select(&self, root: &Value) -> Selection {
        let nodes = eval(&self.segments, root, root);
        if self.is_definite() {
            match nodes.into_iter().next() {
                Some(v) => Selection::One(v),
                None => Selection::Missing,
            }
        } else {
            Selection::Many(nodes)
        }
    }

    /// Jayway's bracket notation (`$['a']['b'][0]`), which AWS quotes in its errors.
    pub fn bracketed(&self) -> String {
        let mut s = String::from(if self.context { "$$" } else { "$" });
        for seg in &self.segments {
            match seg {
                Segment::Field(f) => s.push_str(&format!("['{f}']")),
                Segment::Index(i) => s.push_str(&format!("[{i}]")),
                Segment::Wildcard => s.push_str("[*]"),
                Segment::Length => s.push_str(".length()"),
                _ => return self.text.clone(),
            }
        }
        s
    }

    /// Writes `value` at this (reference) path inside `root`, creating objects on the way, as
    /// ResultPath does. Fails when the path is not a plain chain of fields and indexes or walks
    /// through a value that is not a container.
    pub fn set(&self, root: Value, value: Value) -> Result<Value, String> {
        if self.segments.is_empty() {
            return Ok(value);
        }
        let mut root = root;
        set_in(&mut root, &self.segments, value)?;
        Ok(root)
    }
}

impl fmt::Display for Path {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.text)
    }
}

fn set_in(node: &mut Value, segments: &[Segment], value: Value) -> Result<(), String> {
    let Some((first, rest)) = segments.split_first() else {
        *node = value;
        return Ok(());
    };
    match first {
        Segment::Field(name) => {
            if !node.is_object() {
                // AWS replaces a scalar on the way with an object only at the root;
                // deeper mismatches are runtime errors.
                return Err(format!("cannot set field '{name}' on a non-object value"));
            }
            let Some(map) = node.as_object_mut() else {
                return Err(format!("cannot set field '{name}'"));
            };
            let child = map
                .entry(name.clone())
                .or_insert_with(|| Value::Object(Map::new()));
            if !rest.is_empty() && !child.is_object() && !child.is_array() {
                *child = Value::Object(Map::new());
            }
            set_in(child, rest, value)
        }
        Segment::Index(i) => {
            let Some(arr) = node.as_array_mut() else {
                return Err(format!("cannot set index {i} on a non-array value"));
            };
            let len = arr.len() as i64;
            let idx = if *i < 0 { len + i } else { *i };
            match usize::try_from(idx).ok().and_then(|k| arr.get_mut(k)) {
                Some(child) => set_in(child, rest, value),
                None => Err(format!("index {i} is out of bounds")),
            }
        }
        _ => Err("a result path must be a reference path".to_string()),
    }
}

fn eval(segments: &[Segment], node: &Value, root: &Value) -> Vec<Value> {
    let mut current = vec![node.clone()];
    for seg in segments {
        let mut next = Vec::new();
        for v in &current {
            apply(seg, v, root, &mut next);
        }
        current = next;
    }
    current
}

fn apply(seg: &Segment, v: &Value, root: &Value, out: &mut Vec<Value>) {
    match seg {
        Segment::Field(name) => {
            if let Some(x) = v.as_object().and_then(|m| m.get(name)) {
                out.push(x.clone());
            }
        }
        Segment::Index(i) => {
            if let Some(arr) = v.as_array() {
                let idx = if *i < 0 { arr.len() as i64 + i } else { *i };
                if let Some(x) = usize::try_from(idx).ok().and_then(|k| arr.get(k)) {
                    out.push(x.clone());
                }
            }
        }
        Segment::Wildcard => match v {
            Value::Array(a) => out.extend(a.iter().cloned()),
            Value::Object(m) => out.extend(m.values().cloned()),
            _ => {}
        },
        Segment::Slice(start, end, step) => {
            if let Some(arr) = v.as_array() {
                let len = arr.len() as i64;
                let norm = |x: i64| if x < 0 { (len + x).max(0) } else { x.min(len) };
                let s = start.map(norm).unwrap_or(0);
                let e = end.map(norm).unwrap_or(len);
                let step = step.unwrap_or(1).max(1);
                let mut k = s;
                while k < e {
                    if let Some(x) = usize::try_from(k).ok().and_then(|k| arr.get(k)) {
                        out.push(x.clone());
                    }
                    k += step;
                }
            }
        }
        Segment::Fields(names) => {
            if let Some(m) = v.as_object() {
                for n in names {
                    if let Some(x) = m.get(n) {
                        out.push(x.clone());
                    }
                }
            }
        }
        Segment::Indexes(idx) => {
            for i in idx {
                apply(&Segment::Index(*i), v, root, out);
            }
        }
        Segment::DeepScan(inner) => {
            apply(inner, v, root, out);
            match v {
                Value::Array(a) => a.iter().for_each(|c| apply(seg, c, root, out)),
                Value::Object(m) => m.values().for_each(|c| apply(seg, c, root, out)),
                _ => {}
            }
        }
        Segment::Filter(f) => {
            let items: Vec<&Value> = match v {
                Value::Array(a) => a.iter().collect(),
                Value::Object(m) => m.values().collect(),
                _ => Vec::new(),
            };
            for item in items {
                if filter_holds(f, item, root) {
                    out.push(item.clone());
                }
            }
        }
        Segment::Length => match v {
            Value::Array(a) => out.push(Value::from(a.len())),
            Value::String(s) => out.push(Value::from(s.chars().count())),
            Value::Object(m) => out.push(Value::from(m.len())),
            _ => {}
        },
    }
}

fn operand(o: &Operand, item: &Value, root: &Value) -> Option<Value> {
    match o {
        Operand::Literal(v) => Some(v.clone()),
        Operand::Current(segs) => eval(segs, item, root).into_iter().next(),
        Operand::Root(segs) => eval(segs, root, root).into_iter().next(),
    }
}

fn filter_holds(f: &Filter, item: &Value, root: &Value) -> bool {
    match f {
        Filter::Exists(o) => operand(o, item, root).is_some(),
        Filter::And(a, b) => filter_holds(a, item, root) && filter_holds(b, item, root),
        Filter::Or(a, b) => filter_holds(a, item, root) || filter_holds(b, item, root),
        Filter::Not(a) => !filter_holds(a, item, root),
        Filter::Compare(l, op, r) => {
            let (Some(l), Some(r)) = (operand(l, item, root), operand(r, item, root)) else {
                return false;
            };
            let ord = match (&l, &r) {
                (Value::Number(a), Value::Number(b)) => a
                    .as_f64()
                    .zip(b.as_f64())
                    .and_then(|(a, b)| a.partial_cmp(&b)),
                (Value::String(a), Value::String(b)) => Some(a.cmp(b)),
                _ => None,
            };
            use std::cmp::Ordering::*;
            match op.as_str() {
                "==" => ord.map(|o| o == Equal).unwrap_or(l == r),
                "!=" => !ord.map(|o| o == Equal).unwrap_or(l == r),
                "<" => ord == Some(Less),
                "<=" => matches!(ord, Some(Less | Equal)),
                ">" => ord == Some(Greater),
                ">=" => matches!(ord, Some(Greater | Equal)),
                _ => false,
            }
        }
    }
}

struct Parser<'a> {
    src: &'a str,
    pos: usize,
}

impl Parser<'_> {
    fn rest(&self) -> &str {
        self.src.get(self.pos..).unwrap_or("")
    }

    fn eat(&mut self, s: &str) -> bool {
        if self.rest().starts_with(s) {
            self.pos += s.len();
            true
        } else {
            false
        }
    }

    fn skip_ws(&mut self) {
        while self.rest().starts_with(' ') {
            self.pos += 1;
        }
    }

    fn name(&mut self) -> String {
        let r = self.rest();
        let end = r
            .find(['.', '[', ' ', ')', '=', '!', '<', '>', '&', '|'])
            .unwrap_or(r.len());
        let n = r[..end].to_string();
        self.pos += end;
        n
    }

    /// Segments until the end, or (inside a filter) until an operator or `)`.
    fn segments(&mut self, in_filter: bool) -> Result<Vec<Segment>, String> {
        let mut segs = Vec::new();
        loop {
            if self.eat("..") {
                if self.rest().starts_with('[') {
                    let s = self.bracket()?;
                    segs.push(Segment::DeepScan(Box::new(s)));
                } else if self.eat("*") {
                    segs.push(Segment::DeepScan(Box::new(Segment::Wildcard)));
                } else {
                    let n = self.name();
                    segs.push(Segment::DeepScan(Box::new(Segment::Field(n))));
                }
            } else if self.eat(".") {
                if self.eat("*") {
                    segs.push(Segment::Wildcard);
                } else if self.eat("length()") {
                    segs.push(Segment::Length);
                } else {
                    let n = self.name();
                    if n.is_empty() {
                        return Err(format!("empty field name at offset {}", self.pos));
                    }
                    segs.push(Segment::Field(n));
                }
            } else if self.rest().starts_with('[') {
                segs.push(self.bracket()?);
            } else if in_filter || self.rest().is_empty() {
                return Ok(segs);
            } else {
                return Err(format!("unexpected '{}'", self.rest()));
            }
        }
    }

    fn bracket(&mut self) -> Result<Segment, String> {
        self.eat("[");
        self.skip_ws();
        let seg = if self.eat("?(") {
            let f = self.filter_or()?;
            self.skip_ws();
            if !self.eat(")") {
                return Err("unclosed filter".into());
            }
            Segment::Filter(f)
        } else if self.eat("*") {
            Segment::Wildcard
        } else if self.rest().starts_with('\'') || self.rest().starts_with('"') {
            let mut names = vec![self.quoted()?];
            self.skip_ws();
            while self.eat(",") {
                self.skip_ws();
                names.push(self.quoted()?);
                self.skip_ws();
            }
            if names.len() == 1 {
                Segment::Field(names.remove(0))
            } else {
                Segment::Fields(names)
            }
        } else {
            let close = self.rest().find(']').ok_or("unclosed '['")?;
            let body = self.rest()[..close].to_string();
            self.pos += close;
            if body.contains(':') {
                let parts: Vec<&str> = body.split(':').collect();
                let num = |i: usize| -> Result<Option<i64>, String> {
                    match parts.get(i).map(|s| s.trim()) {
                        None | Some("") => Ok(None),
                        Some(s) => s
                            .parse()
                            .map(Some)
                            .map_err(|_| format!("bad slice '{body}'")),
                    }
                };
                Segment::Slice(num(0)?, num(1)?, num(2)?)
            } else {
                let idx: Result<Vec<i64>, _> = body.split(',').map(|s| s.trim().parse()).collect();
                let mut idx = idx.map_err(|_| format!("bad index '{body}'"))?;
                if idx.len() == 1 {
                    Segment::Index(idx.remove(0))
                } else {
                    Segment::Indexes(idx)
                }
            }
        };
        self.skip_ws();
        if !self.eat("]") {
            return Err("expected ']'".into());
        }
        Ok(seg)
    }

    fn quoted(&mut self) -> Result<String, String> {
        let q = if self.eat("'") {
            '\''
        } else if self.eat("\"") {
            '"'
        } else {
            return Err("expected a quoted name".into());
        };
        let r = self.rest();
        let end = r.find(q).ok_or("unclosed quote")?;
        let s = r[..end].to_string();
        self.pos += end + 1;
        Ok(s)
    }

    fn filter_or(&mut self) -> Result<Filter, String> {
        let mut left = self.filter_and()?;
        loop {
            self.skip_ws();
            if self.eat("||") {
                let right = self.filter_and()?;
                left = Filter::Or(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_and(&mut self) -> Result<Filter, String> {
        let mut left = self.filter_atom()?;
        loop {
            self.skip_ws();
            if self.eat("&&") {
                let right = self.filter_atom()?;
                left = Filter::And(Box::new(left), Box::new(right));
            } else {
                return Ok(left);
            }
        }
    }

    fn filter_atom(&mut self) -> Result<Filter, String> {
        self.skip_ws();
        if self.eat("!") {
            return Ok(Filter::Not(Box::new(self.filter_atom()?)));
        }
        if self.eat("(") {
            let f = self.filter_or()?;
            self.skip_ws();
            if !self.eat(")") {
                return Err("unclosed '('".into());
            }
            return Ok(f);
        }
        let left = self.operand()?;
        self.skip_ws();
        for op in ["==", "!=", "<=", ">=", "<", ">"] {
            if self.eat(op) {
                self.skip_ws();
                let right = self.operand()?;
                return Ok(Filter::Compare(left, op.to_string(), right));
            }
        }
        Ok(Filter::Exists(left))
    }

    fn operand(&mut self) -> Result<Operand, String> {
        self.skip_ws();
        if self.eat("@") {
            return Ok(Operand::Current(self.segments(true)?));
        }
        if self.eat("$") {
            return Ok(Operand::Root(self.segments(true)?));
        }
        if self.rest().starts_with('\'') || self.rest().starts_with('"') {
            return Ok(Operand::Literal(Value::String(self.quoted()?)));
        }
        let r = self.rest();
        let end = r
            .find([' ', ')', '&', '|', '=', '!', '<', '>'])
            .unwrap_or(r.len());
        let lit = r[..end].to_string();
        self.pos += end;
        serde_json::from_str(&lit)
            .map(Operand::Literal)
            .map_err(|_| format!("bad literal '{lit}' in filter"))
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn sel(path: &str, doc: Value) -> Selection {
        Path::parse(path)
            .map(|p| p.select(&doc))
            .unwrap_or(Selection::Missing)
    }

    #[test]
    fn definite_paths_select_one_node_or_nothing() {
        assert_eq!(
            sel("$.a.b", json!({"a": {"b": 1}})),
            Selection::One(json!(1))
        );
        assert_eq!(
            sel("$.a[1]", json!({"a": [1, 2]})),
            Selection::One(json!(2))
        );
        assert_eq!(
            sel("$.a[-1]", json!({"a": [1, 2]})),
            Selection::One(json!(2))
        );
        assert_eq!(sel("$['a']", json!({"a": 3})), Selection::One(json!(3)));
        assert_eq!(sel("$.x", json!({"a": 3})), Selection::Missing);
        assert_eq!(sel("$", json!(5)), Selection::One(json!(5)));
    }

    #[test]
    fn slice_over_missing_field_is_empty_list() {
        assert_eq!(sel("$.items[1:]", json!({})), Selection::Many(vec![]));
        assert_eq!(
            sel("$.items[1:3]", json!({"items": [0, 1, 2, 3]})),
            Selection::Many(vec![json!(1), json!(2)])
        );
        assert_eq!(
            sel("$.items[*].v", json!({"items": [{"v": 1}, {}, {"v": 3}]})),
            Selection::Many(vec![json!(1), json!(3)])
        );
    }

    #[test]
    fn filters_and_deep_scan() {
        let doc = json!({"xs": [{"n": 1, "t": "a"}, {"n": 5, "t": "b"}]});
        assert_eq!(
            sel("$.xs[?(@.n > 2)].t", doc.clone()),
            Selection::Many(vec![json!("b")])
        );
        assert_eq!(
            sel("$.xs[?(@.t == 'a' || @.n >= 5)].n", doc.clone()),
            Selection::Many(vec![json!(1), json!(5)])
        );
        assert_eq!(sel("$..n", doc), Selection::Many(vec![json!(1), json!(5)]));
    }

    #[test]
    fn bracketed_form_matches_jayway() {
        let p = Path::parse("$.a.b[0]").unwrap_or_else(|_| unreachable!());
        assert_eq!(p.bracketed(), "$['a']['b'][0]");
    }

    #[test]
    fn set_creates_intermediate_objects() {
        let p = Path::parse("$.a.b").unwrap_or_else(|_| unreachable!());
        assert_eq!(
            p.set(json!({"x": 1}), json!(2)),
            Ok(json!({"x": 1, "a": {"b": 2}}))
        );
        let root = Path::parse("$").unwrap_or_else(|_| unreachable!());
        assert_eq!(root.set(json!({"x": 1}), json!(2)), Ok(json!(2)));
    }
}
