// Replaced by the client implementation.
enum ClientPlaceholder {}
