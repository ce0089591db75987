//! One way to write a builder setter that stores its argument in a field.
//!
//! The simulator's builders have some thirty settings, each a doc comment and a one-line
//! assignment; written out, every setter was the same five lines. The doc comments stay on
//! each setter, so rustdoc shows them as if they were written by hand.

/// Writes `pub fn name(mut self, arg: Type) -> Self { self.path = arg; self }` for each line
/// `name(arg: Type) => path;` (with its doc comment above it). `path` is the field to set,
/// relative to `self` (e.g. `config.limits.max_connections`).
macro_rules! setters {
    ($( $(#[$doc:meta])* $name:ident($arg:ident: $ty:ty) => $($field:ident).+; )*) => {
        $(
            $(#[$doc])*
            pub fn $name(mut self, $arg: $ty) -> Self {
                self.$($field).+ = $arg;
                self
            }
        )*
    };
}

pub(crate) use setters;
