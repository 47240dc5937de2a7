import AsyncHTTPClient
import NIOCore
import StorageProtocol

/// Shards streamed to blobbers while they are produced, shared by uploads (every blobber of the
/// allocation) and repair (the one blobber rebuilt): one bounded channel and one upload request per
/// blobber, run beside the producer (the encoder of an upload, the rebuilder of a repair), which sends
/// each blobber its bytes in order and waits while a blobber is `capacity` chunks behind. Memory stays
/// bounded whatever the file size; a blobber whose request ends early stops taking bytes (`send`
/// answers false) without holding the others up.
struct ShardStream: Sendable {
    /// One blobber to stream to.
    struct Target: Sendable {
        var index: Int
        var blobber: BlobberClient
        /// Shard bytes it already holds from an earlier run, not sent again; at `shardLength` it is only
        /// asked for its status.
        var offset: UInt64 = 0
    }

    let uploadID: String
    let shardLength: UInt64
    private let channels: [Int: ShardChannel]

    /// Queues `bytes` for blobber `index`; false when its request has ended (failed or refused).
    func send(_ bytes: ByteBuffer, to index: Int) async -> Bool {
        guard let channel = channels[index] else { return false }
        return await channel.send(bytes)
    }

    /// The producer has failed: every request ends.
    func cancelAll() {
        for channel in channels.values { channel.cancel() }
    }

    /// Runs one upload request per target (staging `uploadID`) and `produce` beside them; returns what
    /// `produce` returned, and each target's answer by shard index. On return every request has ended.
    static func run<Produced: Sendable>(
        uploadID: String, shardLength: UInt64, targets: [Target], capacity: Int,
        produce: (ShardStream) async throws(ClientError) -> Produced
    ) async -> (produced: Result<Produced, ClientError>, answers: [Int: Result<UploadStatus, ClientError>]) {
        let channels = Dictionary(uniqueKeysWithValues: targets.map { ($0.index, ShardChannel(capacity: capacity)) })
        let stream = ShardStream(uploadID: uploadID, shardLength: shardLength, channels: channels)
        let answers = Locked<[Int: Result<UploadStatus, ClientError>]>([:])
        let produced: Result<Produced, ClientError> = await withTaskGroup(of: Void.self) { group in
            // Not `onBlobbers`: these requests run beside the producer, which feeds them as they go.
            for target in targets {
                let channel = channels[target.index]!
                group.addTask {
                    let result = await FanOut.result(at: target.index) { _ throws(ClientError) in
                        if target.offset == shardLength {
                            return try await target.blobber.uploadStatus(uploadID: uploadID)
                        }
                        return try await target.blobber.upload(
                            uploadID: uploadID, shardLength: shardLength, offset: target.offset,
                            body: .stream(channel, length: .known(Int64(shardLength - target.offset))))
                    }
                    channel.cancel()
                    answers.withLock { $0[target.index] = result }
                }
            }
            defer { for channel in channels.values { channel.finish() } }
            let produced = await FanOut.result(at: 0) { _ throws(ClientError) in try await produce(stream) }
            if case .failure = produced { stream.cancelAll() }
            return produced
        }
        return (produced, answers.withLock { $0 })
    }
}
