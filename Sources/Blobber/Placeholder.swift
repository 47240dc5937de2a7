// Replaced by the blobber implementation.
enum BlobberPlaceholder {}
