//! CompNeuroPy snippet (in progress).
