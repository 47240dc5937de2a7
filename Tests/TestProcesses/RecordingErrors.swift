public import Testing

/// Runs a property body and records any error it throws as a test issue.
///
/// swift-property-based 2.0.1 on Swift ≥ 6.2 runs the body under `try?`, so an error thrown from a
/// `propertyCheck` closure is silently dropped and the case passes. Every throwing property body goes
/// through here.
public func recordingErrors(sourceLocation: SourceLocation = #_sourceLocation, _ body: () throws -> Void) {
    do {
        try body()
    } catch {
        Issue.record(error, sourceLocation: sourceLocation)
    }
}
