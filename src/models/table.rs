//! Entries of one section, indexed for matching: a call costs a hash lookup by its whole name, its
//! method or its last name segment, then a check of the few entries found.

use super::*;

/// Entries of one kind, indexed by the name they match so that a call costs a hash lookup.
#[derive(Debug, Clone)]
pub(super) struct Table<T> {
    pub(super) entries: Vec<T>,
    pub(super) exact: HashMap<String, Vec<usize>>,
    pub(super) methods: HashMap<String, Vec<usize>>,
    /// Entries matched by segments, by their last segment (a call's last name segment or its
    /// method).
    pub(super) by_last: HashMap<String, Vec<usize>>,
}

impl<T> Default for Table<T> {
    fn default() -> Self {
        Table { entries: Vec::new(), exact: HashMap::new(), methods: HashMap::new(), by_last: HashMap::new() }
    }
}

pub(super) trait HasCallee {
    fn callee(&self) -> &Callee;
}

macro_rules! has_callee {
    ($($t:ty),*) => { $(impl HasCallee for $t { fn callee(&self) -> &Callee { &self.callee } })* };
}
has_callee!(
    Sink,
    Sanitizer,
    Propagator,
    SourceCall,
    Client,
    Connection,
    Logger,
    Hasher,
    Blocking,
    Key,
    Kdf,
    Token,
    Server,
    BodyLimit,
    Cache,
    Graphql,
    RequestTimeout,
    Cookie,
    Validator,
    Query,
    Guard,
    Response,
    Route
);

impl<T: HasCallee> Table<T> {
    pub(super) fn push(&mut self, entry: T) {
        let index = self.entries.len();
        match &entry.callee().form {
            Form::Exact { name, .. } => self.exact.entry(name.clone()).or_default().push(index),
            Form::Method(name) => self.methods.entry(name.clone()).or_default().push(index),
            Form::Suffix(segments) => {
                let last = segments.last().expect("a pattern has a segment");
                self.by_last.entry(last.clone()).or_default().push(index);
            }
        }
        self.entries.push(entry);
    }

    pub(super) fn matching<'a, 'c>(&'a self, call: &'c CallName<'c>, language: Language) -> impl Iterator<Item = &'a T> + 'c
    where
        'a: 'c,
    {
        let exact = call.qualified.and_then(|q| self.exact.get(q)).map_or(&[][..], Vec::as_slice);
        let methods = call.method.and_then(|m| self.methods.get(m)).map_or(&[][..], Vec::as_slice);
        let by_name = call.segments.last().and_then(|last| self.by_last.get(last)).map_or(&[][..], Vec::as_slice);
        // A method call's name segments end with the method too: each entry once.
        let by_method = call
            .method
            .filter(|m| call.segments.last().map(String::as_str) != Some(*m))
            .and_then(|m| self.by_last.get(m))
            .map_or(&[][..], Vec::as_slice);
        exact
            .iter()
            .chain(methods)
            .chain(by_name)
            .chain(by_method)
            .map(|&index| &self.entries[index])
            .filter(move |entry| entry.callee().matches(call, language))
    }
}
