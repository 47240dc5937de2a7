public import Logging
public import UnixSignals

/// SIGHUP and SIGUSR1 (zstor's reload signal) ask a running server to reload what it can; neither ever
/// stops it. `onReload` runs once per signal, in order.
public enum ReloadSignals {
    public static func handle(logger: Logger, onReload: @escaping @Sendable (UnixSignal) async -> Void) -> Task<Void, Never> {
        Task {
            for await signal in await UnixSignalsSequence(trapping: .sighup, .sigusr1) {
                logger.info("reload requested", metadata: ["signal": "\(signal)"])
                await onReload(signal)
            }
        }
    }
}
