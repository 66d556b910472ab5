//! ANNarchy export (in progress).
