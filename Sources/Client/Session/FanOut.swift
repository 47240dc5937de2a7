/// What one fan-out brought back: a typed result for every blobber asked, by shard index.
public struct BlobberResults<Value: Sendable>: Sendable {
    /// One slot per blobber of the allocation, in shard order; nil for a blobber that was not asked.
    public let slots: [Result<Value, ClientError>?]

    /// Blobber `index`'s result; nil when it was not asked.
    public subscript(index: Int) -> Result<Value, ClientError>? {
        slots.indices.contains(index) ? slots[index] : nil
    }

    /// The blobbers that succeeded, in shard order.
    public var successes: [(index: Int, value: Value)] {
        slots.indices.compactMap { index in
            guard case .success(let value)? = slots[index] else { return nil }
            return (index, value)
        }
    }

    /// The blobbers that failed, in shard order.
    public var failures: [(index: Int, error: ClientError)] {
        slots.indices.compactMap { index in
            guard case .failure(let error)? = slots[index] else { return nil }
            return (index, error)
        }
    }
}

/// The one way the client runs an operation on many blobbers at once (every blobber of an allocation,
/// a chosen set of them, or the candidates of a new allocation) and collects typed results by index.
enum FanOut {
    /// Runs `operation(index)` for every index in `indices`, all at once (one at a time in the given
    /// order when `sequential`), and returns `slots` results with each index's in its place.
    static func run<Value: Sendable>(
        _ indices: some Sequence<Int>, slots: Int, sequential: Bool = false,
        _ operation: @escaping @Sendable (Int) async throws(ClientError) -> Value
    ) async -> BlobberResults<Value> {
        var out = [Result<Value, ClientError>?](repeating: nil, count: slots)
        if sequential {
            for index in indices { out[index] = await FanOut.result(at: index, operation) }
            return BlobberResults(slots: out)
        }
        await withTaskGroup(of: (Int, Result<Value, ClientError>).self) { group in
            for index in indices {
                group.addTask { (index, await FanOut.result(at: index, operation)) }
            }
            for await (index, result) in group { out[index] = result }
        }
        return BlobberResults(slots: out)
    }

    /// `operation(index)` as a `Result`.
    ///
    /// The result is assigned, not returned, inside `do throws`: Swift 6.3.1 -O miscompiles a `return`
    /// from a typed do/catch in a task-group closure (every task saw index 0). This is the one place in
    /// the client that catches a typed error inside a task group; `FanOutTests` runs in the optimised
    /// build too and fails if the miscompile comes back.
    static func result<Value>(
        at index: Int, _ operation: (Int) async throws(ClientError) -> Value
    ) async -> Result<Value, ClientError> {
        let result: Result<Value, ClientError>
        do throws(ClientError) {
            result = .success(try await operation(index))
        } catch {
            result = .failure(error)
        }
        return result
    }
}

extension AllocationSession {
    /// Runs `operation` on every blobber of the allocation at once; the results come back in shard order.
    public func onEveryBlobber<Value: Sendable>(
        _ operation: @escaping @Sendable (_ index: Int, _ blobber: BlobberClient) async throws(ClientError) -> Value
    ) async -> BlobberResults<Value> {
        await onBlobbers(blobbers.indices, operation)
    }

    /// Runs `operation` on the blobbers at `indices` (shard indexes) at once, or one at a time in the
    /// given order when `sequential`; the results come back in shard order, nil for those not asked.
    public func onBlobbers<Value: Sendable>(
        _ indices: some Sequence<Int>, sequential: Bool = false,
        _ operation: @escaping @Sendable (_ index: Int, _ blobber: BlobberClient) async throws(ClientError) -> Value
    ) async -> BlobberResults<Value> {
        let blobbers = self.blobbers
        return await FanOut.run(indices, slots: blobbers.count, sequential: sequential) {
            index throws(ClientError) in
            try await operation(index, blobbers[index])
        }
    }
}
